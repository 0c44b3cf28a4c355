"""Statistics for coordinators and the styrgrupp, and the figures of the Uppföljning Finsam export.

Every count is made in the database, grouped by period (month, tertial or
year), a fixed handful of queries whatever the number of referrals; Python
only arranges the few rows per period into tables.

Only facts that erasure (gallring) keeps are counted: the referral's dates,
status, organisation's party and target groups, the participant's sex; the
meeting's date and status, the slot's purpose and status, whether the
individual took part, the record's outcome, each plan item's status at the
follow-up and each party's answer. Names, numbers and free texts are never
read, so the figures are the same before and after a case is erased.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import connections, models
from django.db.models import Count, F, Max, Q, QuerySet, Value
from django.db.models.functions import ExtractMonth, ExtractYear, Lead, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Referral, Sex, TargetGroup
from cases.workflow import Status
from deviations.models import start_of_day
from deviations.stats import median_days, median_seconds, width_bucket
from followup.stats_masking import SMALL_COUNT, Cell, Sum, suppress
from meetings.models import AgendaItem, Council, ItemStatus, Meeting, MeetingStatus, Purpose, Record
from meetings.models.records import Answer, FollowUpStatus, PlanItem, Response
from resursrad.models import Party, User
from resursrad.permissions import is_coordinator, is_steering_member


def can_view_statistics(user: User) -> bool:
    """Coordinators and the styrgrupp read aggregates; case workers and administrators do not."""
    return is_coordinator(user) or is_steering_member(user)


# --- periods -----------------------------------------------------------------


class Granularity(models.TextChoices):
    MONTH = "month", _("Month")
    TERTIAL = "tertial", _("Tertial")
    YEAR = "year", _("Year")


# The page opens split by tertial (Period.default).
DEFAULT_GRANULARITY = Granularity.TERTIAL


# The first month of each tertial: January–April, May–August, September–December.
TERTIAL_FIRST_MONTHS = (1, 5, 9)


@dataclass(frozen=True, order=True)
class Bucket:
    """One month, tertial or year: (year, number) with number 1–12, 1–3 or 1."""

    year: int
    number: int
    granularity: str = field(compare=False)

    @classmethod
    def of(cls, day: date, granularity: str) -> Bucket:
        if granularity == Granularity.MONTH:
            return cls(day.year, day.month, granularity)
        if granularity == Granularity.TERTIAL:
            return cls(day.year, (day.month - 1) // 4 + 1, granularity)
        return cls(day.year, 1, granularity)

    @property
    def first_day(self) -> date:
        if self.granularity == Granularity.MONTH:
            return date(self.year, self.number, 1)
        if self.granularity == Granularity.TERTIAL:
            return date(self.year, TERTIAL_FIRST_MONTHS[self.number - 1], 1)
        return date(self.year, 1, 1)

    def next(self) -> Bucket:
        last = {Granularity.MONTH: 12, Granularity.TERTIAL: 3}.get(self.granularity, 1)  # type: ignore[call-overload]
        if self.number == last:
            return Bucket(self.year + 1, 1, self.granularity)
        return Bucket(self.year, self.number + 1, self.granularity)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def label(self) -> str:
        if self.granularity == Granularity.MONTH:
            return f"{self.year}-{self.number:02d}"
        if self.granularity == Granularity.TERTIAL:
            return gettext("T%(number)s %(year)s") % {"number": self.number, "year": self.year}
        return str(self.year)


@dataclass(frozen=True)
class Period:
    """The chosen dates and how they are split into columns."""

    granularity: str
    start: date
    end: date

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        """This tertial and the two before it, by tertial: the periods the förbund reports in.

        By tertial, a small council's figures reach five and show; by month most would be masked.
        """
        today = today or timezone.localdate()
        current = Bucket.of(today, DEFAULT_GRANULARITY)
        number = current.year * 3 + current.number - 1 - 2
        first = Bucket(number // 3, number % 3 + 1, DEFAULT_GRANULARITY)
        return cls(DEFAULT_GRANULARITY, first.first_day, current.last_day)

    def buckets(self) -> list[Bucket]:
        buckets, bucket = [], Bucket.of(self.start, self.granularity)
        last = Bucket.of(self.end, self.granularity)
        while bucket <= last:
            buckets.append(bucket)
            bucket = bucket.next()
        return buckets

    def bucket_start(self, bucket: Bucket) -> date:
        """The bucket's first day within the period (the period may start inside it)."""
        return max(bucket.first_day, self.start)

    def bucket_end(self, bucket: Bucket) -> date:
        return min(bucket.last_day, self.end)

    def instants(self) -> tuple[Any, Any]:
        """The period as aware datetimes: from its first moment to the first moment after it."""
        return start_of_day(self.start), start_of_day(self.end + timedelta(days=1))


