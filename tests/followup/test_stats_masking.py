"""Small counts hidden: 1–4 as "<5", and one more figure of any sum that would give a hidden one away."""

from datetime import date

import pytest

from followup import stats
from followup.stats import Granularity, Period
from followup.stats_masking import Cell, Sum, suppress


def texts(cells):
    return [cell.text for cell in cells]


def derivable(sums):
    """The sums where exactly one figure is hidden: it could be worked out by subtraction."""
    return [line for line in sums if sum(cell.is_hidden for cell in [*line.parts, line.total]) == 1]


@pytest.mark.parametrize("value,text", [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (120, "120")])
def test_a_count_from_one_to_four_is_shown_as_under_five(value, text):
    assert Cell(value).text == text


def test_one_hidden_part_hides_the_smallest_other_part():
    parts = [Cell(12), Cell(3), Cell(7), Cell(0)]
    total = Cell(22)
    suppress([Sum(parts, total)])
    assert texts(parts) == ["12", "<5", "×", "0"]
    assert total.text == "22"


def test_when_no_other_part_can_be_hidden_the_total_is():
    # Men: 2 in January, 5 in February. Hiding the 5 leaves February's column
    # with no other figure to hide: its total (5 men, 0 others) is hidden.
    january, february = Cell(2), Cell(5)
    women, unstated = Cell(0), Cell(0)
    february_total = Cell(5)
    suppress([Sum([january, february], Cell(7)), Sum([women, february, unstated], february_total)])
    assert texts([january, february, february_total]) == ["<5", "×", "×"]


def test_two_small_parts_need_nothing_more():
    parts = [Cell(2), Cell(3), Cell(10)]
    total = Cell(15)
    suppress([Sum(parts, total)])
    assert texts([*parts, total]) == ["<5", "<5", "10", "15"]


def test_rows_and_columns_are_protected_together():
    table = stats.additive_table(
        "t",
        "",
        "",
        ["A", "B", "C"],
        [("w", "Women"), ("m", "Men"), ("u", "Not stated")],
        {("w", 0): 6, ("m", 0): 2, ("m", 1): 5, ("u", 0): 1},
    )
    sums = [Sum(row.cells, row.total) for row in table.rows]
    sums += [Sum([row.cells[i] for row in table.rows], table.totals.cells[i]) for i in range(3)]
    sums += [
        Sum([row.total for row in table.rows], table.totals.total),
        Sum(table.totals.cells, table.totals.total),
    ]
    assert derivable(sums) == []
    men, unstated = table.rows[1], table.rows[2]
    assert texts(men.cells)[0] == "<5" and texts(unstated.cells)[0] == "<5"
    # The exact values stay behind what is shown.
    assert [cell.value for cell in men.cells] == [2, 5, 0]


def test_the_page_hides_small_counts_and_a_figure_that_would_give_one_away(client, coordinator, case_worker):
    from tests.followup import stats_data as data

    for _index in range(6):
        data.referral(case_worker, submitted=date(2026, 2, 3), sex="kvinna")
    data.referral(case_worker, submitted=date(2026, 2, 4), sex="man")
    client.force_login(coordinator)
    response = client.get(
        "/followup/statistics/",
        {"granularity": "year", "period_from": "2026-01-01", "period_to": "2026-12-31"},
    )
    html = response.content.decode()
    table = next(t for t in response.context["result"].referral_tables if t.key == "referrals_sex")
    assert texts(table.rows[0].cells) == ["×"]
    assert texts(table.rows[1].cells) == ["<5"]
    assert table.totals.total.text == "7"
    assert 'data-hidden="small">&lt;5</td>' in html
    assert 'data-hidden="derived">×</td>' in html
    # The chart draws no bar for a hidden count and writes what the table writes.
    assert "Män: &lt;5" in html


def test_the_finsam_figures_on_screen_are_masked_too(client, coordinator):
    rows = [stats.FinsamRow(date(2026, 1, 1), date(2026, 4, 30), "Resursråd", women=8, men=2, unstated=0)]
    (line,) = stats.finsam_on_screen(rows)
    assert texts(line.cells) == ["10", "×", "<5", "0"]


def test_a_median_over_fewer_than_five_cases_is_not_shown():
    assert not stats.Median(12.0, 4).is_shown
    assert stats.Median(12.0, 5).is_shown
    assert stats.Median(None, 0).cell.text == "0"


def test_period_default_and_masking_documented_on_the_page(client, steering_member):
    client.force_login(steering_member)
    html = client.get("/followup/statistics/").content.decode()
    assert "&lt;5" in html and "×" in html
    assert 'data-help="masking"' in html
    assert Period.default().granularity == Granularity.TERTIAL
