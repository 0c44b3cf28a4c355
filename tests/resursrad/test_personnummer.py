from datetime import date

import pytest
from django.core.exceptions import ValidationError

from resursrad import personnummer

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    "value",
    ["19850312-2387", "198503122387", "850312-2387", "8503122387", " 19850312 2387 "],
)
def test_valid_numbers_are_normalised_to_12_digits(value):
    number = personnummer.parse(value, today=TODAY)
    assert number.digits == "198503122387"
    assert number.birth_date == date(1985, 3, 12)
    assert not number.is_coordination_number


def test_coordination_number_has_day_plus_60():
    number = personnummer.parse("19850372-2384", today=TODAY)
    assert number.is_coordination_number
    assert number.birth_date == date(1985, 3, 12)


def test_plus_sign_means_a_hundred_years_older():
    number = personnummer.parse("121212+1212", today=TODAY)
    assert number.digits == "191212121212"
    assert personnummer.parse("121212-1212", today=TODAY).digits == "201212121212"


@pytest.mark.parametrize(
    "value,code",
    [
        ("19850312-2388", "checksum"),
        ("19850230-1234", "date"),
        ("20991212-1212", "future"),
        ("1985031", "format"),
        ("abc", "format"),
        ("19850312+2387", "format"),
        ("18991231-1234", "date"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as error:
        personnummer.parse(value, today=TODAY)
    assert error.value.code == code


def test_mask_hides_the_last_four_digits():
    assert personnummer.mask("198503122387") == "19850312-****"
    assert personnummer.mask("") == ""


@pytest.mark.parametrize(
    "text",
    [
        "Pärm hos 19850312-2387",
        "850312-2387",
        "akt 8503122387, hylla 3",
        "19850312 2387",
        "850312-2388",  # a wrong check digit is still somebody's number
        "Treserva 19850372-2384",  # a co-ordination number
    ],
)
def test_a_personal_identity_number_is_found_in_free_text(text):
    assert personnummer.appears_in(text, today=TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Treserva, akt 2026-0412",
        "Dnr KS 2026/1234",
        "Pappersakt, arkivskåp 3",
        "20991212-1212",  # no real date of birth in the past
        "19850230-1234",  # no real date at all
        "123456789012345",  # a longer number, not a personal identity number
    ],
)
def test_other_references_are_not_taken_for_a_personal_identity_number(text):
    assert not personnummer.appears_in(text, today=TODAY)
