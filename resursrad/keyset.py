"""Keyset pagination, newest first: "Older" and "Newer" links instead of page numbers.

A page is found from the row at its edge, (time, id), never by counting or
skipping rows, so the thousandth page costs what the first does, and rows
written meanwhile neither repeat nor hide a row. The link carries that edge
as an opaque cursor.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

OLDER = "o"
NEWER = "n"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """The edge row of a page, and which way the next page lies from it."""

    at: datetime
    pk: int
    direction: str

    def encode(self) -> str:
        micros = (self.at - _EPOCH) // timedelta(microseconds=1)
        text = f"{self.direction}{micros}.{self.pk}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Cursor:
        """The cursor in a link; ValueError for anything this module did not write."""
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValueError("not a cursor") from None
        direction, rest = text[:1], text[1:]
        micros, _, pk = rest.partition(".")
        if direction not in (OLDER, NEWER) or not micros.lstrip("-").isdigit() or not pk.isdigit():
            raise ValueError("not a cursor")
        try:
            at = _EPOCH + timedelta(microseconds=int(micros))
        except OverflowError:
            raise ValueError("not a cursor") from None
        if not 0 < int(pk) < 2**63:
            raise ValueError("not a cursor")
        return cls(at, int(pk), direction)


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    older: str | None
    newer: str | None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.older or self.newer)


def keyset_page(queryset: QuerySet[Any], cursor: Cursor | None, size: int, field: str = "at") -> KeysetPage:
    """One page of ``queryset``, newest first by (field, pk), next to ``cursor``.

    One query: a row more than the page is asked for, to know whether another
    page follows. The bound ``field <= edge`` lets the index on (field, id)
    start at the edge instead of scanning from the newest row.
    """
    if cursor is None:
        rows = list(queryset.order_by(f"-{field}", "-pk")[: size + 1])
        has_older, has_newer = len(rows) > size, False
        rows = rows[:size]
    elif cursor.direction == OLDER:
        before = Q(**{f"{field}__lt": cursor.at}) | Q(pk__lt=cursor.pk)
        rows = list(
            queryset.filter(before, **{f"{field}__lte": cursor.at}).order_by(f"-{field}", "-pk")[: size + 1]
        )
        has_older, has_newer = len(rows) > size, True
        rows = rows[:size]
    else:
        after = Q(**{f"{field}__gt": cursor.at}) | Q(pk__gt=cursor.pk)
        rows = list(queryset.filter(after, **{f"{field}__gte": cursor.at}).order_by(field, "pk")[: size + 1])
        has_older, has_newer = True, len(rows) > size
        rows = rows[:size][::-1]
    if not rows:
        return KeysetPage([], None, None)
    first, last = rows[0], rows[-1]
    return KeysetPage(
        rows,
        older=Cursor(getattr(last, field), last.pk, OLDER).encode() if has_older else None,
        newer=Cursor(getattr(first, field), first.pk, NEWER).encode() if has_newer else None,
    )
