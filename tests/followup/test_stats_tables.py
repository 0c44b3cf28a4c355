"""The statistics tables as the page writes them (followup/templatetags/stats_tables.py)."""

from deviations.stats import bar_chart
from followup.stats import Table, TableRow, additive_table, plan_share_of
from followup.stats_masking import Cell
from followup.templatetags.stats_tables import stats_table_html


def _table() -> Table:
    return additive_table(
        "sex",
        "Remisser <per> kön",
        "Kön",
        ["T1 2026", "T2 2026"],
        [("kvinna", "Kvinnor & flickor"), ("man", "Män")],
        {("kvinna", 0): 12, ("kvinna", 1): 3, ("man", 0): 20, ("man", 1): 9},
    )


def test_a_table_writes_each_count_as_shown_and_marks_the_hidden_ones():
    table = _table()
    html = stats_table_html(table, bar_chart("Diagram", *table.chart_items()))
    assert '<table class="table table-sm bg-white" data-table="sex">' in html
    assert "<caption>Remisser &lt;per&gt; kön</caption>" in html
    assert (
        '<th scope="col" class="text-end">T1 2026</th><th scope="col" class="text-end">T2 2026</th>' in html
    )
    # 3 is small; 12 beside it, and then the men's counts, would give it away, so they are hidden too.
    assert (
        '<tr data-row="kvinna"><th scope="row">Kvinnor &amp; flickor</th>'
        '<td class="text-end" data-hidden="derived">×</td><td class="text-end" data-hidden="small">&lt;5</td>'
        '<td class="text-end fw-semibold">15</td></tr>'
    ) in html
    assert (
        '<td class="text-end">32</td><td class="text-end">12</td><td class="text-end fw-semibold">44</td>'
        in html
    )
    assert '<tfoot><tr data-row="total"><th scope="row">' in html
    assert 'data-chart="chart-sex"' in html


def test_a_one_column_table_has_no_total_column_and_a_table_without_totals_no_footer():
    share = plan_share_of({"done": 7, "not_done": 6})
    html = stats_table_html(share.table, bar_chart("Plan", *share.table.chart_items()))
    assert html.count('class="text-end fw-semibold"') == 0
    assert "<tfoot>" in html
    bare = Table("meetings", "Möten", "Vad", ["T1"], [TableRow("Möten", "held", [Cell(8)], Cell(8))])
    html = stats_table_html(bare, bar_chart("Möten", *bare.chart_items()))
    assert "<tfoot>" not in html
    assert '<td class="text-end">8</td><td class="text-end fw-semibold">8</td>' in html
