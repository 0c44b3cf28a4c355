"""Issue 11's "done when", in Chromium: the survey, a log review and a register extract.

A participant answers the survey by keyboard from the printed link and is
told that a second answer from the same link is not counted. A log reviewer
opens Loggkontroll from the menu, finds a read by an organisation that takes
no part in the case, is told to write a comment, then marks it reviewed. A
coordinator produces a register extract from the case page.
"""

import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from followup.models_survey import SurveyAnswer, SurveyLink
from resursrad.models import AccessAction, AccessLog
from tests.factories import UserFactory, make_council, submitted_referral
from tests.followup.rightofaccess_support import ACTIVITY, OWN_ACCOUNT, met_case


def test_a_participant_answers_the_survey_by_keyboard_once(page, live_server, coordinator, screenshot):
    council = make_council(coordinators=[coordinator])
    token = SurveyLink.issue(council, timezone.localdate())
    url = live_server.url + reverse("followup:survey_answer", args=[token])
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vad tyckte du om mötet?")
    # A group of radios is one tab stop: Space picks the focused answer, Tab goes to the next question.
    page.get_by_role("radio", name="Instämmer helt").first.focus()
    for _question in range(3):
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
    page.keyboard.type("Bra att alla var där.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Skicka mitt svar")).to_be_focused()
    screenshot("survey-answer")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack för ditt svar")
    answer = SurveyAnswer.objects.get()
    assert (answer.listened_to, answer.plan_forward, answer.right_people) == ("fully", "fully", "fully")
    assert answer.free_text == "Bra att alla var där."
    screenshot("survey-thanks")

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tack, ditt svar är redan registrerat")
    expect(page.get_by_text("en gång från varje länk")).to_be_visible()
    assert SurveyAnswer.objects.count() == 1
    screenshot("survey-already")


def test_a_log_reviewer_reviews_a_read_by_an_organisation_not_taking_part(
    page, live_server, login, case_worker, other_case_worker, screenshot
):
    referral = submitted_referral(case_worker)
    AccessLog.objects.create(
        user=other_case_worker,
        organisation_id=other_case_worker.organisation_id,
        referral_id=referral.pk,
        participant_id=referral.participant_id,
        case_number=referral.case_number,
        action=AccessAction.VIEW,
    )
    UserFactory(email="greta@forbund.test", first_name="Greta", last_name="Ståhl", is_log_reviewer=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    login("greta@forbund.test")
    page.get_by_role("navigation").get_by_role("link", name="Loggkontroll").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Loggkontroll")
    page.get_by_role("link", name="Läsningar av en organisation som inte deltar").click()
    row = page.locator("table tbody tr").filter(has_text=referral.case_number)
    expect(row).to_contain_text("Arbetsförmedlingen Haninge")
    screenshot("log-review-sample")
    row.get_by_role("link", name=re.compile("^Granska")).click()

    page.get_by_role("button", name="Spara granskningen").click()
    comment = page.get_by_label("Kommentar")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Skriv en kommentar om vad du har kontrollerat.").first).to_be_visible()
    screenshot("log-review-empty-comment")
    comment.fill("Läsningen saknade stöd i ärendet; frågan skickad till Arbetsförmedlingens chef.")
    page.get_by_role("button", name="Spara granskningen").click()
    expect(page.get_by_text("Granskningen har sparats.")).to_be_visible()
    row = page.locator("table tbody tr").filter(has_text=referral.case_number)
    expect(row).to_contain_text("Granskad")
    screenshot("log-review-done")


def test_a_coordinator_produces_a_register_extract_from_the_case_page(
    page, live_server, login, case_worker, coordinator, council_member, screenshot
):
    item = met_case(case_worker, coordinator, council_member)
    referral = item.referral
    page.set_viewport_size({"width": 1280, "height": 900})
    login(coordinator.email)
    page.goto(live_server.url + reverse("cases:detail", args=[referral.pk]))
    page.get_by_role("link", name="Registerutdrag").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Registerutdrag för ärende {referral.case_number}"
    )
    expect(page.get_by_text(OWN_ACCOUNT).first).to_be_visible()
    expect(page.get_by_role("rowheader", name=ACTIVITY)).to_be_visible()
    access = page.get_by_role("region", name="Vem som har läst ärendet")
    expect(access.get_by_role("cell", name="Registerutdrag framställt")).to_be_visible()
    expect(access.get_by_role("cell", name="Läst").first).to_be_visible()
    assert AccessLog.objects.filter(user=coordinator, action=AccessAction.RIGHT_OF_ACCESS).count() == 1
    screenshot("register-extract")