def _bucket_number(lookup: str, granularity: str) -> Any:
    """The period's number of a date or datetime field, in the database (local time)."""
    if granularity == Granularity.MONTH:
        return ExtractMonth(lookup)
    if granularity == Granularity.TERTIAL:
        return models.Case(
            models.When(**{f"{lookup}__month__lte": 4}, then=Value(1)),
            models.When(**{f"{lookup}__month__lte": 8}, then=Value(2)),
            default=Value(3),
            output_field=models.IntegerField(),
        )
    return Value(1, output_field=models.IntegerField())


@dataclass(frozen=True)
class Bucketing:
    """How a query groups a date or datetime field by the period's buckets, and reads a bucket back."""

    # The annotations to group by.
    columns: dict[str, Any]
    position: Callable[[dict[str, Any]], int]


def _bucketing(lookup: str, period: Period, vendor: str, *, aware: bool = False) -> Bucketing:
    """The period's bucket of ``lookup`` (a datetime field when ``aware``, else a date field), in the database.

    On PostgreSQL one binary search per row over the buckets' first days
    (width_bucket), no time zone conversion per row; elsewhere the year and the
    month, tertial or year number of the local date.
    """
    buckets = period.buckets()
    if vendor == "postgresql":
        firsts: list[Any] = [period.bucket_start(bucket) for bucket in buckets]
        if aware:
            firsts = [start_of_day(day) for day in firsts]
        return Bucketing(
            {"bucket": width_bucket(lookup, firsts)},
            lambda row: int(row["bucket"]) - 1,
        )
    index = {(bucket.year, bucket.number): position for position, bucket in enumerate(buckets)}
    return Bucketing(
        {"bucket_year": ExtractYear(lookup), "bucket_number": _bucket_number(lookup, period.granularity)},
        lambda row: index.get((int(row["bucket_year"]), int(row["bucket_number"])), -1),
    )


def _rows(values: Any) -> list[dict[str, Any]]:
    """The rows of a values() query (typed loosely: each query has its own keys)."""
    return list(values)


# --- tables ------------------------------------------------------------------


@dataclass(eq=False)
class TableRow:
    label: str
    key: str
    cells: list[Cell]
    total: Cell | None = None


@dataclass(eq=False)
class Table:
    """Rows of counts per period, a total column and, for rows that split a whole, a total row."""

    key: str
    caption: str
    row_heading: str
    columns: list[str]
    rows: list[TableRow]
    totals: TableRow | None = None
    total_heading: str = ""
    chart_title: str = ""
    # False when the table has one column, which is its total.
    total_column: bool = True

    def chart_items(self) -> tuple[list[tuple[str, int]], list[str]]:
        """Each row's total for the chart beside the table: values to draw, and the texts to write."""
        rows = [row for row in self.rows if row.total is not None]
        return [(row.label, row.total.shown) for row in rows if row.total], [
            row.total.text for row in rows if row.total
        ]


def _grid(keys: list[tuple[str, Any]], columns: int, counts: dict[tuple[str, int], int]) -> list[TableRow]:
    return [
        TableRow(str(label), key, [Cell(counts.get((key, index), 0)) for index in range(columns)])
        for key, label in keys
    ]


def additive_table(
    key: str,
    caption: str,
    row_heading: str,
    columns: list[str],
    keys: list[tuple[str, Any]],
    counts: dict[tuple[str, int], int],
    *,
    chart_title: str = "",
) -> Table:
    """Rows that split a whole (each thing counted in exactly one row and one column), with every total."""
    rows = _grid(keys, len(columns), counts)
    for row in rows:
        row.total = Cell(sum(cell.value for cell in row.cells))
    totals = TableRow(
        gettext("Total"),
        "total",
        [Cell(sum(row.cells[index].value for row in rows)) for index in range(len(columns))],
        Cell(sum(row.total.value for row in rows if row.total)),
    )
    sums = [Sum(row.cells, row.total) for row in rows if row.total]
    sums += [Sum([row.cells[index] for row in rows], totals.cells[index]) for index in range(len(columns))]
    sums.append(Sum([row.total for row in rows if row.total], totals.total))  # type: ignore[arg-type]
    sums.append(Sum(totals.cells, totals.total))  # type: ignore[arg-type]
    suppress(sums)
    return Table(key, caption, row_heading, columns, rows, totals, gettext("Total"), chart_title)


