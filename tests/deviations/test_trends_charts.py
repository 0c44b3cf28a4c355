"""The bar charts as inline SVG (deviations/templatetags/deviation_charts.py), shared with the statistics page."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import localize

from deviations.stats import bar_chart
from deviations.templatetags.deviation_charts import _number, bar_chart_svg


def test_each_bar_says_its_value_or_the_text_given_for_it():
    plain = bar_chart_svg(bar_chart("Per kvartal", [("Q1 2026", 12), ("Q2 2026", 6)]), "chart-q")
    assert '<title id="chart-q-title">Per kvartal; Q1 2026: 12; Q2 2026: 6</title>' in plain
    assert '<rect x="0" y="22" width="85.0%" height="18" fill="#1f4e79"></rect>' in plain
    assert '<text x="42.5%" dx="6" y="82" font-size="14" font-weight="600" fill="#212529">6</text>' in plain
    masked = bar_chart_svg(bar_chart("Kön", [("Kvinnor", 0), ("Män", 9)], ["<5", "9"]), "chart-s")
    assert "<title>Kvinnor: &lt;5</title>" in masked
    assert 'width="0.0%"' in masked


def test_labels_are_escaped_and_an_empty_chart_says_so():
    html = bar_chart_svg(bar_chart("A <b>", [("x & y", 1)]), 'c"1')
    assert "A &lt;b&gt;" in html and "x &amp; y" in html and 'data-chart="c&quot;1"' in html
    with translation.override("sv"):
        empty = bar_chart_svg(bar_chart("Tomt", []), "chart-e")
    assert "<g>" not in empty and "Inget att visa." in empty


def test_the_partial_draws_the_same_chart_as_the_tag():
    chart = bar_chart("Per kategori", [("Bemötande", 4), ("Handläggning", 2)])
    html = render_to_string("deviations/trends/partials/bar_chart.html", {"chart": chart, "id": "chart-c"})
    assert html == bar_chart_svg(chart, "chart-c") + "\n"


@pytest.mark.parametrize("value", [0, 7, 1234, 1234567, -3, 12.5, 0.25])
def test_numbers_are_written_as_localize_writes_them_in_swedish(value):
    with translation.override("sv"):
        assert _number(value) == str(localize(value))
