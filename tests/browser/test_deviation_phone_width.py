"""The deviation pages at phone width (375 px): the styrgrupp's list and inbox and the
reporter's "Mina avvikelser" as cards without sideways scrolling, the trend page's
summary cards and charts readable, and the badges with AA contrast."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deviations.models import Deviation
from tests.browser.test_phone_width import (
    COLOURS,
    DESKTOP,
    PHONE,
    assert_fits_the_phone,
    assert_is_a_plain_table,
    contrast,
    open_page,
)
from tests.factories import report_deviation


@pytest.fixture
def deviations(coordinator, steering_member):  # type: ignore[no-untyped-def]
    """Three reports by the coordinator: one new, one taken and overdue, one a system fault."""
    fresh = report_deviation(coordinator, category="waiting", parties=["af", "fk"])
    late = report_deviation(coordinator, category="missing_insats", parties=["kommun"])
    late.take(by=steering_member)
    Deviation.objects.filter(pk=late.pk).update(
        reported_at=timezone.now() - timedelta(days=70),
        answer_due_on=timezone.localdate() - timedelta(days=10),
    )
    fault = report_deviation(coordinator, category="rules_conflict", parties=["fk", "kommun", "region"])
    fault.take(by=steering_member)
    fault.mark_system_fault(by=steering_member, is_fault=True, related=[])
    return {"fresh": fresh, "late": late, "fault": fault}


def test_the_styrgrupp_list_fits_a_phone(page, live_server, login, deviations, steering_member, screenshot):
    open_page(page, live_server, login, steering_member.email, reverse("deviations:all"), PHONE)
    assert_fits_the_phone(page, min_rows=3)
    expect(page.locator("[data-deviation] .table-cards-status").first).to_be_visible()
    screenshot("phone-375-deviation-list")


def test_the_styrgrupp_list_is_a_plain_table_at_desktop_width(
    page, live_server, login, deviations, steering_member, screenshot
):
    open_page(page, live_server, login, steering_member.email, reverse("deviations:all"), DESKTOP)
    assert_is_a_plain_table(page)
    screenshot("desktop-1280-deviation-list")


def test_the_list_badges_have_aa_contrast(page, live_server, login, deviations, steering_member):
    open_page(page, live_server, login, steering_member.email, reverse("deviations:all"), DESKTOP)
    badges = page.evaluate(COLOURS, ".badge")
    assert {badge["text"] for badge in badges} >= {"Försenad", "Systemfel"}
    for badge in badges:
        ratio = contrast(badge["color"], badge["background"])
        assert ratio >= 4.5, f"{badge['text']!r}: {ratio:.2f}:1"


def test_the_inbox_fits_a_phone(page, live_server, login, deviations, steering_member, screenshot):
    open_page(page, live_server, login, steering_member.email, reverse("deviations:inbox"), PHONE)
    # The inbox groups its rows under a heading per status, so a row's card has no status cell.
    assert_fits_the_phone(page, min_rows=3, has_status=False)
    expect(page.get_by_text("Försenad", exact=True).first).to_be_visible()
    screenshot("phone-375-deviation-inbox")


def test_my_deviations_fit_a_phone_with_each_status_in_view(
    page, live_server, login, deviations, coordinator, screenshot
):
    open_page(page, live_server, login, coordinator.email, reverse("deviations:mine"), PHONE)
    assert_fits_the_phone(page, min_rows=3)
    expect(page.locator(".table-cards-status")).to_have_text(["Mottagen", "Rapporterad", "Mottagen"])
    screenshot("phone-375-my-deviations")


def test_my_deviations_are_a_plain_table_at_desktop_width(page, live_server, login, deviations, coordinator):
    open_page(page, live_server, login, coordinator.email, reverse("deviations:mine"), DESKTOP)
    assert_is_a_plain_table(page)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_the_trend_page_fits_and_its_cards_and_charts_read_well(
    page, live_server, login, deviations, steering_member, screenshot, viewport
):
    late = deviations["late"]
    late.decide(
        by=steering_member,
        decision="En gemensam rutin tas fram.",
        responsible_party="kommun",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    open_page(page, live_server, login, steering_member.email, reverse("deviations:trends"), viewport)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The summary cards' big numbers never run into their text ("16,0 dagar i median ...").
    overlaps = page.evaluate(
        """() => Array.from(document.querySelectorAll('.todo-item')).map(card => {
            // The number's glyphs, which spill out of a box squeezed narrower than them.
            const range = document.createRange();
            range.selectNodeContents(card.querySelector('.todo-count'));
            const number = range.getBoundingClientRect();
            const text = card.querySelector('.todo-count + span').getBoundingClientRect();
            return [card.textContent.trim(), number.right <= text.left + 0.5];
        })"""
    )
    assert len(overlaps) == 4
    for text, apart in overlaps:
        assert apart, text
    # Every chart's labels are drawn at the same size as on the page, whatever the chart's width.
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('svg[data-chart]')).map(svg => {
            const label = svg.querySelector('text').getBoundingClientRect();
            return [svg.dataset.chart, Math.round(label.height)];
        })"""
    )
    assert [chart for chart, _ in sizes] == ["chart-quarters", "chart-categories", "chart-pairs"]
    heights = {height for _, height in sizes}
    assert len(heights) == 1 and 14 <= heights.pop() <= 22, sizes
    screenshot(f"deviation-trends-{viewport['width']}")


# Each number or date: its line boxes and height as laid out, then its line boxes with its cell squeezed
# to 2rem, narrower than the text itself (a value that may wrap breaks at its hyphens there).
ONE_LINE = """(selector) => Array.from(document.querySelectorAll(selector)).map(element => {
    const cell = element.closest('td');
    const natural = element.getClientRects().length;
    const height = element.getBoundingClientRect().height;
    const lineHeight = parseFloat(getComputedStyle(element).lineHeight);
    cell.style.width = cell.style.maxWidth = '2rem';
    const squeezed = element.getClientRects().length;
    cell.style.width = cell.style.maxWidth = '';
    return {text: element.textContent.trim(), natural, height, lineHeight, squeezed};
})"""


@pytest.mark.parametrize(
    "url_name",
    ["deviations:all", "deviations:inbox", "deviations:steering_report"],
    ids=["all", "inbox", "report"],
)
def test_deviation_numbers_and_dates_never_wrap_at_phone_width(
    page, live_server, login, deviations, steering_member, url_name
):
    open_page(page, live_server, login, steering_member.email, reverse(url_name), PHONE)
    numbers = page.evaluate(ONE_LINE, "table.table-cards .table-cards-title a")
    dates = page.evaluate(ONE_LINE, "table.table-cards td[data-label] > span:not(.badge)")
    assert {number["text"] for number in numbers} >= {d.number for d in deviations.values()}
    assert len(dates) >= 2 * len(deviations)
    for value in numbers + dates:
        # One line box, no taller than one line, even in a cell narrower than the value.
        assert value["natural"] == 1 and value["height"] <= value["lineHeight"], value
        assert value["squeezed"] == 1, value