# --- the statistics ----------------------------------------------------------


OUTCOMES: list[tuple[str, Any, frozenset[str]]] = [
    (
        "under_way",
        _("Under way"),
        frozenset(
            {
                Status.SUBMITTED,
                Status.INFO_REQUESTED,
                Status.ACCEPTED,
                Status.SCHEDULED,
                Status.HELD,
                Status.FOLLOW_UP,
            }
        ),
    ),
    ("closed", _("Closed after the council"), frozenset({Status.CLOSED})),
    ("declined", _("Declined"), frozenset({Status.DECLINED})),
    ("consent_ended", _("Consent withdrawn or expired"), frozenset({Status.CONSENT_ENDED})),
]


def outcome_of(status: str) -> str:
    for key, _label, statuses in OUTCOMES:
        if status in statuses:
            return key
    return "under_way"


@dataclass
class Median:
    """The median days, shown only when it is taken over at least five cases."""

    days: float | None
    count: int

    @property
    def cell(self) -> Cell:
        return Cell(self.count)

    @property
    def is_shown(self) -> bool:
        return self.days is not None and self.count > SMALL_COUNT


@dataclass
class Share:
    """The plan items followed up in the period, by how they went, and the share done."""

    table: Table

    @property
    def percent_done(self) -> float | None:
        rows = {row.key: row for row in self.table.rows}
        done = rows[FollowUpStatus.DONE].total
        total = self.table.totals.total if self.table.totals else None
        if done is None or total is None or done.is_hidden or total.is_hidden or not total.value:
            return None
        return 100 * done.value / total.value


@dataclass
class Statistics:
    period: Period
    council: Council | None
    columns: list[str]
    participants: Table
    referral_tables: list[Table]
    meetings: Table
    to_meeting: Median
    to_follow_up: Median
    plan: Share
    responses: Table
    # What the participants table was made of: the Finsam figures read the same counts.
    participant_counts: ParticipantCounts


def _referrals(council: Council | None) -> QuerySet[Referral]:
    referrals = Referral.objects.filter(submitted_at__isnull=False).exclude(status=Status.DISCARDED)
    if council is not None:
        placed = AgendaItem.objects.filter(meeting__council=council).exclude(status=ItemStatus.REMOVED)
        referrals = referrals.filter(pk__in=placed.values("referral_id"))
    return referrals


def attended_records(period: Period, council: Council | None) -> QuerySet[Record]:
    """The finalised records of the period's meetings where the individual took part: the insats's participants."""
    records = Record.objects.filter(
        finalised_at__isnull=False,
        individual_attended=True,
        item__meeting__date__gte=period.start,
        item__meeting__date__lte=period.end,
    )
    if council is not None:
        records = records.filter(item__meeting__council=council)
    return records


# The rows by sex, as Uppföljning Finsam names them.
SEX_KEYS: list[tuple[str, Any]] = [
    (Sex.FEMALE, _("Women")),
    (Sex.MALE, _("Men")),
    (Sex.UNSPECIFIED, _("Sex not stated")),
]


@dataclass
class ParticipantCounts:
    """Distinct participants per period and sex, and over the whole period (one person counted once)."""

    per_bucket: dict[tuple[str, int], int]
    # Empty when not asked for (the Finsam file).
    whole: dict[str, int]


