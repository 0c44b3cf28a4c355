"""Issue 11's statistics in Chromium: a coordinator opens Statistik from the menu, changes the period,
reads a table with its chart, gets the Uppföljning Finsam file, and is told when the period is wrong."""

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_council
from tests.followup import stats_data as data


def test_a_coordinator_reads_the_statistics_and_downloads_the_finsam_file(
    page, live_server, login, coordinator, case_worker, screenshot
):
    today = timezone.localdate()
    council = make_council(coordinators=[coordinator])
    meeting = data.meeting(coordinator, today - timedelta(days=3), council=council)
    for sex in ["kvinna"] * 6 + ["man"] * 2 + ["ej_angivet"]:
        data.slot(
            coordinator, data.referral(case_worker, submitted=today - timedelta(days=40), sex=sex), meeting
        )

    login(coordinator.email)
    page.get_by_role("link", name="Statistik").click()
    expect(page.get_by_role("heading", name="Statistik", level=1)).to_be_visible()
    # The default period is this tertial and the two before it, by tertial.
    expect(page.get_by_label("Dela upp per")).to_have_value("tertial")

    page.get_by_label("Dela upp per").select_option(label="År")
    page.get_by_label("Från").fill(date(today.year, 1, 1).isoformat())
    page.get_by_label("Till").fill(today.isoformat())
    page.get_by_role("button", name="Visa perioden").click()
    expect(page.get_by_label("Dela upp per")).to_have_value("year")

    participants = page.locator('table[data-table="participants"]')
    expect(participants.locator("caption")).to_contain_text("Deltagare som deltog i ett rådsmöte")
    women = participants.locator('tr[data-row="kvinna"]')
    expect(women.locator("th")).to_have_text("Kvinnor")
    expect(women.locator("td").first).to_have_text("6")
    # Two men and one of sex not stated: under five, hidden.
    expect(participants.locator('tr[data-row="man"] td').first).to_have_text("<5")
    expect(participants.locator('tr[data-row="ej_angivet"] td').first).to_have_text("<5")
    chart = page.locator('svg[data-chart="chart-participants"]')
    expect(chart).to_be_visible()
    expect(chart.locator("title").first).to_contain_text("Kvinnor: 6")
    finsam = page.locator('table[data-table="finsam"]')
    expect(finsam.locator("tbody td").nth(1)).to_have_text("9")
    screenshot("statistics")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ner för Uppföljning Finsam (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"uppfoljning-finsam_{today.year}-01-01_{today.isoformat()}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:2] == ["Period från", "Period till"]
    # The file has the exact figures: 9 in total, 6 women, 2 men and 1 not stated.
    assert rows[1][2:] == ["Resursråd", "9", "6", "2", "1"]


def test_a_wrong_period_is_explained_beside_the_field_using_the_keyboard(
    page, live_server, login, steering_member, screenshot
):
    login(steering_member.email)
    page.goto(live_server.url + reverse("followup:statistics"))
    page.get_by_label("Från").fill("2026-05-01")
    page.get_by_label("Till").fill("2026-04-01")
    # The keyboard alone: from the last field, Tab past the council to the button, and Enter.
    page.get_by_label("Resursrådet", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Visa perioden")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Periodens slut får inte ligga före dess början.")).to_be_visible()
    expect(page.get_by_label("Från")).to_have_value("2026-05-01")
    expect(page.get_by_label("Till")).to_have_value("2026-04-01")
    expect(page.get_by_label("Till")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Rätta perioden ovan för att se statistiken.")).to_be_visible()
    screenshot("statistics-wrong-period")
