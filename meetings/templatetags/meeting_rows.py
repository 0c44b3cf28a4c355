"""The planning page's, the agenda's and the meeting view's rows, written in Python.

A backlog row through the template language is a form with a dozen nodes, two
includes, a link resolved anew and every label translated anew: at a page of rows
and thirty coming meetings most of the page's time, growing with the backlog.
These tags write the same markup (ids, labels, hidden texts for screen
readers) with each label translated and each address resolved once per page,
as cases' ``case_rows`` does for the referral list.

    {% load meeting_rows %}
    {% coming_meeting_rows meetings %}
    {% backlog_rows rows options=meeting_options has_meetings=meetings now=now %}
    {% agenda_slots slots can_change=can.change options=move_options %}
    {% run_slots slots %}

A row whose form came back with an error is rendered through the
meeting_select partials, as before: that is one row on an error page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from typing import Any

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext

from resursrad.models import Party
from resursrad.templatetags.presentation import day_in

register = template.Library()

# A number no object has, replaced by "{pk}" in a resolved address.
_MARKER = 987654321


def _e(value: Any) -> str:
    return html.escape(str(value))


def _path(name: str) -> Callable[[int], str]:
    """The address of ``name`` for any id, resolved once (per page) instead of once a row."""
    pattern = reverse(name, args=[_MARKER]).replace(str(_MARKER), "{pk}")
    return lambda pk: _e(pattern.format(pk=pk))


def _csrf_input(context: template.Context) -> str:
    """What {% csrf_token %} writes, once for all the page's forms."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'


def _hh_mm(value: datetime | time) -> str:
    """The time filter's "H:i": a slot's time in local time, a meeting's start and end as they are."""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%H:%M")


def _long_date(value: date, weekdays: dict[int, str], months: dict[int, str]) -> str:
    """The date filter's "l j F Y" (tisdag 8 december 2026) with the names translated once per page."""
    return f"{weekdays[value.weekday()]} {value.day} {months[value.month]} {value.year}"


def _party_labels(codes: Iterable[str], cache: dict[str, str]) -> str:
    """Referral.requested_party_labels joined with ", ", each party's label looked up once per page."""
    for code in codes:
        if code not in cache:
            cache[code] = _e(Party(code).label)
    return ", ".join(cache[code] for code in codes)


def _labels(*texts: str) -> list[str]:
    return [_e(gettext(text)) for text in texts]


def _displays(get_display: Callable[[], str], cache: dict[str, str], value: str) -> str:
    if value not in cache:
        cache[value] = _e(get_display())
    return cache[value]


def _select_with_error(
    field_id: str, label: str, options: Sequence[dict[str, Any]], form: Any
) -> tuple[str, str]:
    """A row whose form came back with an error: the select and its message through the partials."""
    select = get_template("meetings/plan/partials/meeting_select.html").render(
        {"field_id": field_id, "label": label, "options": options, "form": form}
    )
    error = get_template("meetings/plan/partials/meeting_select_error.html").render(
        {"field_id": field_id, "form": form}
    )
    return select, error


def _options(options: Sequence[dict[str, Any]]) -> str:
    """meeting_options.html with nothing chosen: written once per page, the same in every row."""
    return "".join(
        f'<option value="{_e(option["value"])}"{" disabled" if option["full"] else ""}>{_e(option["label"])}</option>'
        for option in options
    )


def _select(field_id: str, label: str, options_html: str) -> str:
    """meeting_select.html for a row without input, with the page's options."""
    return (
        f'\n<label class="visually-hidden" for="{_e(field_id)}">{_e(label)}</label>\n'
        f'<select name="meeting" id="{_e(field_id)}" class="form-select form-select-sm">\n'
        f"  {options_html}\n</select>\n\n"
    )


