"""The referral flow as its users walk it, in Chromium."""

import re

from playwright.sync_api import expect

from cases.models import Referral, Status
from resursrad.models import AccessLog


def logout(page):
    page.context.clear_cookies()


def test_draft_consent_submit_question_answer_accept(
    page, live_server, login, case_worker, other_case_worker, coordinator, screenshot
):
    # The case worker creates a draft.
    login("karin@haninge.test")
    page.get_by_role("link", name="Ny ansökan").first.click()
    expect(page.get_by_role("heading", name="Ny ansökan", level=1)).to_be_visible()
    page.get_by_label("Förnamn").fill("Anna")
    page.get_by_label("Efternamn").fill("Andersson")
    page.get_by_label("Personnummer eller samordningsnummer").fill("850312-2388")
    page.get_by_label("Kvinna").check()
    page.get_by_label("Långtidssjukskriven").check()
    page.get_by_label("Planerade insatser leder inte framåt").check()
    page.get_by_label("Nuvarande situation").fill("Sjukskriven sedan tre år, vill tillbaka till arbete.")
    page.get_by_label("Fråga till resursrådet").fill("Vilket stöd behövs för att börja arbetsträna?")
    page.get_by_label("Arbetsförmedlingen").check()
    page.get_by_role("button", name="Spara utkast").click()
    # A mistyped number is explained beside the field, and nothing typed is lost.
    expect(page.locator("#error_1_id_p-personal_number")).to_contain_text("Kontrollsiffran stämmer inte")
    # The summary at the top takes focus and links to the field.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page).to_have_title(re.compile("^Fel: "))
    expect(page.get_by_label("Efternamn")).to_have_value("Andersson")
    screenshot("referral-form-error")
    page.get_by_label("Personnummer eller samordningsnummer").fill("850312-2387")
    page.get_by_role("button", name="Spara utkast").click()
    expect(page.get_by_text(re.compile(r"Utkastet RR-\d{4}-\d{4} är sparat"))).to_be_visible()
    referral = Referral.objects.get()
    assert referral.status == Status.DRAFT

    # Consent for both parties in one step, then submit.
    page.get_by_role("link", name="Registrera samtycke").first.click()
    for party in ["Kommun", "Arbetsförmedlingen"]:
        row = page.get_by_role("group", name=party, exact=True)
        row.get_by_label(f"Registrera samtycke för {party}").check()
        row.get_by_label("Hälsa").check()
        row.get_by_label("Arbete och studier").check()
        row.get_by_label("Var blanketten förvaras").fill("Pappersakt hos handläggaren")
    page.get_by_role("button", name="Registrera samtycke").click()
    expect(page.get_by_text("Samtycke är registrerat för: Kommun, Arbetsförmedlingen.")).to_be_visible()
    screenshot("referral-draft-with-consent")
    page.get_by_role("button", name="Skicka in till samordnaren").click()
    expect(page.get_by_text("Ansökan är inskickad till samordnaren.")).to_be_visible()

    # Another organisation's case worker gets 404.
    logout(page)
    login("omar@af.test")
    response = page.goto(f"{live_server.url}/cases/{referral.pk}/")
    assert response.status == 404

    # The coordinator sees it in the inbox and asks for more information.
    logout(page)
    login("eva@forbund.test")
    expect(page.get_by_role("heading", name="Planering", level=1)).to_be_visible()
    page.get_by_role("link", name="Samordning").click()
    expect(page.get_by_role("heading", name="Samordning", level=1)).to_be_visible()
    screenshot("coordinator-inbox")
    page.get_by_role("link", name=referral.case_number).click()
    screenshot("coordinator-decision")
    page.get_by_label("Begär komplettering").check()
    page.get_by_label("Text till handläggaren").fill("Finns ett aktuellt läkarintyg?")
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_text("Din fråga är skickad till handläggaren.")).to_be_visible()

    # The case worker answers and resubmits.
    logout(page)
    login("karin@haninge.test")
    page.get_by_role("link", name=referral.case_number).click()
    expect(page.get_by_text("Finns ett aktuellt läkarintyg?").first).to_be_visible()
    page.get_by_label("Ditt svar till samordnaren").fill("Ja, från mars, bifogas vid mötet.")
    page.get_by_role("button", name="Svara och skicka in igen").click()
    expect(page.get_by_text("Ditt svar är skickat")).to_be_visible()

    # The coordinator accepts.
    logout(page)
    login("eva@forbund.test")
    page.get_by_role("link", name="Samordning").click()
    page.get_by_role("link", name=referral.case_number).click()
    page.get_by_label("Acceptera").check()
    page.get_by_role("button", name="Spara beslutet").click()
    expect(page.get_by_text("Ansökan är accepterad")).to_be_visible()
    expect(page.get_by_role("heading", name="Historik")).to_be_visible()
    screenshot("referral-accepted")

    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    # Each read of the case page is in the access log, and the refused attempt as refused.
    reads = AccessLog.objects.filter(referral_id=referral.pk, action="view")
    assert reads.filter(user=coordinator).count() >= 2
    assert reads.filter(user=case_worker).exists()
    assert set(AccessLog.objects.filter(user=other_case_worker).values_list("action", flat=True)) == {
        "refused"
    }


def test_the_referral_form_works_with_the_keyboard_only(page, live_server, login, case_worker):
    login("karin@haninge.test")
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("Skyddade personuppgifter").focus()
    page.keyboard.press("Space")
    # Identifying fields are hidden for protected identity; the pseudonym shows.
    expect(page.get_by_label("Förnamn")).to_be_hidden()
    expect(page.get_by_label("Pseudonym")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Pseudonym")).to_be_focused()
