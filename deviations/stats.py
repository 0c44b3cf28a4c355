"""The styrgrupp's trends: counts per category and per party pair by quarter, open, overdue, median time.

Every count is made in the database, a fixed handful of queries whatever
the number of deviations; Python only arranges the few rows per quarter into
tables and charts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext

from deviations.models import (
    DeviationQuerySet,
    StatementRequest,
    parties_in_mask,
    reported_on_days,
    start_of_day,
)
from deviations.workflow import ANSWERED, Category, Status
from resursrad.models import Party

# --- quarters --------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.next()
        return following.first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def label(self) -> str:
        return gettext("Q%(number)s %(year)s") % {"number": self.number, "year": self.year}

    def __str__(self) -> str:
        return self.label


def quarters_between(start: date, end: date) -> list[Quarter]:
    quarters = []
    quarter, last = Quarter.of(start), Quarter.of(end)
    while quarter <= last:
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def last_four_quarters(today: date | None = None) -> tuple[date, date]:
    """The default period: this quarter and the three before it."""
    current = Quarter.of(today or timezone.localdate())
    first = current.previous().previous().previous()
    return first.first_day, current.last_day


# --- the tables ----------------------------------------------------------


@dataclass
class Row:
    """One line of a table by quarter: a label, a count per quarter and the total."""

    label: str
    counts: list[int]
    key: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class QuarterStatus:
    quarter: Quarter
    reported: int = 0
    open: int = 0
    overdue: int = 0
    decided: int = 0


@dataclass
class Trends:
    start: date
    end: date
    quarters: list[Quarter]
    categories: list[Row]
    pairs: list[Row]
    statuses: list[QuarterStatus]
    open_now: int
    overdue_now: int
    median_days: float | None
    decided: int
    totals: Row = field(init=False)

    def __post_init__(self) -> None:
        self.totals = Row(
            gettext("All categories"),
            [sum(row.counts[index] for row in self.categories) for index in range(len(self.quarters))],
        )

    @property
    def reported(self) -> int:
        return self.totals.total


def _dicts(values: Any) -> list[dict[str, Any]]:
    """The rows of a values() query (typed loosely: each query has its own keys)."""
    return list(values)


def pair_label(first: str, second: str | None) -> str:
    if second is None:
        return gettext("%(party)s alone") % {"party": Party(first).label}
    return f"{Party(first).label} ↔ {Party(second).label}"


class _WidthBucket(Func):
    """PostgreSQL's width_bucket: which of the sorted bounds' intervals a value falls in (1 from the first)."""

    function = "width_bucket"
    output_field = IntegerField()


def width_bucket(lookup: str, firsts: list[Any]) -> Func:
    """Which of the periods a date or datetime field falls in, 1 for the first (PostgreSQL).

    ``firsts`` are the periods' first moments in order (aware datetimes for a
    datetime field, dates for a date field): one binary search per row, where
    the year and quarter of the local date take two time zone conversions.
    """
    return _WidthBucket(F(lookup), Value(firsts))


def _quarters(
    lookup: str, quarters: list[Quarter], start: date, vendor: str
) -> tuple[dict[str, Any], Callable[[dict[str, Any]], int]]:
    """The quarter of a datetime field to group by, and a function from a result row to the quarter's position."""
    if vendor == "postgresql":
        firsts = [start_of_day(max(quarter.first_day, start)) for quarter in quarters]
        return {"period": width_bucket(lookup, firsts)}, lambda row: int(row["period"]) - 1
    position = {(quarter.year, quarter.number): index for index, quarter in enumerate(quarters)}
    return (
        {"year": ExtractYear(lookup), "quarter": ExtractQuarter(lookup)},
        lambda row: position[(int(row["year"]), int(row["quarter"]))],
    )


