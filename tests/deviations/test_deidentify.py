"""The de-identification check: what a deviation's text may not hold."""

import pytest

from deviations import deidentify
from tests.factories import make_participant, make_referral

IDENTIFYING_NUMBERS = [
    "19850312-2387",
    "198503122387",
    "850312-2387",
    "8503122387",
    "850312+2387",
    "850312 2387",
    "19850372-2381",  # a samordningsnummer (day + 60)
    "850372-2381",
    "19850312–2387",  # an en dash, as word processors write it
    "850312-2388",  # a wrong check digit still points at someone
]


@pytest.mark.parametrize("number", IDENTIFYING_NUMBERS)
def test_personal_and_coordination_numbers_in_any_common_format_are_found(number):
    assert deidentify.problems(f"Personen ({number}) fick vänta.", set())


@pytest.mark.parametrize(
    "phone", ["070-123 45 67", "+46 70 123 45 67", "08-123 456 78", "0046701234567", "08 123 45 67"]
)
def test_phone_numbers_are_found(phone):
    assert deidentify.problems(f"Ring {phone} för mer.", set()) == [
        "Texten innehåller ett telefonnummer. Ta bort det."
    ]


def test_ten_digits_that_could_be_either_are_refused_as_a_personal_number():
    # 0701234567 is a mobile number and also reads as 070123-4567: refused either way.
    assert deidentify.problems("Ring 0701234567.", set())


def test_email_addresses_are_found():
    assert deidentify.problems("Skrev till anna.a@example.se om saken.", set())


@pytest.mark.parametrize(
    "text",
    [
        "Väntetiden var 2026-03-01 till 2026-05-30, alltså 90 dagar.",
        "Beslutet kom 01-02-2026 efter tre månader.",
        "Avvikelse AV-2026-0042 gällde samma sak, 120 dagar.",
        "Hans handläggare på Försäkringskassan fick inget intyg.",
        "",
    ],
)
def test_ordinary_text_dates_and_deviation_numbers_pass(text):
    assert deidentify.problems(text, set()) == []


@pytest.mark.parametrize("number", ["RR-2026-0042", "rr 2026 42", "RR2026-0042", "RR-2026–0042"])
def test_case_numbers_are_found_they_lead_to_the_individual(number):
    assert deidentify.problems(f"Ärendet {number} väntade i 120 dagar.", set()) == [
        "Texten innehåller ett ärendenummer. Beskriv vad som hände utan det."
    ]


def test_a_participants_name_in_the_reporters_cases_is_found(case_worker):
    make_referral(case_worker, participant=make_participant(first_name="Sirkka", last_name="Lindqvist"))
    found = deidentify.check_texts(
        case_worker, {"description": "Sirkka Lindqvist fick inget svar.", "suggestion": ""}
    )
    assert list(found) == ["description"]
    assert "Lindqvist" in found["description"][0] and "Sirkka" in found["description"][0]


def test_a_name_is_matched_as_a_word_with_its_capital(case_worker):
    make_referral(case_worker, participant=make_participant(first_name="Hans", last_name="Berg"))
    assert (
        deidentify.check_texts(case_worker, {"description": "hans ärende låg still, som ett berg av papper."})
        == {}
    )
    assert deidentify.check_texts(case_worker, {"description": "Berg fick vänta."})


def test_names_in_other_organisations_cases_are_not_looked_up(case_worker, other_case_worker):
    make_referral(other_case_worker, participant=make_participant(first_name="Sirkka", last_name="Lindqvist"))
    assert deidentify.check_texts(case_worker, {"description": "Lindqvist fick vänta."}) == {}


def test_the_name_check_is_one_query_whatever_the_number_of_cases(case_worker, django_assert_num_queries):
    for n in range(5):
        make_referral(case_worker, participant=make_participant(last_name=f"Efternamn{n}"))
    with django_assert_num_queries(1):
        deidentify.check_texts(
            case_worker, {"description": "Ett Ord Med Versaler", "consequence": "Mer Text"}
        )


def test_a_pseudonym_of_two_words_is_found(case_worker):
    make_referral(
        case_worker,
        participant=make_participant(
            first_name="", last_name="", personal_number="", protected_identity=True, pseudonym="Blå Fjäril"
        ),
    )
    assert deidentify.check_texts(case_worker, {"description": "Det gäller Blå Fjäril igen."})