def participant_counts(period: Period, council: Council | None, *, whole: bool = True) -> ParticipantCounts:
    """One query: distinct participants per period and sex, and (unless not ``whole``) per sex over the whole period.

    The whole period's counts cannot be added up from the periods' (a person may
    take part in two). With them, the attended slots are grouped once per
    case, sex and period, and each case's first such row (a window over the
    case) counts it for the whole period: one pass over the slots, where two
    groupings of the same rows read them twice. The Finsam file has no use
    for them and counts the cases per period and sex directly.
    """
    records = attended_records(period, council).order_by()
    by_bucket = _bucketing("item__meeting__date", period, connections[records.db].vendor)
    counts: dict[tuple[str, int], int] = {}
    totals: dict[str, int] = {}
    if not whole:
        people = Count("item__referral_id", distinct=True)
        for row in _rows(
            records.values(sex=F("item__referral__participant__sex"), **by_bucket.columns).annotate(
                count=people
            )
        ):
            counts[(row["sex"], by_bucket.position(row))] = row["count"]
        return ParticipantCounts(counts, totals)
    per_case = (
        records.values(
            case=F("item__referral_id"), sex=F("item__referral__participant__sex"), **by_bucket.columns
        )
        # One row per case, sex and period (the slots' count only makes the GROUP BY) ...
        .annotate(slots=Count("pk"))
        # ... and each case's first row numbered 1, whichever period it is.
        .annotate(first=models.Window(RowNumber(), partition_by=[F("item__referral_id")]))
    )
    sql, params = per_case.query.sql_with_params()
    columns = ", ".join(f'"{name}"' for name in ["sex", *by_bucket.columns])
    with connections[records.db].cursor() as cursor:
        # The ORM groups one level deep: the count per period and sex around the per-case query is plain SQL,
        # the inner query compiled by the ORM with its parameters apart.
        cursor.execute(
            f'SELECT {columns}, COUNT(*), SUM(CASE WHEN "first" = 1 THEN 1 ELSE 0 END) '  # noqa: S608
            f"FROM ({sql}) AS per_case GROUP BY {columns}",
            params,
        )
        names = ["sex", *by_bucket.columns]
        for *keys, count, firsts in cursor.fetchall():
            row = dict(zip(names, keys, strict=True))
            index = by_bucket.position(row)
            if index >= 0:
                counts[(row["sex"], index)] = count
            totals[row["sex"]] = totals.get(row["sex"], 0) + firsts
    return ParticipantCounts(counts, totals)


def participants_table(period: Period, counts: ParticipantCounts, columns: list[str]) -> Table:
    """Participants per period by sex: each column's sexes add up to its total (the whole period's too)."""
    whole_index = len(columns)
    rows = _grid(
        SEX_KEYS,
        len(columns) + 1,
        {**counts.per_bucket, **{(k, whole_index): v for k, v in counts.whole.items()}},
    )
    totals = TableRow(
        gettext("All participants"),
        "total",
        [Cell(sum(row.cells[index].value for row in rows)) for index in range(len(columns) + 1)],
    )
    suppress(
        [Sum([row.cells[index] for row in rows], totals.cells[index]) for index in range(len(columns) + 1)]
    )
    for row in [*rows, totals]:
        row.total = row.cells.pop()
    return Table(
        "participants",
        gettext("Participants who took part in a council meeting, per period and sex"),
        gettext("Sex"),
        columns,
        rows,
        totals,
        gettext("Whole period"),
        gettext("Participants in the whole period, by sex"),
    )


def referral_tables(period: Period, council: Council | None, columns: list[str]) -> list[Table]:
    """Referrals submitted in the period by sex, party, target group and outcome: one query."""
    start, end = period.instants()
    referrals = _referrals(council)
    by_bucket = _bucketing("submitted_at", period, connections[referrals.db].vendor, aware=True)
    # Read once: an enum's values are a new list at every access, and the loop below runs per result row.
    codes = TargetGroup.values
    groups = {f"tg_{code}": Count("pk", filter=Q(**{f"tg_{code}": True})) for code in codes}
    by_sex: dict[tuple[str, int], int] = {}
    by_party: dict[tuple[str, int], int] = {}
    by_outcome: dict[tuple[str, int], int] = {}
    by_group: dict[tuple[str, int], int] = {}
    for row in _rows(
        referrals.filter(submitted_at__gte=start, submitted_at__lt=end)
        .order_by()
        .values("participant__sex", "organisation__party", "status", **by_bucket.columns)
        .annotate(count=Count("pk"), **groups)
    ):
        index = by_bucket.position(row)
        for counts, key in (
            (by_sex, row["participant__sex"]),
            (by_party, row["organisation__party"]),
            (by_outcome, outcome_of(row["status"])),
        ):
            counts[(key, index)] = counts.get((key, index), 0) + row["count"]
        for code in codes:
            by_group[(code, index)] = by_group.get((code, index), 0) + row[f"tg_{code}"]
    groups_table = Table(
        "target_groups",
        gettext("Referrals per target group and period (a referral may name several groups)"),
        gettext("Target group"),
        columns,
        _grid([(str(code), label) for code, label in TargetGroup.choices], len(columns), by_group),
        total_heading=gettext("Total"),
        chart_title=gettext("Referrals per target group"),
    )
    for group in groups_table.rows:
        group.total = Cell(sum(cell.value for cell in group.cells))
        suppress([Sum(group.cells, group.total)])
    return [
        additive_table(
            "referrals_sex",
            gettext("Referrals submitted per period, by the participant's sex"),
            gettext("Sex"),
            columns,
            SEX_KEYS,
            by_sex,
            chart_title=gettext("Referrals by sex"),
        ),
        additive_table(
            "referrals_party",
            gettext("Referrals submitted per period, by the referring party"),
            gettext("Referring party"),
            columns,
            [(str(code), label) for code, label in Party.choices],
            by_party,
            chart_title=gettext("Referrals by referring party"),
        ),
        groups_table,
        additive_table(
            "referrals_outcome",
            gettext("Referrals submitted per period, by where they stand today"),
            gettext("Outcome"),
            columns,
            [(key, str(label)) for key, label, _statuses in OUTCOMES],
            by_outcome,
            chart_title=gettext("Referrals by outcome"),
        ),
    ]