@register.simple_tag
def coming_meeting_rows(rows: Iterable[dict[str, Any]]) -> SafeString:
    """One <tr> per coming meeting: date (linked to its agenda), time, council, place, cases, status."""
    time_label, council_label, place_label, cases_label, status_label = _labels(
        "Time", "Council", "Place", "Cases", "Status"
    )
    full = f' <span class="badge text-bg-secondary">{_e(gettext("Full"))}</span>'
    overruns = f' <span class="badge text-bg-warning">{_e(gettext("Runs past the end"))}</span>'
    agenda = _path("meetings:agenda")
    weekdays = {number: str(name) for number, name in WEEKDAYS.items()}
    months = {number: str(name) for number, name in MONTHS.items()}
    statuses: dict[str, str] = {}
    out = []
    for row in rows:
        meeting = row["meeting"]
        cases = f"{meeting.planned_count}{full if row['full'] else ''}{overruns if row['overruns'] else ''}"
        status = _displays(meeting.get_status_display, statuses, meeting.status)
        out.append(
            "    <tr>\n"
            f'      <td class="table-cards-title"><a href="{agenda(meeting.pk)}">'
            f"{_e(_long_date(meeting.date, weekdays, months))}</a></td>\n"
            f'      <td data-label="{time_label}">{_hh_mm(meeting.starts_at)}–{_hh_mm(meeting.ends_at)}</td>\n'
            f'      <td data-label="{council_label}">{_e(meeting.council.name)}</td>\n'
            f'      <td data-label="{place_label}">{_e(meeting.place)}</td>\n'
            f'      <td data-label="{cases_label}">{cases}</td>\n'
            f'      <td data-label="{status_label}">{status}</td>\n'
            "    </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def backlog_rows(
    context: template.Context,
    rows: Iterable[dict[str, Any]],
    *,
    options: Sequence[dict[str, Any]],
    has_meetings: Any,
    now: datetime,
) -> SafeString:
    """One <tr> per case waiting for a meeting: case number (linked), purpose, waiting since,
    parties, and the small form that places the case on a chosen meeting's agenda."""
    purpose_label, waiting_label, parties_label, place_label = _labels(
        "Purpose", "Waiting since", "Parties", "Place on an agenda"
    )
    follow_up, first_meeting, place_button = _labels("Follow-up", "First meeting", "Place the case")
    no_meeting = _e(gettext("No coming meeting"))
    select_label = gettext("Meeting for %(case)s")
    csrf = _csrf_input(context)
    case_page = _path("cases:detail")
    place = _path("meetings:place_case")
    zone = timezone.get_current_timezone()
    options_html = _options(options)
    parties: dict[str, str] = {}
    out = []
    for row in rows:
        referral = row["referral"]
        case = _e(referral.case_number)
        since = referral.backlog_since
        waited = _e(timesince(since, now)) if since else ""
        if has_meetings:
            label = select_label % {"case": referral.case_number}
            if row["form"] is not None:
                select, error = _select_with_error(row["field_id"], label, options, row["form"])
            else:
                select, error = _select(row["field_id"], label, options_html), ""
            cell = (
                f'\n        \n        <form method="post" action="{place(referral.pk)}" '
                'class="d-flex flex-wrap gap-2 align-items-start">\n'
                f"          {csrf}\n"
                f"          <div>{select}</div>\n"
                f'          <button type="submit" class="btn btn-primary btn-sm">{place_button}'
                f'<span class="visually-hidden"> {case}</span></button>\n'
                "        </form>\n"
                f"        {error}\n        \n      "
            )
        else:
            cell = f'\n        <span class="text-muted">{no_meeting}</span>\n      '
        out.append(
            "    <tr>\n"
            f'      <td class="table-cards-title"><a href="{case_page(referral.pk)}">{case}</a></td>\n'
            f'      <td data-label="{purpose_label}">{follow_up if row["follow_up"] else first_meeting}</td>\n'
            f'      <td data-label="{waiting_label}">{_e(day_in(since, zone))} '
            f'<span class="text-muted small">({waited})</span></td>\n'
            f'      <td data-label="{parties_label}">{_party_labels(referral.requested_parties, parties)}</td>\n'
            f'      <td data-label="{place_label}">{cell}</td>\n'
            "    </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag(takes_context=True)
def agenda_slots(
    context: template.Context,
    slots: Iterable[dict[str, Any]],
    *,
    can_change: bool,
    options: Sequence[dict[str, Any]],
) -> SafeString:
    """One card per slot of the agenda: time and case number, purpose, parties, participation,
    interpreter, case worker and representatives; for an open meeting the forms that move the
    slot up or down, change it, take it off, or move it to another meeting."""
    labels = _labels(
        "Purpose",
        "Parties",
        "The individual takes part",
        "Interpreter",
        "Attending case worker",
        "Invited representatives",
    )
    not_needed, not_chosen, none_yet = _labels("Not needed", "Not chosen yet", "None yet")
    move_up, move_down, change, take_off, move_there = _labels(
        "Move up", "Move down", "Change the slot", "Take off the agenda", "Move to that meeting"
    )
    move_label = gettext("Move %(case)s to another meeting")
    can_move = len(options) > 1
    options_html = _options(options)
    parties: dict[str, str] = {}
    csrf = _csrf_input(context)
    slot_move, slot_edit = _path("meetings:slot_move"), _path("meetings:slot_edit")
    slot_take_off, slot_move_to = _path("meetings:slot_take_off"), _path("meetings:slot_move_to")
    purposes: dict[str, str] = {}
    participations: dict[str, str] = {}
    out = []
    for slot in slots:
        item = slot["item"]
        referral = item.referral
        case = _e(referral.case_number)
        hidden_case = f'<span class="visually-hidden"> {case}</span>'
        case_worker = _e(item.case_worker.get_full_name()) if item.case_worker else not_chosen
        representatives = ", ".join(f"{_e(name)} ({_e(party)})" for name, party in slot["representatives"])
        values = [
            _displays(item.get_purpose_display, purposes, item.purpose),
            _party_labels(referral.requested_parties, parties),
            _displays(item.get_participation_display, participations, item.participation),
            _e(item.interpreter_language) if item.interpreter_language else not_needed,
            case_worker,
            representatives or none_yet,
        ]
        details = "".join(
            f'        <dt class="col-sm-4">{label}</dt><dd class="col-sm-8">{value}</dd>\n'
            for label, value in zip(labels, values, strict=True)
        )
        out.append(
            f'  <li class="card mb-3" id="slot-{item.pk}" data-slot>\n'
            '    <div class="card-body">\n'
            f'      <h3 class="h5 card-title"><span data-slot-time>{_hh_mm(slot["start"])}–{_hh_mm(slot["end"])}'
            f"</span> · <span data-case-number>{case}</span></h3>\n"
            f'      <dl class="row mb-2 small">\n{details}      </dl>\n'
        )
        if can_change:
            moves = []
            for show, direction, text in (
                (not slot["first"], "up", move_up),
                (not slot["last"], "down", move_down),
            ):
                if show:
                    moves.append(
                        f'        <form method="post" action="{slot_move(item.pk)}">{csrf}\n'
                        f'          <input type="hidden" name="direction" value="{direction}">'
                        f'<input type="hidden" name="position" value="{_e(item.position)}">\n'
                        f'          <button type="submit" class="btn btn-outline-secondary btn-sm">{text}{hidden_case}'
                        "</button>\n        </form>\n"
                    )
            out.append(
                '      <div class="d-flex flex-wrap gap-2 align-items-start">\n'
                f"{''.join(moves)}"
                f'        <a class="btn btn-outline-primary btn-sm" href="{slot_edit(item.pk)}">{change}{hidden_case}</a>\n'
                f'        <form method="post" action="{slot_take_off(item.pk)}">{csrf}\n'
                f'          <button type="submit" class="btn btn-outline-danger btn-sm">{take_off}{hidden_case}'
                "</button>\n        </form>\n      </div>\n"
            )
            if can_move:
                label = move_label % {"case": referral.case_number}
                if slot["move_form"] is not None:
                    select, error = _select_with_error(slot["field_id"], label, options, slot["move_form"])
                else:
                    select, error = _select(slot["field_id"], label, options_html), ""
                out.append(
                    f'      <form method="post" action="{slot_move_to(item.pk)}" '
                    f'class="d-flex flex-wrap gap-2 align-items-start mt-2">{csrf}\n'
                    f"        <div>{select}</div>\n"
                    f'        <button type="submit" class="btn btn-outline-primary btn-sm">{move_there}{hidden_case}'
                    "</button>\n      </form>\n"
                    f"      {error}\n"
                )
        out.append("    </div>\n  </li>\n")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped


@register.simple_tag
def run_slots(slots: Iterable[dict[str, Any]]) -> SafeString:
    """One <tr> per slot of the meeting view: time, case, individual, purpose, the record's state,
    and links to the record and to reporting a deviation seen at the slot."""
    read = gettext('Read the record<span class="visually-hidden"> for %(case)s</span>')
    edit = gettext('Open the record<span class="visually-hidden"> for %(case)s</span>')
    report = gettext('Report a deviation<span class="visually-hidden"> seen at the slot for %(case)s</span>')
    record_view, record_edit = _path("meetings:record_view"), _path("meetings:record")
    report_path = _e(reverse("deviations:report"))
    purposes: dict[str, str] = {}
    out = []
    for slot in slots:
        item, record = slot["item"], slot["record"]
        case = _e(item.referral.case_number)
        if record.is_final:
            badge = "text-bg-success"
            link = f'<a href="{record_view(item.pk)}">{read % {"case": case}}</a>'
        else:
            badge = "text-bg-warning" if record.pk else "text-bg-light border"
            link = (
                f'<a class="btn btn-sm btn-primary" href="{record_edit(item.pk)}">{edit % {"case": case}}</a>'
            )
        out.append(
            "    <tr>\n"
            f"      <td>{_hh_mm(slot['start'])}–{_hh_mm(slot['end'])}</td>\n"
            f'      <th scope="row">{case}</th>\n'
            f"      <td>{_e(item.referral.participant.display_name)}</td>\n"
            f"      <td>{_displays(item.get_purpose_display, purposes, item.purpose)}</td>\n"
            f'      <td><span class="badge record-status {badge}">{_e(record.status_label)}</span></td>\n'
            "      <td>\n"
            f"        {link}\n"
            f'        <a class="btn btn-sm btn-link" href="{report_path}?slot={item.pk}">{report % {"case": case}}</a>\n'
            "      </td>\n"
            "    </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped; the texts are the catalogue's
