"""The styrgrupp's repeated rows and cells, written in Python.

The report lists up to 100 deviations, 100 decisions and 100 answers, and the
trend page a dozen quarters for every category and party pair: through the
template language each cell resolves its variables and localizes its number
anew, most of those pages' rendering. These tags write the same markup; the
labels are translated once, in the template that passes them.

    {% load deviation_rows %}
    {% deviation_rows rows status_label=... overdue_label=... %}
    {% count_cells row.counts %}
    {% count_rows trends.categories %}
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _e(value: Any) -> str:
    return html.escape(str(value))


def _paragraphs(text: str) -> str:
    """As Django's linebreaks(text, autoescape=True), without its lazy-string and regex work for a single line."""
    if "\n" in text or "\r" in text:
        return str(linebreaks(text, autoescape=True))
    return f"<p>{_e(text)}</p>"


@register.simple_tag
def count_cells(counts: Iterable[int]) -> SafeString:
    """A right-aligned <td> per count (whole numbers: written as they are, no separator)."""
    return mark_safe("".join(f'<td class="text-end">{int(count)}</td>' for count in counts))  # noqa: S308


@register.simple_tag
def quarter_headers(quarters: Iterable[Any]) -> SafeString:
    """A right-aligned column header per quarter (deviations.stats.Quarter), each label translated once."""
    return mark_safe(  # noqa: S308
        "".join(f'<th scope="col" class="text-end">{_e(quarter.label)}</th>' for quarter in quarters)
    )


@register.simple_tag
def count_rows(rows: Iterable[Any]) -> SafeString:
    """A <tr> per table row of deviations.stats.Row: its label, a count per quarter and the total."""
    return mark_safe(  # noqa: S308
        "".join(
            f'\n        <tr data-row="{_e(row.key)}"><th scope="row">{_e(row.label)}</th>'
            f"{count_cells(row.counts)}"
            f'<td class="text-end fw-semibold">{int(row.total)}</td></tr>\n        '
            for row in rows
        )
    )


@register.simple_tag
def quarter_status_rows(statuses: Iterable[Any]) -> SafeString:
    """A <tr> per quarter of deviations.stats.QuarterStatus: reported, open, overdue and decided."""
    return mark_safe(  # noqa: S308
        "".join(
            f'\n    <tr><th scope="row">{_e(entry.quarter.label)}</th>'
            + "".join(
                f'<td class="text-end">{int(count)}</td>'
                for count in (entry.reported, entry.open, entry.overdue, entry.decided)
            )
            + "</tr>\n    "
            for entry in statuses
        )
    )


@register.simple_tag
def deviation_rows(rows: Iterable[dict[str, Any]], **labels: str) -> SafeString:
    """A <tr> per row of deviations.views.trends._rows, as partials/rows.html wrote them."""
    status, category, parties, reported, due = (
        _e(labels[name])
        for name in ("status_label", "category_label", "parties_label", "reported_label", "due_label")
    )
    overdue = f' <span class="badge text-bg-danger" data-overdue>{_e(labels["overdue_label"])}</span>'
    fault = f' <span class="badge text-bg-warning">{_e(labels["fault_label"])}</span>'
    lines = []
    for row in rows:
        is_overdue = row["is_overdue"]
        danger = ' class="table-danger"' if is_overdue else ""
        lines.append(
            f'  <tr{danger} data-deviation="{_e(row["number"])}">\n'
            f'    <td class="table-cards-title"><a class="text-nowrap" href="{_e(row["url"])}">'
            f"{_e(row['number'])}</a></td>\n"
            f'    <td class="table-cards-status" data-label="{status}">{_e(row["status"])}'
            f"{overdue if is_overdue else ''}{fault if row['is_system_fault'] else ''}</td>\n"
            f'    <td data-label="{category}">{_e(row["category"])}</td>\n'
            f'    <td data-label="{parties}">{_e(row["parties"])}</td>\n'
            f'    <td data-label="{reported}"><span class="text-nowrap">{_e(row["reported"])}</span></td>\n'
            f'    <td data-label="{due}"><span class="text-nowrap">{_e(row["answer_due"])}</span></td>\n'
            "  </tr>\n"
        )
    return mark_safe("".join(lines))  # noqa: S308


@register.simple_tag
def decision_cards(rows: Iterable[dict[str, Any]], **labels: str) -> SafeString:
    """A card per decision of the report (deviations.views.trends._decision_rows)."""
    responsible, due, decided = (
        _e(labels[name]) for name in ("responsible_label", "due_label", "decided_label")
    )
    cards = []
    for row in rows:
        action_due = row["action_due"]
        due_text = f'. {due}: <span class="text-nowrap">{_e(action_due)}</span>' if action_due else ""
        cards.append(
            f'  <div class="card mb-2" data-decision="{_e(row["number"])}"><div class="card-body">\n'
            f'    <h3 class="h6"><span class="text-nowrap">{_e(row["number"])}</span>, {_e(row["category"])} '
            f"({_e(row['parties'])})</h3>\n"
            f'    <div class="text-break">{_paragraphs(row["decision"])}</div>\n'
            f'    <p class="small mb-0">{responsible}: {_e(row["responsible"])}{due_text}. {decided}: '
            f'<span class="text-nowrap">{_e(row["decided"])}</span></p>\n'
            "  </div></div>\n"
        )
    return mark_safe("".join(cards))  # noqa: S308


@register.simple_tag
def feedback_cards(rows: Iterable[dict[str, Any]]) -> SafeString:
    """A card per answer to a reporter in the report."""
    return mark_safe(  # noqa: S308
        "".join(
            f'  <div class="card mb-2" data-feedback="{_e(row["number"])}"><div class="card-body">\n'
            f'    <h3 class="h6"><span class="text-nowrap">{_e(row["number"])}</span>, '
            f'<span class="text-nowrap">{_e(row["day"])}</span></h3>\n'
            f'    <div class="text-break">{_paragraphs(row["feedback"])}</div>\n'
            "  </div></div>\n"
            for row in rows
        )
    )
