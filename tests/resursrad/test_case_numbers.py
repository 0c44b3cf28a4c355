"""Case numbers as people type them."""

import pytest
from django.core.exceptions import ValidationError

from resursrad.case_numbers import format_case_number, normalise_case_number


@pytest.mark.parametrize(
    "typed",
    ["RR-2026-0042", "rr-2026-0042", " rr 2026 42 ", "RR20260042", "2026-42", "2026 – 0042", "Rr-2026-00042"],
)
def test_a_case_number_is_read_however_it_is_typed(typed):
    assert normalise_case_number(typed) == "RR-2026-0042"


@pytest.mark.parametrize(
    "typed", ["", "Anna", "RR-2026", "850312-2387", "20260042", "RR-26-42", "XX-2026-0042"]
)
def test_anything_else_is_explained(typed):
    with pytest.raises(ValidationError):
        normalise_case_number(typed)


def test_large_numbers_keep_every_digit():
    assert format_case_number(2026, 12345) == "RR-2026-12345"
    assert normalise_case_number("RR-2026-12345") == "RR-2026-12345"