def meetings_table(period: Period, council: Council | None, columns: list[str]) -> Table:
    """Meetings held, slots used and individuals who did not come, per period: one query."""
    meetings = Meeting.objects.filter(
        date__gte=period.start, date__lte=period.end, status__in=[MeetingStatus.HELD, MeetingStatus.CLOSED]
    )
    if council is not None:
        meetings = meetings.filter(council=council)
    by_bucket = _bucketing("date", period, connections[meetings.db].vendor)
    counts: dict[tuple[str, int], int] = {}
    done = Q(items__status=ItemStatus.DONE)
    for row in _rows(
        meetings.order_by()
        .values(**by_bucket.columns)
        .annotate(
            held=Count("pk", distinct=True),
            slots=Count("items", filter=done),
            absent=Count("items", filter=done & Q(items__record__individual_attended=False)),
        )
    ):
        index = by_bucket.position(row)
        for key in ("held", "slots", "absent"):
            counts[(key, index)] = row[key]
    keys = [
        ("held", gettext("Meetings held")),
        ("slots", gettext("Slots used")),
        ("absent", gettext("Individuals who did not come")),
    ]
    rows = _grid(keys, len(columns), counts)
    for line in rows:
        line.total = Cell(sum(cell.value for cell in line.cells))
        suppress([Sum(line.cells, line.total)])
    return Table(
        "meetings",
        gettext("Meetings held, slots used and individuals who did not come, per period"),
        gettext("What"),
        columns,
        rows,
        total_heading=gettext("Total"),
        chart_title=gettext("Meetings and slots in the whole period"),
    )


def medians(period: Period, council: Council | None) -> tuple[Median, Median]:
    """Days from submission to the first meeting, and from a meeting to its follow-up: one query.

    Both medians are taken over the period's held slots side by side, each over its own rows (FILTER).
    """
    in_period = Q(meeting__date__gte=period.start, meeting__date__lte=period.end)
    if council is not None:
        in_period &= Q(meeting__council=council)
    # The time until the individual met the council: first slots where they took part.
    first = in_period & Q(purpose=Purpose.FIRST, record__individual_attended=True)
    submitted = TruncDate("referral__submitted_at")
    follow_up = in_period & Q(purpose=Purpose.FOLLOW_UP)
    done = AgendaItem.objects.filter(status=ItemStatus.DONE)
    if connections[done.db].vendor != "postgresql":
        # SQLite has no percentile_cont: the middle rows, a query or two per median.
        return (
            Median(*median_days(done.filter(first), F("meeting__date"), submitted)),
            Median(*median_days(done.filter(follow_up), F("meeting__date"), _previous_held_date())),
        )
    # The meeting before the follow-up: the latest earlier held slot of the same case, whatever its council,
    # for every held slot in one pass (a window over the slots up to the period's end), not a lookup per slot.
    previous = models.Window(
        Max("meeting__date"),
        partition_by=[F("referral_id")],
        order_by=F("meeting__date").asc(),
        # Up to the slots of the day before: a slot the same day is not an earlier meeting.
        frame=models.ValueRange(None, 0, exclusion=models.WindowFrameExclusion.GROUP),
    )
    # Counted where both ends are known, as percentile_cont leaves out a NULL.
    result = (
        done.filter(meeting__date__lte=period.end)
        .annotate(previous=previous)
        .order_by()
        .aggregate(
            to_meeting=median_seconds(F("meeting__date"), submitted, condition=first),
            to_meeting_count=Count(submitted, filter=first),
            to_follow_up=median_seconds(F("meeting__date"), F("previous"), condition=follow_up),
            to_follow_up_count=Count("previous", filter=follow_up),
        )
    )
    days = {
        key: None if result[key] is None else result[key] / 86400 for key in ("to_meeting", "to_follow_up")
    }
    return (
        Median(days["to_meeting"], result["to_meeting_count"]),
        Median(days["to_follow_up"], result["to_follow_up_count"]),
    )


