"""Case numbers: RR-2026-0042, the year and a number counted per year.

Cases hand them out (cases.models.CaseNumberSequence); the access log keeps
them after erasure. Both read and write them through here.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_TYPED = re.compile(r"^(?:RR)?-?(\d{4})-(\d{1,6})$|^RR-?(\d{4})-?(\d{1,6})$")
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"})


def format_case_number(year: int, number: int) -> str:
    return f"RR-{year}-{number:04d}"


def normalise_case_number(text: str) -> str:
    """The case number as stored, from what a person types: "rr 2026 42" and "2026-42" are RR-2026-0042.

    Raises ValidationError, with a message for the field, when the text is not a case number.
    """
    compact = re.sub(r"\s+", "", text).upper().translate(_DASHES)
    match = _TYPED.match(compact)
    if not match:
        raise ValidationError(_("Enter a case number such as RR-2026-0042."), code="case_number")
    year, number = (match[1], match[2]) if match[1] else (match[3], match[4])
    return format_case_number(int(year), int(number))
