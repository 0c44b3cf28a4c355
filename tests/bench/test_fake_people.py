import random

import pytest
from django.core.exceptions import ValidationError

from bench import fake_people
from resursrad import personnummer


def test_the_check_digit_is_luhns():
    assert fake_people.check_digit("850312238") == "7"  # 19850312-2387
    assert fake_people.check_digit("121212121") == "2"  # 19121212-1212


def test_every_made_up_number_passes_validation_as_it_is():
    rng = random.Random(1)
    for _ in range(500):
        number = fake_people.personal_number(rng)
        parsed = personnummer.parse(f"{number[:8]}-{number[8:]}")
        assert parsed.digits == number
        assert not parsed.is_coordination_number
        assert 1960 <= parsed.birth_year <= 2004
        assert 980 <= int(number[8:11]) <= 999


def test_a_wrong_digit_is_refused_so_the_check_digit_matters():
    number = fake_people.personal_number(random.Random(2))
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as refused:
        personnummer.parse(wrong)
    assert refused.value.code == "checksum"
