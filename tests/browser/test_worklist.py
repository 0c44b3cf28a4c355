""" "Mina ärenden" as the case worker's worklist, in Chromium."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import give_consent, make_participant, make_referral, submitted_referral


def one_case_of_each_kind(case_worker, coordinator):
    today = timezone.localdate()
    question = submitted_referral(case_worker)
    question.request_info(by=coordinator, question="Finns ett aktuellt läkarintyg?")
    draft = make_referral(
        case_worker, participant=make_participant(first_name="Bo", last_name="Ek", personal_number="")
    )
    consent = make_referral(
        case_worker, participant=make_participant(first_name="Cecilia", last_name="Lund", personal_number="")
    )
    give_consent(consent, case_worker, "kommun", valid_until=today + timedelta(days=12))
    consent.submit(by=case_worker)
    accepted = submitted_referral(
        case_worker, participant=make_participant(first_name="David", last_name="Berg", personal_number="")
    )
    accepted.accept(by=coordinator)
    submitted_referral(
        case_worker, participant=make_participant(first_name="Elin", last_name="Holm", personal_number="")
    )
    return {"question": question, "draft": draft, "consent": consent, "accepted": accepted}


def test_the_case_worker_sees_what_to_do_and_follows_a_link(
    page, live_server, login, case_worker, coordinator, screenshot
):
    cases = one_case_of_each_kind(case_worker, coordinator)
    page.set_viewport_size({"width": 1280, "height": 900})
    login("karin@haninge.test")
    page.get_by_role("link", name="Mina ärenden").first.click()

    todo = page.get_by_role("region", name="Att göra")
    expect(todo).to_be_visible()
    for name in [
        "1 fråga från samordnaren att besvara",
        "1 utkast att göra klart",
        "1 ärende där ett samtycke går ut inom 30 dagar",
        "1 accepterat ärende som väntar på möte",
    ]:
        expect(todo.get_by_role("link", name=name)).to_be_visible()
    # What needs action first: the question, then the draft, the consent, the accepted case.
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(5)
    for index, key in enumerate(["question", "draft", "consent", "accepted"]):
        expect(rows.nth(index)).to_contain_text(cases[key].case_number)
    # Their own organisation is not repeated in every row.
    expect(page.get_by_role("columnheader", name="Organisation")).to_have_count(0)
    screenshot("worklist")

    todo.get_by_role("link", name="1 ärende där ett samtycke går ut inom 30 dagar").click()
    expect(page).to_have_url(re.compile(r"/cases/\?todo=consent$"))
    expect(page.get_by_text("Visar: Samtycke går snart ut.")).to_be_visible()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(cases["consent"].case_number)
    expect(rows.first).to_contain_text("Samtycket går ut")
    expect(page.get_by_role("combobox", name="Att göra")).to_have_value("consent")
    expect(page.get_by_role("link", name=re.compile("ärende där ett samtycke"))).to_have_attribute(
        "aria-current", "true"
    )
    screenshot("worklist-filtered")


def test_filtering_keeps_the_search_text(page, live_server, login, case_worker, coordinator):
    cases = one_case_of_each_kind(case_worker, coordinator)
    login("karin@haninge.test")
    page.goto(f"{live_server.url}/cases/")
    page.get_by_label("Sök på ärendenummer, namn eller personnummer").fill("Ek")
    page.get_by_label("Status").select_option(label="Utkast")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.get_by_text("1 ansökan matchar din sökning.")).to_be_visible()
    expect(page.get_by_label("Sök på ärendenummer, namn eller personnummer")).to_have_value("Ek")
    expect(page.get_by_label("Status")).to_have_value("draft")
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody tr").first).to_contain_text(cases["draft"].case_number)
    # The name never goes into the address.
    assert "Ek" not in page.url
    # Clearing the search keeps the filter, now in the address.
    page.get_by_role("button", name="Rensa sökningen").click()
    expect(page).to_have_url(re.compile(r"/cases/\?status=draft$"))
    expect(page.get_by_label("Sök på ärendenummer, namn eller personnummer")).to_have_value("")
