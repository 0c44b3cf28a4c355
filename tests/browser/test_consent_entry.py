"""Consent for several parties in one form, in Chromium, with the keyboard where it matters."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Consent, add_months
from tests.factories import make_referral


def test_consent_for_several_parties_in_one_step(page, live_server, login, case_worker, screenshot):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    today = timezone.localdate()
    login("karin@haninge.test")
    page.goto(f"{live_server.url}/cases/{referral.pk}/")
    page.get_by_role("link", name="Registrera samtycke").first.click()
    expect(page.get_by_role("heading", name="Registrera samtycke", level=1)).to_be_visible()

    # One row per party; a row's fields show once its box is ticked.
    kommun = page.get_by_role("group", name="Kommun", exact=True)
    af = page.get_by_role("group", name="Arbetsförmedlingen", exact=True)
    fk = page.get_by_role("group", name="Försäkringskassan", exact=True)
    for row in (kommun, af, fk):
        expect(row).to_be_visible()
        expect(row.get_by_label("Giltigt till")).to_be_hidden()
    screenshot("consent-rows")

    # The keyboard: Space ticks the box, Tab goes on into that party's fields.
    af.get_by_label("Registrera samtycke för Arbetsförmedlingen").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(af.get_by_label("Hälsa")).to_be_focused()
    page.keyboard.press("Space")
    expect(af.get_by_label("Hälsa")).to_be_checked()
    # Prefilled: today, the default validity, a signed form documented by the user.
    expect(af.get_by_label("Lämnat den")).to_have_value(today.isoformat())
    expect(af.get_by_label("Giltigt till")).to_have_value(add_months(today, 12).isoformat())
    expect(af.get_by_label("Undertecknad blankett")).to_be_checked()
    expect(af.get_by_label("Dokumenterat av")).to_have_value(case_worker.get_full_name())
    # A validity that ends before the consent was given.
    af.get_by_label("Giltigt till").fill((today - timedelta(days=1)).isoformat())
    af.get_by_label("Var blanketten förvaras").fill("AF-akt 77")

    kommun.get_by_label("Registrera samtycke för Kommun").check()
    kommun.get_by_label("Arbete och studier").check()
    kommun.get_by_label("Var blanketten förvaras").fill("Pappersakt, skåp 3")
    screenshot("consent-rows-filled")
    page.get_by_role("button", name="Registrera samtycke").click()

    # Told beside the field and in the summary, which takes focus; nothing typed is lost.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Arbetsförmedlingen – Giltigt till")
    expect(af.locator("#error_1_id_c-af-valid_until")).to_contain_text(
        "Samtycket kan inte upphöra före den dag det lämnades."
    )
    expect(af.get_by_label("Var blanketten förvaras")).to_have_value("AF-akt 77")
    expect(kommun.get_by_label("Var blanketten förvaras")).to_have_value("Pappersakt, skåp 3")
    expect(kommun.get_by_label("Arbete och studier")).to_be_checked()
    expect(fk.get_by_label("Giltigt till")).to_be_hidden()
    assert not Consent.objects.exists()
    screenshot("consent-rows-error")

    # The link in the summary leads to the field.
    summary.get_by_role("link", name="Arbetsförmedlingen – Giltigt till").click()
    expect(af.get_by_label("Giltigt till")).to_be_focused()
    af.get_by_label("Giltigt till").fill((today + timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Registrera samtycke").click()

    expect(page.get_by_text("Samtycke är registrerat för: Kommun, Arbetsförmedlingen.")).to_be_visible()
    expect(page.get_by_text("Förvaras: AF-akt 77")).to_be_visible()
    expect(
        page.get_by_text("Innan du kan skicka in behöver du registrera samtycke för: Försäkringskassan.")
    ).to_be_visible()
    screenshot("consent-registered")
    consents = {c.party: c for c in Consent.objects.all()}
    assert set(consents) == {"kommun", "af"}
    assert consents["af"].valid_until == today + timedelta(days=180)
    assert consents["kommun"].categories == ["work"]
    assert consents["kommun"].documented_by == case_worker.get_full_name()

    # Only the party still without consent is left on the form.
    page.get_by_role("link", name="Registrera samtycke").first.click()
    expect(page.get_by_role("group", name="Försäkringskassan", exact=True)).to_be_visible()
    expect(page.get_by_role("group", name="Kommun", exact=True)).to_have_count(0)
