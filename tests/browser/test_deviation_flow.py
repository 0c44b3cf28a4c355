"""Issue 10's "done when", in Chromium: a deviation from report to feedback and the trend page.

A coordinator reports a deviation and is refused while the text holds a
personnummer; the de-identified text is saved. A styrgrupp member takes it and
asks Försäkringskassan for a statement; its deviation contact answers; the
styrgrupp member decides and gives feedback; the reporter reads it; the trend
page counts it; a handläggare who did not report it gets 404.
"""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from deviations.models import Deviation
from deviations.workflow import Status
from tests.factories import OrganisationFactory, UserFactory

DESCRIPTION = "Läkarintyget skickades från vårdcentralen men nådde aldrig Försäkringskassans handläggare."


def test_a_deviation_goes_from_report_to_feedback_and_into_the_trends(
    page, live_server, login, coordinator, steering_member, case_worker, screenshot
):
    fk = OrganisationFactory(name="Försäkringskassan Södertörn", party="fk")
    UserFactory(email="kontakt@fk.test", organisation=fk, is_deviation_contact=True)

    # --- the coordinator reports, is refused for a personnummer, then succeeds ---
    login(coordinator.email)
    page.goto(live_server.url + reverse("deviations:report"))
    expect(page.get_by_role("heading", name="Rapportera avvikelse", level=1)).to_be_visible()
    what = page.get_by_role("textbox", name="Vad som hände")
    what.fill(f"{DESCRIPTION} Gäller 19850312-2387.")
    page.get_by_label("Information nådde inte den andra parten").check()
    page.get_by_label("Försäkringskassan", exact=True).check()
    page.get_by_label("Region", exact=True).check()
    page.get_by_role("button", name="Skicka rapporten").click()
    expect(page.get_by_text(re.compile("ser ut som ett personnummer")).first).to_be_visible()
    # What was typed is kept, so only the number needs removing.
    expect(what).to_have_value(re.compile("Läkarintyget skickades"))
    assert not Deviation.objects.exists()
    screenshot("deviation-refused")
    what.fill(DESCRIPTION)
    page.get_by_role("button", name="Skicka rapporten").click()
    deviation = Deviation.objects.get()
    expect(page).to_have_url(re.compile(reverse("deviations:detail", args=[deviation.pk]) + "$"))
    expect(page.get_by_text(deviation.number).first).to_be_visible()

    # --- the styrgrupp member takes it and asks Försäkringskassan ---
    page.context.clear_cookies()
    login(steering_member.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avvikelser att hantera")
    page.get_by_role("link", name=deviation.number).first.click()
    page.get_by_role("button", name="Ta som handläggare").click()
    expect(page.get_by_text("Du är nu avvikelsens handläggare.")).to_be_visible()
    page.locator("#step-request_statement summary").click()
    page.get_by_label("Organisationer att fråga").select_option(label="Försäkringskassan Södertörn")
    page.get_by_label("Vad organisationen tillfrågas om").fill("Hur tas intyg från regionen emot?")
    page.get_by_role("button", name="Begär yttrande").click()
    expect(page.get_by_text("Begäran om yttrande har skickats.")).to_be_visible()
    screenshot("deviation-statement-requested")

    # --- the party's deviation contact answers ---
    page.context.clear_cookies()
    login("kontakt@fk.test")
    page.goto(live_server.url + reverse("deviations:statements"))
    page.get_by_role("link", name=deviation.number).first.click()
    page.get_by_label("Din organisations yttrande").fill("Intyg registreras numera inom två arbetsdagar.")
    page.get_by_role("button", name="Skicka yttrandet").click()
    expect(page.get_by_text("Intyg registreras numera inom två arbetsdagar.").first).to_be_visible()

    # --- the styrgrupp member decides and gives feedback ---
    page.context.clear_cookies()
    login(steering_member.email)
    page.goto(live_server.url + reverse("deviations:detail", args=[deviation.pk]))
    page.get_by_label("Beslutad åtgärd").fill(
        "En gemensam rutin för intyg tas fram av Försäkringskassan och regionen."
    )
    page.get_by_label("Part som ansvarar för åtgärden").select_option("fk")
    page.get_by_label("Åtgärd senast").fill((timezone.localdate() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Besluta en åtgärd").click()
    expect(page.get_by_text("Åtgärden är beslutad.")).to_be_visible()
    page.get_by_label("Återkoppling till rapportören").fill("Tack! En rutin för intyg tas fram under våren.")
    page.get_by_role("button", name="Ge återkoppling till rapportören").click()
    deviation.refresh_from_db()
    assert deviation.status == Status.FEEDBACK_GIVEN
    screenshot("deviation-feedback-given")

    # --- the reporter reads the feedback ---
    page.context.clear_cookies()
    login(coordinator.email)
    page.goto(live_server.url + reverse("deviations:mine"))
    page.get_by_role("link", name=deviation.number).first.click()
    expect(page.get_by_role("heading", name="Återkoppling från styrgruppen")).to_be_visible()
    expect(page.get_by_text("En rutin för intyg tas fram under våren.")).to_be_visible()

    # --- the trend page counts it ---
    page.context.clear_cookies()
    login(steering_member.email)
    page.goto(live_server.url + reverse("deviations:trends"))
    row = page.locator("tr", has_text="Information nådde inte den andra parten").first
    expect(row).to_contain_text("1")
    screenshot("deviation-trends")

    # --- a handläggare who did not report it gets 404 ---
    page.context.clear_cookies()
    login(case_worker.email)
    response = page.goto(live_server.url + reverse("deviations:detail", args=[deviation.pk]))
    assert response is not None and response.status == 404
