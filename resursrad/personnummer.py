"""Swedish personnummer and samordningsnummer: parsing, validation, masking.

Accepted input: 10 or 12 digits, with or without a separator ("-", or "+" for
someone who is 100 or older). The day of a samordningsnummer is the birth day
plus 60. Stored normalised as 12 digits.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_PATTERN = re.compile(r"^(\d{2})?(\d{6})([-+]?)(\d{4})$")


@dataclass(frozen=True)
class PersonalNumber:
    digits: str  # 12 digits: YYYYMMDDNNNC
    birth_date: date
    is_coordination_number: bool

    @property
    def birth_year(self) -> int:
        return self.birth_date.year


def luhn_ok(ten_digits: str) -> bool:
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def parse(value: str, today: date | None = None) -> PersonalNumber:
    """Return the normalised number, or raise ValidationError with a Swedish message."""
    today = today or date.today()
    cleaned = re.sub(r"\s", "", value or "")
    match = _PATTERN.match(cleaned)
    if not match:
        raise ValidationError(
            _("Enter 10 or 12 digits, for example 19850312-1234 or 850312-1234."), code="format"
        )
    century, yymmdd, separator, tail = match.groups()
    if century and separator == "+":
        raise ValidationError(_("Use + only with 10 digits."), code="format")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    coordination = dd > 60
    day = dd - 60 if coordination else dd
    if century:
        year = int(century) * 100 + yy
    else:
        # The latest century that does not put the birth in the future;
        # "+" means the person is 100 or older.
        year = (today.year // 100) * 100 + yy
        if year > today.year:
            year -= 100
        if separator == "+":
            year -= 100
    try:
        birth = date(year, mm, day)
    except ValueError:
        raise ValidationError(
            _("The number does not contain a real date of birth. Check the digits."), code="date"
        ) from None
    if birth > today:
        raise ValidationError(_("The date of birth is in the future. Check the digits."), code="future")
    if birth.year < 1900:
        raise ValidationError(_("The date of birth is before 1900. Check the digits."), code="date")
    if not luhn_ok(yymmdd + tail):
        raise ValidationError(
            _("The check digit does not match. Check that every digit is right."), code="checksum"
        )
    return PersonalNumber(f"{year:04d}{yymmdd[2:]}{tail}", birth, coordination)


# A run of 6 or 8 digits, perhaps a separator, then 4 digits, not inside a longer number.
_EMBEDDED = re.compile(r"(?<!\d)(\d{6}|\d{8})\s?([-+]?)\s?(\d{4})(?!\d)")


def appears_in(text: str, today: date | None = None) -> bool:
    """Whether free text contains something that is, or nearly is, a personal identity number.

    A number with a real date of birth counts even when its check digit is
    wrong: a mistyped number still points at a person.
    """
    for match in _EMBEDDED.finditer(text or ""):
        candidate = "".join(match.groups())
        try:
            parse(candidate, today=today)
        except ValidationError as error:
            if error.code == "checksum":
                return True
        else:
            return True
    return False


def mask(digits: str) -> str:
    """Show the date of birth but hide the last four digits: 19850312-****."""
    if len(digits) != 12:
        return ""
    return f"{digits[:8]}-****"


def formatted(digits: str) -> str:
    if len(digits) != 12:
        return ""
    return f"{digits[:8]}-{digits[8:]}"


def keyed_hash(digits: str) -> str:
    """An HMAC of a 12-digit number with PERSONAL_NUMBER_HASH_KEY.

    It finds the same person again (search, duplicates, the access history after
    erasure) without storing the number; without the key it cannot be reversed
    by trying every possible number.
    """
    key = settings.PERSONAL_NUMBER_HASH_KEY.encode()
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()
