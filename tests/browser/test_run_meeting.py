"""The coordinator runs a slot of the meeting in Chromium: own account first, then recommendation and plan."""

import re

from playwright.sync_api import expect

from cases.models import Referral, Status
from meetings.models import Record
from tests.meetings.run_support import slot


def test_coordinator_records_finalises_and_prints_the_summary(
    page, live_server, login, case_worker, coordinator, council_member, screenshot
):
    item = slot(case_worker, coordinator, council_member)
    login("eva@forbund.test")
    page.goto(f"{live_server.url}/meetings/{item.meeting_id}/run/")
    expect(page.get_by_role("row", name=re.compile(item.referral.case_number))).to_contain_text("09:00–09:45")
    screenshot("meeting-run")
    page.get_by_role("link", name=f"Öppna protokollet för {item.referral.case_number}").click()
    expect(
        page.get_by_role("heading", name=f"Protokoll för {item.referral.case_number}", level=1)
    ).to_be_visible()
    expect(page.get_by_text("Rekommendationen är inte ett beslut.").first).to_be_visible()

    # The recommendation cannot come before the own account: said beside the field, nothing lost.
    page.get_by_label("Ja, individen deltog").check()
    page.get_by_label("Gruppens rekommendation").fill(
        "Arbetsträning med stöd, och kontakt med vårdcentralen."
    )
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(
        page.get_by_text("Mötet börjar med individens egen berättelse. Skriv den först").first
    ).to_be_visible()
    expect(page.get_by_label("Gruppens rekommendation")).to_have_value(
        "Arbetsträning med stöd, och kontakt med vårdcentralen."
    )

    page.get_by_label("Individens egen berättelse").fill("Jag vill arbeta igen, men orkar inte heltid än.")
    page.get_by_label(f"{case_worker.get_full_name()} (Kommun) deltog", exact=True).check()
    page.get_by_label(f"{council_member.get_full_name()} (Region) deltog på distans", exact=True).check()
    page.get_by_label("Perspektiv från Region").fill("Vården utreder trötthet.")
    page.locator("#id_plan-0-activity").fill("Arbetsträning 25 %")
    page.locator("#id_plan-0-goal").fill("Pröva arbetsförmågan")
    page.locator("#id_plan-0-responsible_party").select_option("kommun")
    page.locator("#id_plan-0-responsible_note").fill("Handläggaren på kommunen")
    page.locator("#id_plan-0-due_on").fill("2099-03-01")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text("Protokollet är sparat som utkast.")).to_be_visible()
    expect(page.locator("#id_plan-0-activity")).to_have_value("Arbetsträning 25 %")
    # Taking part remotely is taking part.
    expect(page.get_by_label(f"{council_member.get_full_name()} (Region) deltog", exact=True)).to_be_checked()
    screenshot("meeting-record-draft")

    page.get_by_label("Planen följs upp vid ett senare möte").check()
    page.get_by_role("button", name="Spara och fastställ").click()
    expect(page.get_by_text("Protokollet är fastställt.")).to_be_visible()
    record = Record.objects.get(item=item)
    assert record.is_final
    assert Referral.objects.get(pk=item.referral_id).status == Status.HELD

    page.get_by_role("link", name="Sammanfattning för individen").click()
    expect(page.get_by_role("heading", name="Sammanfattning av ditt möte med resursrådet")).to_be_visible()
    expect(page.get_by_text("Jag vill arbeta igen, men orkar inte heltid än.")).to_be_visible()
    expect(page.get_by_text("Rekommendationen är inte ett beslut.")).to_be_visible()
    expect(page.get_by_role("cell", name="Arbetsträning 25 %")).to_be_visible()
    expect(page.get_by_text(case_worker.email)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    screenshot("meeting-summary-print")
