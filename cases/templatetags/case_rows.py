"""The referral list's and the inbox's rows, written in Python.

A row through the template language costs a dozen nodes, each resolving its
variables and translating its labels anew: for a page of 25 rows most of the
page's rendering. ``referral_rows`` writes the same markup, with each label
translated once per page.

    {% load case_rows %}
    {% referral_rows page.object_list show_names=show_names show_organisation=show_organisation %}
    {% inbox_rows page.object_list now=now long_wait_text=long_wait_text %}
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from cases.models import Referral, TargetGroup
from resursrad.templatetags.presentation import day_in, minute

register = template.Library()


def _e(value: Any) -> str:
    return html.escape(str(value))


@register.simple_tag
def referral_rows(referrals: Iterable[Any], *, show_names: bool, show_organisation: bool) -> SafeString:
    """One <tr> per referral: case number (linked), participant, status, organisation, case worker, created."""
    participant_label = _e(gettext("Participant"))
    status_label = _e(gettext("Status"))
    organisation_label = _e(gettext("Organisation"))
    case_worker_label = _e(gettext("Case worker"))
    created_label = _e(gettext("Created"))
    protected = _e(gettext("Protected identity"))
    expires = gettext("Consent expires %(date)s")
    # Asked once for the table, not once a row: the links' pattern, the time zone, the status labels.
    case_path = Referral.absolute_url_pattern()
    zone = timezone.get_current_timezone()
    status_labels: dict[str, str] = {}
    rows = []
    for referral in referrals:
        cells = [
            f'<td class="table-cards-title"><a href="{_e(case_path.format(pk=referral.pk))}">'
            f"{_e(referral.case_number)}</a></td>"
        ]
        if show_names:
            participant = referral.participant
            cell = f'<td data-label="{participant_label}">{_e(participant.display_name)}'
            if participant.personal_number:
                cell += f' <span class="text-muted small">{_e(participant.masked_number)}</span>'
            if participant.protected_identity:
                cell += f' <span class="badge text-bg-warning">{protected}</span>'
            cells.append(cell + "</td>")
        status = referral.status
        if status not in status_labels:
            status_labels[status] = _e(referral.status_label)
        cell = (
            f'<td class="table-cards-status" data-label="{status_label}">'
            f'<span class="badge status-badge status-{_e(status)}">{status_labels[status]}</span>'
        )
        expires_on = getattr(referral, "consent_expires_on", None)
        if expires_on:
            cell += f' <span class="consent-expiring">{expires % {"date": _e(expires_on.isoformat())}}</span>'
        cells.append(cell + "</td>")
        if show_organisation:
            cells.append(f'<td data-label="{organisation_label}">{_e(referral.organisation)}</td>')
        handler = referral.handler
        cells.append(
            f'<td data-label="{case_worker_label}">{_e(handler.first_name)} {_e(handler.last_name)}</td>'
        )
        cells.append(f'<td data-label="{created_label}">{_e(day_in(referral.created_at, zone))}</td>')
        rows.append("    <tr>\n      " + "\n      ".join(cells) + "\n    </tr>\n")
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def inbox_rows(referrals: Iterable[Any], *, now: datetime, long_wait_text: str) -> SafeString:
    """One <tr> per referral of the coordinator's inbox: case number (linked, with an answer's
    mark), organisation, target groups, submitted, waiting (with a long wait's mark)."""
    answered = _e(gettext("Answer received"))
    organisation_label = _e(gettext("Organisation"))
    target_groups_label = _e(gettext("Target groups"))
    submitted_label = _e(gettext("Submitted"))
    waiting_label = _e(gettext("Waiting"))
    long_wait = conditional_escape(long_wait_text)
    group_labels = {group: str(group.label) for group in TargetGroup}
    rows = []
    for referral in referrals:
        title = f'<a href="{_e(referral.get_absolute_url())}">{_e(referral.case_number)}</a>'
        if referral.answered:
            title += f' <span class="badge status-badge status-submitted">{answered}</span>'
        groups = ", ".join(_e(group_labels[group]) for group in referral.target_groups)
        submitted_at = referral.submitted_at
        waited = _e(timesince(submitted_at, now)) if submitted_at else ""
        if referral.long_wait:
            waited += f' <span class="badge text-bg-warning">{long_wait}</span>'
        cells = [
            f'<td class="table-cards-title">{title}</td>',
            f'<td data-label="{organisation_label}">{_e(referral.organisation)}</td>',
            f'<td data-label="{target_groups_label}">{groups}</td>',
            f'<td data-label="{submitted_label}">{_e(minute(submitted_at))}</td>',
            f'<td class="table-cards-status{" wait-long" if referral.long_wait else ""}" '
            f'data-label="{waiting_label}">{waited}</td>',
        ]
        rows.append("    <tr>\n      " + "\n      ".join(cells) + "\n    </tr>\n")
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


@register.simple_tag
def todo_list(items: Iterable[dict[str, Any]]) -> SafeString:
    """The case worker's "Att göra": one card per kind of work, with its count, linked when any waits.

    The items are the view's (cases.views._todo_list): kind, count, label, url, active.
    """
    cards = []
    for item in items:
        count = _e(item["count"])
        label = f'<span class="todo-label">{_e(item["label"])}</span>'
        if item["count"]:
            current = ' aria-current="true"' if item["active"] else ""
            cards.append(
                f'<a class="todo-item{" active" if current else ""}" href="{_e(item["url"])}"{current}>'
                f'<span class="todo-count">{count}</span> {label}</a>'
            )
        else:
            # Nothing waits: said calmly, with nothing to follow.
            cards.append(
                f'<span class="todo-item todo-none"><span class="todo-count">0</span> {label}</span>'
            )
    heading = _e(gettext("To do"))
    lead = _e(gettext("In the cases where you are the case worker."))
    return mark_safe(  # noqa: S308 - every value above is escaped
        '<section class="todo" aria-labelledby="todo-heading">\n'
        f'  <h2 id="todo-heading" class="h4 mb-1">{heading}</h2>\n'
        f'  <p class="text-muted small mb-2">{lead}</p>\n'
        '  <ul class="todo-list list-unstyled row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-2 mb-0">\n'
        + "".join(f'    <li class="col">{card}</li>\n' for card in cards)
        + "  </ul>\n</section>\n"
    )
