"""The styrgrupp's rows and cells written in Python: the markup the templates wrote, escaped."""

import pytest
from django.template import engines
from django.utils.html import linebreaks

from deviations.stats import Quarter, QuarterStatus, Row
from deviations.templatetags.deviation_rows import (
    _paragraphs,
    count_cells,
    count_rows,
    decision_cards,
    deviation_rows,
    feedback_cards,
    quarter_headers,
    quarter_status_rows,
)

LABELS = {
    "status_label": "Status",
    "category_label": "Kategori",
    "parties_label": "Parter",
    "reported_label": "Rapporterad",
    "due_label": "Svar senast",
    "overdue_label": "Försenad",
    "fault_label": "Systemfel",
}


def row(**changes):
    cells = {
        "number": "AV-2026-0001",
        "url": "/avvikelser/1/",
        "status": "Inkommen",
        "category": "Information <saknas>",
        "parties": "Försäkringskassan, Region",
        "reported": "2026-01-10",
        "answer_due": "2026-03-11",
        "is_overdue": False,
        "is_system_fault": False,
    }
    return cells | changes


def test_count_cells_write_each_count_right_aligned():
    assert count_cells([0, 12, 1234]) == (
        '<td class="text-end">0</td><td class="text-end">12</td><td class="text-end">1234</td>'
    )


def test_deviation_rows_escape_the_cells_and_mark_overdue_and_system_fault():
    plain = deviation_rows([row()], **LABELS)
    assert "Information &lt;saknas&gt;" in plain
    assert "table-danger" not in plain
    assert "Systemfel" not in plain
    assert '<a class="text-nowrap" href="/avvikelser/1/">AV-2026-0001</a>' in plain

    marked = deviation_rows([row(is_overdue=True, is_system_fault=True)], **LABELS)
    assert '<tr class="table-danger" data-deviation="AV-2026-0001">' in marked
    assert '<span class="badge text-bg-danger" data-overdue>Försenad</span>' in marked
    assert '<span class="badge text-bg-warning">Systemfel</span>' in marked


def test_decision_cards_show_the_due_date_only_when_there_is_one():
    decision = {
        "number": "AV-2026-0002",
        "category": "Väntan",
        "parties": "Kommun",
        "responsible": "Kommun",
        "action_due": "",
        "decided": "2026-02-01",
        "decision": "En rutin <tas fram>.\n\nSen följs den upp.",
    }
    labels = {"responsible_label": "Ansvarig part", "due_label": "Senast", "decided_label": "Beslutad"}
    without = decision_cards([decision], **labels)
    assert "Senast" not in without
    assert "<p>En rutin &lt;tas fram&gt;.</p>\n\n<p>Sen följs den upp.</p>" in without
    with_due = decision_cards([decision | {"action_due": "2026-04-01"}], **labels)
    assert '. Senast: <span class="text-nowrap">2026-04-01</span>. Beslutad:' in with_due


def test_feedback_cards_escape_the_feedback():
    cards = feedback_cards([{"number": "AV-2026-0003", "day": "2026-02-02", "feedback": "Tack <b>"}])
    assert 'data-feedback="AV-2026-0003"' in cards
    assert "<p>Tack &lt;b&gt;</p>" in cards


@pytest.mark.parametrize(
    "text",
    ["En rad <b> & 'citat'", "", "Två\nrader", "Stycke ett.\n\nStycke två.", "Windows\r\nrad", "Gammal\rMac"],
)
def test_paragraphs_are_what_linebreaks_writes(text):
    assert _paragraphs(text) == linebreaks(text, autoescape=True)


def as_template(source, **context):
    """What the template language wrote for the same cells before these tags."""
    return engines["django"].from_string(source).render(context)


def test_the_trend_tables_rows_are_what_the_template_loops_wrote():
    quarters = [Quarter(2025, 4), Quarter(2026, 1)]
    rows = [
        Row("Information <saknas>", [3, 1234], key="information"),
        Row("Kommun ensam", [0, 2], key="kommun"),
    ]
    statuses = [QuarterStatus(quarters[0], 3, 2, 1, 1), QuarterStatus(quarters[1], 1236, 5, 0, 1000)]
    assert quarter_headers(quarters) == as_template(
        '{% for quarter in quarters %}<th scope="col" class="text-end">{{ quarter.label }}</th>{% endfor %}',
        quarters=quarters,
    )
    assert count_rows(rows) == as_template(
        '{% load deviation_rows %}{% for row in rows %}\n        <tr data-row="{{ row.key }}"><th scope="row">'
        '{{ row.label }}</th>{% count_cells row.counts %}<td class="text-end fw-semibold">{{ row.total }}</td>'
        "</tr>\n        {% endfor %}",
        rows=rows,
    )
    assert "Information &lt;saknas&gt;" in count_rows(rows)
    assert quarter_status_rows(statuses) == as_template(
        '{% for entry in statuses %}\n    <tr><th scope="row">{{ entry.quarter.label }}</th><td class="text-end">'
        '{{ entry.reported }}</td><td class="text-end">{{ entry.open }}</td><td class="text-end">{{ entry.overdue }}'
        '</td><td class="text-end">{{ entry.decided }}</td></tr>\n    {% endfor %}',
        statuses=statuses,
    )
