"""Fictitious people for the load test: names, and personal identity numbers that pass validation.

No Django here: the locustfile imports it too. The numbers have a real date of
birth and a correct check digit (resursrad.personnummer accepts them); their
birth numbers are taken from 980-999 only, a narrow range, and every name is
drawn from short lists of common names, so the data is plainly made up.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

FIRST_NAMES = [
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Emma",
    "Lena",
    "Elin",
    "Fatima",
    "Amina",
    "Erik",
    "Lars",
    "Karl",
    "Johan",
    "Anders",
    "Per",
    "Mikael",
    "Ali",
    "Mohammed",
    "Oskar",
]

LAST_NAMES = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Lindberg",
    "Lindqvist",
    "Berglund",
    "Haddad",
    "Yilmaz",
]


def check_digit(nine_digits: str) -> str:
    """The Luhn check digit of YYMMDD plus the three-digit birth number."""
    total = 0
    for index, char in enumerate(nine_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def personal_number(rng: random.Random, *, born_from: int = 1960, born_until: int = 2004) -> str:
    """Twelve digits, YYYYMMDDNNNC, with a birth number in 980-999."""
    first = date(born_from, 1, 1)
    days = (date(born_until, 12, 31) - first).days
    born = first + timedelta(days=rng.randint(0, days))
    serial = f"{rng.randint(980, 999):03d}"
    nine = f"{born:%y%m%d}{serial}"
    return f"{born:%Y}{nine[2:]}{check_digit(nine)}"


def name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