def trends(deviations: DeviationQuerySet, start: date, end: date, today: date | None = None) -> Trends:
    """The trend page's tables for deviations reported from ``start`` to ``end`` (local dates).

    Two queries, each one pass over the deviations and no join, so that they
    plan the same with or without table statistics: the period's counts per
    category, quarter and set of parties (Deviation.party_mask), with the
    status counts beside; then today's open and overdue over every deviation,
    with the period's median time to a decision beside on PostgreSQL.
    """
    today = today or timezone.localdate()
    quarters = quarters_between(start, end)
    in_period = deviations.reported_between(start, end)
    vendor = connections[deviations.db].vendor
    by_quarter, quarter_index = _quarters("reported_at", quarters, start, vendor)

    categories = {code: Row(str(label), [0] * len(quarters), key=code) for code, label in Category.choices}
    statuses = [QuarterStatus(quarter) for quarter in quarters]
    # (quarter's position, party_mask): deviations reported.
    party_sets: dict[tuple[int, int], int] = {}
    overdue = Q(answer_due_on__lt=today) & ~Q(status__in=list(ANSWERED))
    for row in _dicts(
        in_period.order_by()
        .values("category", "party_mask", **by_quarter)
        .annotate(
            reported=Count("pk"),
            open=Count("pk", filter=~Q(status=Status.CLOSED)),
            overdue=Count("pk", filter=overdue),
            decided=Count("pk", filter=Q(decided_at__isnull=False)),
        )
    ):
        index = quarter_index(row)
        categories[row["category"]].counts[index] += row["reported"]
        entry = statuses[index]
        entry.reported += row["reported"]
        entry.open += row["open"]
        entry.overdue += row["overdue"]
        entry.decided += row["decided"]
        key = (index, row["party_mask"])
        party_sets[key] = party_sets.get(key, 0) + row["reported"]

    pairs: dict[tuple[str, str | None], Row] = {}

    def count_pair(first: str, second: str | None, index: int, count: int) -> None:
        key = (first, second)
        if key not in pairs:
            pairs[key] = Row(pair_label(first, second), [0] * len(quarters), key="-".join(filter(None, key)))
        pairs[key].counts[index] += count

    # Every two parties of one deviation, each pair once (first < second); a deviation that
    # concerns a single party counts for that party alone.
    for (index, mask), count in party_sets.items():
        parties = parties_in_mask(mask)
        if len(parties) == 1:
            count_pair(parties[0], None, index, count)
        for number, first in enumerate(parties):
            for second in parties[number + 1 :]:
                count_pair(first, second, index, count)

    now: dict[str, Any] = {
        "open": Count("pk", filter=~Q(status=Status.CLOSED)),
        "overdue": Count("pk", filter=overdue),
    }
    if vendor == "postgresql":
        # The period's median time to a decision in the same pass (as median_days_to_decision).
        decided = reported_on_days(start, end) & Q(decided_at__isnull=False)
        now["median"] = median_seconds(F("decided_at"), F("reported_at"), condition=decided)
        now["decided"] = Count("pk", filter=decided)
    result = deviations.order_by().aggregate(**now)
    if vendor == "postgresql":
        seconds, count = result["median"], result["decided"]
        median = None if seconds is None else seconds / 86400
    else:
        median, count = median_days_by_offset(in_period.filter(decided_at__isnull=False))
    return Trends(
        start=start,
        end=end,
        quarters=quarters,
        categories=list(categories.values()),
        pairs=sorted(pairs.values(), key=lambda row: (-row.total, row.label)),
        statuses=statuses,
        open_now=result["open"],
        overdue_now=result["overdue"],
        median_days=median,
        decided=count,
    )


# --- the median ------------------------------------------------------------
#
# Shared with followup.stats: the median of a time between two fields, taken
# in the database (percentile_cont on PostgreSQL, the middle rows elsewhere).


class _Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, interpolated between the two middle values."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class _Seconds(Func):
    """The seconds in an interval (PostgreSQL), as a float: EXTRACT gives a numeric, slower to sort."""

    template = "date_part('epoch', %(expressions)s)"
    output_field = FloatField()


def _duration(end: Any, start: Any) -> ExpressionWrapper:
    """end - start as a duration: two datetimes, or two dates (whole days)."""
    return ExpressionWrapper(end - start, output_field=DurationField())


def median_days(rows: QuerySet[Any], end: Any, start: Any) -> tuple[float | None, int]:
    """The median days from ``start`` to ``end`` over the rows where both are set, and how many rows that is.

    ``end`` and ``start`` are expressions of the same kind (two datetimes or two dates).
    """
    rows = rows.order_by().annotate(_end=end, _start=start).filter(_end__isnull=False, _start__isnull=False)
    if connections[rows.db].vendor == "postgresql":
        result = rows.aggregate(
            median=_Median(_Seconds(_duration(F("_end"), F("_start")))), count=Count("pk")
        )
        seconds = result["median"]
        return (None if seconds is None else seconds / 86400), result["count"]
    return median_days_in_order(rows, F("_end"), F("_start"))


def median_seconds(end: Any, start: Any, *, condition: Q | None = None) -> Aggregate:
    """The median seconds from ``start`` to ``end`` over the rows that meet ``condition`` (PostgreSQL only).

    An aggregate, so that one query can take several medians side by side; rows where
    either end is NULL are left out, as percentile_cont ignores NULL.
    """
    return _Median(_Seconds(_duration(end, start)), filter=condition)


def median_days_in_order(rows: QuerySet[Any], end: Any, start: Any) -> tuple[float | None, int]:
    """The median without percentile_cont (SQLite): the middle row or two of the ordered durations."""
    count = rows.order_by().count()
    if not count:
        return None, 0
    durations = rows.annotate(duration=_duration(end, start)).order_by("duration")
    middle = (count - 1) // 2
    values = list(durations.values_list("duration", flat=True)[middle : middle + 2 - count % 2])
    seconds = sum(value.total_seconds() for value in values) / len(values)
    return seconds / 86400, count