def _previous_held_date() -> models.Subquery:
    """The date of the latest earlier held slot of the slot's case (SQLite's median, a lookup per slot)."""
    return models.Subquery(
        AgendaItem.objects.filter(
            referral_id=models.OuterRef("referral_id"),
            status=ItemStatus.DONE,
            meeting__date__lt=models.OuterRef("meeting__date"),
        )
        .order_by("-meeting__date")
        .values("meeting__date")[:1],
        output_field=models.DateField(),
    )


def _followed_up_items(period: Period, council: Council | None) -> QuerySet[PlanItem]:
    """The plan items followed up at the period's meetings.

    A plan item's status is recorded at its case's next held meeting (the
    follow-up); the item counts in the period where that meeting falls.
    """
    # Each held slot with the date of its case's next held slot, in one pass (a window), not one lookup per item.
    followed_up = (
        AgendaItem.objects.filter(status=ItemStatus.DONE, meeting__date__lte=period.end)
        .annotate(
            next_date=models.Window(
                Lead("meeting__date"), partition_by=[F("referral_id")], order_by=F("meeting__date").asc()
            )
        )
        .filter(next_date__range=(period.start, period.end))
    )
    items = PlanItem.objects.exclude(follow_up_status="").filter(record__item__in=followed_up.values("pk"))
    if council is not None:
        items = items.filter(record__item__meeting__council=council)
    return items


def _responses(period: Period, council: Council | None) -> QuerySet[Response]:
    """Each party's responses to the recommendations of the period's meetings.

    The period's records are a subquery (a hashed semi-join), not a join per response to its slot and meeting.
    """
    records = Record.objects.filter(
        item__meeting__date__gte=period.start, item__meeting__date__lte=period.end
    )
    if council is not None:
        records = records.filter(item__meeting__council=council)
    return Response.objects.filter(record__in=records.values("pk"))


