"""Pages of a list without counting the whole list.

Django's Paginator counts every row to say "page 3 of 400": a query that
grows with the data on every page shown. A list that grows without bound
shows "Previous", "Page 3" and "Next" instead, from one query that asks for
a row more than the page holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class PageWithoutCount:
    object_list: list[Any]
    number: int
    has_next: bool
    # The template tells the two kinds of page apart by this.
    paginator: None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(number: Any) -> int:
    """The page asked for: the first for anything that is not a positive number."""
    try:
        page = max(int(number), 1)
    except (TypeError, ValueError):
        page = 1
    # A page far past the end is empty; it does not fail.
    return min(page, 10**6)


def page_without_count(queryset: QuerySet[Any], number: Any, size: int) -> PageWithoutCount:
    """The page with this number (the first for anything that is not a positive number)."""
    page = page_number(number)
    start = (page - 1) * size
    rows = list(queryset[start : start + size + 1])
    return PageWithoutCount(rows[:size], page, has_next=len(rows) > size)