def median_days_to_decision(decided: DeviationQuerySet) -> tuple[float | None, int]:
    """The median days from report to decision, and how many decisions it is taken over."""
    return median_days(decided, F("decided_at"), F("reported_at"))


def median_days_by_offset(decided: DeviationQuerySet) -> tuple[float | None, int]:
    """As median_days_to_decision, without percentile_cont (the fallback on SQLite)."""
    return median_days_in_order(decided, F("decided_at"), F("reported_at"))


# --- charts ----------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    # Per cent of the chart's width.
    width: float
    text_y: int
    bar_y: int
    value_x: float
    # What is written beside the bar when not the value itself (a masked count: "<5").
    text: str = ""


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart drawn as inline SVG (templates/deviations/trends/partials/bar_chart.html)."""

    title: str
    bars: list[Bar]
    height: int
    bar_height: int


ROW_HEIGHT = 46
BAR_HEIGHT = 18
# The longest bar's share of the chart's width (in per cent), leaving room for its value.
BAR_ROOM = 85


def bar_chart(title: str, items: list[tuple[str, int]], texts: list[str] | None = None) -> BarChart:
    """Each item's label over a bar whose length is its share of the largest value.

    Lengths are percentages of the chart's width and the text is in pixels, so the
    labels are the same size in every chart, at every width, full width or beside a table.
    ``texts``, when given, is written beside each bar instead of its value.
    """
    largest = max((value for _, value in items), default=0) or 1
    bars = []
    for index, (label, value) in enumerate(items):
        top = index * ROW_HEIGHT
        width = round(BAR_ROOM * value / largest, 1)
        bars.append(
            Bar(
                label=label,
                value=value,
                y=top,
                width=width,
                text_y=top + 16,
                bar_y=top + 22,
                value_x=width,
                text=texts[index] if texts else "",
            )
        )
    return BarChart(title, bars, max(len(items) * ROW_HEIGHT, ROW_HEIGHT), BAR_HEIGHT)


def charts(result: Trends) -> dict[str, Any]:
    return {
        "quarters": bar_chart(
            gettext("Deviations reported per quarter"),
            [(q.label, count) for q, count in zip(result.quarters, result.totals.counts, strict=True)],
        ),
        "categories": bar_chart(
            gettext("Deviations per category"), [(row.label, row.total) for row in result.categories]
        ),
        "pairs": bar_chart(
            gettext("Deviations per party pair"), [(row.label, row.total) for row in result.pairs]
        ),
    }


# --- the report to the styrgrupp -----------------------------------------


# What each of the report's lists shows, and no more: it holds up to 100 rows of each.
LISTED_FIELDS = ("number", "status", "category", "reported_at", "answer_due_on", "is_system_fault")
DECISION_FIELDS = ("number", "category", "decision", "responsible_party", "action_due_on", "decided_at")
FEEDBACK_FIELDS = ("number", "feedback", "feedback_at")


def report_since(deviations: DeviationQuerySet, since: date, today: date, *, rows: int) -> dict[str, Any]:
    """What the styrgrupp reads at its meeting: counts, the list, decisions, statements and feedback since a date.

    Each list holds at most ``rows`` entries (``more`` says when the list of deviations holds more).
    """
    changed = deviations.changed_since(since)
    start = start_of_day(since)
    # One pass over the deviations for both summaries: a (category, status) pair per row.
    by_category: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for category, status, count in (
        changed.order_by().values_list("category", "status").annotate(count=Count("pk"))
    ):
        by_category[category] = by_category.get(category, 0) + count
        by_status[status] = by_status.get(status, 0) + count
    listed = list(changed.with_is_overdue(today).with_list_data().only(*LISTED_FIELDS)[: rows + 1])
    return {
        "since": since,
        "today": today,
        "categories": [(label, by_category.get(code, 0)) for code, label in Category.choices],
        "statuses": [(label, by_status.get(code, 0)) for code, label in Status.choices],
        "total": sum(by_status.values()),
        "rows": listed[:rows],
        "more": len(listed) > rows,
        "decisions": list(
            changed.filter(decided_at__gte=start)
            .with_list_data()
            .only(*DECISION_FIELDS)
            .order_by("decided_at", "pk")[:rows]
        ),
        "feedback": list(
            changed.filter(feedback_at__gte=start).only(*FEEDBACK_FIELDS).order_by("feedback_at", "pk")[:rows]
        ),
        "statements": list(
            StatementRequest.objects.filter(
                deviation__in=changed.order_by().values("pk"), answered_at__gte=start
            )
            .select_related("deviation", "organisation")
            .only("answer", "answered_at", "deviation__number", "organisation__name")
            .order_by("answered_at", "pk")[:rows]
        ),
    }