def plan_and_response_counts(
    period: Period, council: Council | None
) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Plan items by status at the follow-up, and responses by party and answer: one query (UNION ALL)."""
    text = models.CharField()
    plan = (
        _followed_up_items(period, council)
        .order_by()
        .values(
            kind=Value("plan", output_field=text), a=F("follow_up_status"), b=Value("", output_field=text)
        )
        .annotate(count=Count("pk"))
    )
    responses = (
        _responses(period, council)
        .order_by()
        .values(kind=Value("response", output_field=text), a=F("party"), b=F("answer"))
        .annotate(count=Count("pk"))
    )
    statuses: dict[str, int] = {}
    answers: dict[tuple[str, str], int] = {}
    for row in _rows(plan.union(responses, all=True)):
        if row["kind"] == "plan":
            statuses[row["a"]] = row["count"]
        else:
            answers[(row["a"], row["b"])] = row["count"]
    return statuses, answers


def plan_share(period: Period, council: Council | None) -> Share:
    """The plan items followed up in the period, by how they went: one query."""
    return plan_share_of(plan_and_response_counts(period, council)[0])


def plan_share_of(counts: dict[str, int]) -> Share:
    """The plan table of the counts per status at the follow-up."""
    rows = [
        TableRow(str(label), str(code), [Cell(counts.get(code, 0))]) for code, label in FollowUpStatus.choices
    ]
    totals = TableRow(gettext("Total"), "total", [Cell(sum(counts.values()))])
    suppress([Sum([row.cells[0] for row in rows], totals.cells[0])])
    for row in [*rows, totals]:
        row.total = row.cells[0]
    table = Table(
        "plan",
        gettext("Plan items followed up in the period, by how they went"),
        gettext("At the follow-up"),
        [gettext("Plan items")],
        rows,
        totals,
        chart_title=gettext("Plan items at the follow-up"),
        total_column=False,
    )
    return Share(table)


def responses_table(period: Period, council: Council | None) -> Table:
    """Each party's responses to the recommendations of the period's meetings, by answer: one query."""
    return responses_table_of(plan_and_response_counts(period, council)[1])


def responses_table_of(answers_by_party: dict[tuple[str, str], int]) -> Table:
    """The responses table of the counts per party and answer."""
    answers = list(Answer.choices)
    position = {code: index for index, (code, _label) in enumerate(answers)}
    counts = {(party, position[answer]): count for (party, answer), count in answers_by_party.items()}
    return additive_table(
        "responses",
        gettext("The parties' responses to the recommendations, per party and response"),
        gettext("Party"),
        [str(label) for _code, label in answers],
        [(str(code), label) for code, label in Party.choices],
        counts,
        chart_title=gettext("Responses per party"),
    )


def statistics(period: Period, council: Council | None = None) -> Statistics:
    """Every table of the statistics page: five queries whatever the amount of data."""
    columns = [bucket.label for bucket in period.buckets()]
    to_meeting, to_follow_up = medians(period, council)
    counts = participant_counts(period, council)
    statuses, answers = plan_and_response_counts(period, council)
    return Statistics(
        period=period,
        council=council,
        columns=columns,
        participants=participants_table(period, counts, columns),
        referral_tables=referral_tables(period, council, columns),
        meetings=meetings_table(period, council, columns),
        to_meeting=to_meeting,
        to_follow_up=to_follow_up,
        plan=plan_share_of(statuses),
        responses=responses_table_of(answers),
        participant_counts=counts,
    )


# --- Uppföljning Finsam ------------------------------------------------------


def insats_name(council: Council | None) -> str:
    """The insats as the förbund reports it: the council's name, or "Resursråd" for all its councils."""
    return council.name if council is not None else gettext("Resursråd")


@dataclass(frozen=True)
class FinsamRow:
    """Participants in the insats in one period, exact (the national follow-up takes no masked figures)."""

    start: date
    end: date
    insats: str
    women: int
    men: int
    unstated: int

    @property
    def total(self) -> int:
        return self.women + self.men + self.unstated


def finsam_rows(
    period: Period, council: Council | None = None, counts: ParticipantCounts | None = None
) -> list[FinsamRow]:
    """One row per period with participants; none for an empty period. One query, none given the counts."""
    counts = counts or participant_counts(period, council, whole=False)
    name = insats_name(council)
    rows = []
    for index, bucket in enumerate(period.buckets()):
        row = FinsamRow(
            start=period.bucket_start(bucket),
            end=period.bucket_end(bucket),
            insats=name,
            women=counts.per_bucket.get((Sex.FEMALE, index), 0),
            men=counts.per_bucket.get((Sex.MALE, index), 0),
            unstated=counts.per_bucket.get((Sex.UNSPECIFIED, index), 0),
        )
        if row.total:
            rows.append(row)
    return rows


@dataclass
class FinsamLine:
    """A row of the Finsam figures as the page shows it: total, women, men, not stated, small counts hidden."""

    start: date
    end: date
    cells: list[Cell]


def finsam_on_screen(rows: list[FinsamRow]) -> list[FinsamLine]:
    lines = []
    for row in rows:
        total, *parts = cells = [Cell(row.total), Cell(row.women), Cell(row.men), Cell(row.unstated)]
        suppress([Sum(parts, total)])
        lines.append(FinsamLine(row.start, row.end, cells))
    return lines


def finsam_header() -> list[str]:
    return [
        gettext("Period from"),
        gettext("Period until"),
        gettext("Insats"),
        gettext("Participants in total"),
        gettext("Women"),
        gettext("Men"),
        gettext("Sex not stated"),
    ]


def finsam_file_name(period: Period, council: Council | None) -> str:
    """uppfoljning-finsam_2026-01-01_2026-12-31.csv (the council's number when one is chosen)."""
    parts = ["uppfoljning-finsam"]
    if council is not None:
        parts.append(f"rad-{council.pk}")
    parts += [period.start.isoformat(), period.end.isoformat()]
    return "_".join(parts) + ".csv"
