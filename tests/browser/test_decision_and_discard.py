"""The coordinator's one-form decision with "Nästa i inkorgen", and a discarded draft, in Chromium."""

import re

from playwright.sync_api import expect

from cases.models import Referral, Status
from resursrad.models import AccessLog
from tests.factories import make_participant, make_referral, submitted_referral


def test_one_form_decision_then_next_in_the_inbox(
    page, live_server, login, case_worker, coordinator, screenshot
):
    first = submitted_referral(case_worker)
    second = submitted_referral(case_worker)
    login("eva@forbund.test")
    page.goto(f"{live_server.url}/cases/inbox/next/")
    # The one that has waited longest opens first.
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.case_number)

    # Declining without a reason: the message uses the field's label, the summary takes focus.
    page.get_by_label("Avböj").check()
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("Skriv varför ansökan avböjs.")
    expect(page).to_have_title(re.compile("^Fel: "))
    # The choice is kept.
    expect(page.get_by_label("Avböj")).to_be_checked()
    screenshot("decision-error")
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED

    # The keyboard alone chooses "accept" and saves.
    page.get_by_label("Acceptera").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_text("Ansökan är accepterad")).to_be_visible()
    screenshot("decision-done-next-in-inbox")

    page.get_by_role("link", name="Nästa i inkorgen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(second.case_number)
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED

    page.get_by_label("Avböj").check()
    page.get_by_label("Text till handläggaren").fill(
        "Målgruppen stämmer inte: personen har redan ett samordnat stöd."
    )
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_text("Ansökan är avböjd.")).to_be_visible()
    # Nothing else waits: there is no next one to offer.
    expect(page.get_by_role("link", name="Nästa i inkorgen")).to_have_count(0)
    page.goto(f"{live_server.url}/cases/inbox/next/")
    expect(page.get_by_text("Inkorgen är tom")).to_be_visible()


def test_the_creator_discards_a_draft_and_it_is_gone(page, live_server, login, case_worker, screenshot):
    participant = make_participant(first_name="Kasper", last_name="Kasserad")
    referral = make_referral(case_worker, participant=participant)
    login("karin@haninge.test")
    page.goto(f"{live_server.url}/cases/{referral.pk}/")
    page.locator("summary", has_text="Kassera utkastet").click()
    expect(page.get_by_text("kan inte återställas")).to_be_visible()
    screenshot("discard-draft")
    page.get_by_role("button", name="Kassera utkastet").click()
    expect(page.get_by_text("Utkastet är kasserat")).to_be_visible()
    expect(page.get_by_text("Kasserad")).to_have_count(0)

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.DISCARDED
    participant.refresh_from_db()
    assert participant.erased_at is not None
    assert "Kasper" not in (participant.first_name or "")

    # Opened again, it is a logged 404.
    response = page.goto(f"{live_server.url}/cases/{referral.pk}/")
    assert response.status == 404
    assert AccessLog.objects.filter(referral_id=referral.pk, user=case_worker, action="refused").exists()
