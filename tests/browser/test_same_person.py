"""The same-person question before a draft is saved, in Chromium."""

import re

from playwright.sync_api import expect

from cases.models import Referral
from tests.factories import make_referral, submitted_referral


def fill_referral(page):
    page.get_by_label("Förnamn").fill("Anna")
    page.get_by_label("Efternamn").fill("Andersson")
    page.get_by_label("Personnummer eller samordningsnummer").fill("850312-2387")
    page.get_by_label("Kvinna").check()
    page.get_by_label("Långtidssjukskriven").check()
    page.get_by_label("Planerade insatser leder inte framåt").check()
    page.get_by_label("Nuvarande situation").fill("Sjukskriven sedan tre år, vill tillbaka till arbete.")
    page.get_by_label("Fråga till resursrådet").fill("Vilket stöd behövs för att börja arbetsträna?")
    page.get_by_label("Arbetsförmedlingen").check()


def test_the_open_case_is_named_and_the_draft_saved_on_continue(
    page, live_server, login, case_worker, screenshot
):
    first = submitted_referral(case_worker)
    login("karin@haninge.test")
    page.get_by_role("link", name="Ny ansökan").first.click()
    fill_referral(page)
    page.get_by_role("button", name="Spara utkast").click()

    # Nothing is saved yet: the question comes first, and takes focus.
    question = page.locator("[data-confirm-step]")
    expect(question).to_be_focused()
    expect(question.get_by_role("heading", name="Gäller det samma person?")).to_be_visible()
    link = question.get_by_role("link", name=re.compile(first.case_number))
    expect(link).to_have_attribute("href", f"/cases/{first.pk}/")
    expect(question).to_contain_text("inskickad")
    expect(question).not_to_contain_text("19850312")
    assert Referral.objects.count() == 1
    assert "850312" not in page.url
    screenshot("same-person-question")

    # The case opens in a new tab; the form here keeps what was typed.
    with page.context.expect_page() as new_tab:
        link.click()
    opened = new_tab.value
    expect(opened.get_by_role("heading", name=first.case_number)).to_be_visible()
    opened.close()
    expect(page.get_by_label("Nuvarande situation")).to_have_value(
        "Sjukskriven sedan tre år, vill tillbaka till arbete."
    )

    # Continue, by keyboard, saves the draft exactly as typed.
    question.get_by_role("button", name="Fortsätt och spara utkastet").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"Utkastet RR-\d{4}-\d{4} är sparat"))).to_be_visible()
    screenshot("same-person-continued")
    second = Referral.objects.exclude(pk=first.pk).select_related("participant").get()
    assert second.participant.personal_number == "198503122387"
    assert second.requested_parties == ["kommun", "af"]
    assert second.question_to_council == "Vilket stöd behövs för att börja arbetsträna?"


def test_stop_leaves_without_saving(page, live_server, login, case_worker):
    make_referral(case_worker)
    login("karin@haninge.test")
    page.goto(f"{live_server.url}/cases/new/")
    fill_referral(page)
    page.get_by_role("button", name="Spara utkast").click()
    page.locator("[data-confirm-step]").get_by_role("button", name="Avbryt").click()
    expect(page.get_by_role("heading", name="Mina ärenden", level=1)).to_be_visible()
    expect(page.get_by_text("Ingen ny ansökan sparades.")).to_be_visible()
    assert Referral.objects.count() == 1
