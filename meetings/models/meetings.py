"""Meetings, their agendas (one time slot per individual) and who is invited to each slot."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Referral
from cases.workflow import DomainError, Status
from meetings import notifications as meetings_notifications
from meetings.models.councils import Council, CouncilMember
from resursrad.models import Party, User

# How many meetings a series may hold (Meeting.series_days).
SERIES_LIMIT = 60
# The meeting's details that decide when each slot starts (the end decides only how many fit).
TIMING_FIELDS = frozenset({"date", "starts_at", "slot_minutes", "break_minutes"})


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    AGENDA_SENT = "agenda_sent", _("Agenda sent")
    HELD = "held", _("Held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# A meeting still to come: cases can be placed on it and moved between them.
OPEN_MEETING_STATES = frozenset({MeetingStatus.PLANNED, MeetingStatus.AGENDA_SENT})
# The agenda has gone out: council members read it (and the cases their party may see).
AGENDA_SENT_STATES = frozenset({MeetingStatus.AGENDA_SENT, MeetingStatus.HELD, MeetingStatus.CLOSED})


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        """Coordinators see their councils' meetings, members their own councils'; others nothing.

        A case worker reaches a meeting only through their own organisation's
        slots (AgendaItem.objects.visible_to), never the meeting as a whole.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        allowed = Q(pk__in=[])
        if user.is_coordinator:
            allowed |= Q(council__coordinators=user)
        if user.is_council_member:
            allowed |= Q(council__members__user=user)
        return self.filter(allowed).distinct()

    def open(self) -> MeetingQuerySet:
        return self.filter(status__in=OPEN_MEETING_STATES)

    def upcoming(self, today: date) -> MeetingQuerySet:
        return (
            self.filter(date__gte=today).exclude(status=MeetingStatus.CANCELLED).order_by("date", "starts_at")
        )

    def in_calendar_of(self, user: Any) -> MeetingQuerySet:
        """The meetings in the user's calendar.

        Coordinators and members: their councils' meetings. Case workers: the
        meetings where their organisation's cases have a planned or done slot.
        Subqueries, not joins, so that counts over the meetings stay right.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        allowed = Q(pk__in=[])
        if user.is_coordinator:
            allowed |= Q(council__in=Council.objects.coordinated_by(user).values("pk"))
        if user.is_council_member:
            allowed |= Q(council__in=Council.objects.with_member(user).values("pk"))
        if user.is_case_worker and user.organisation_id:
            own_slots = (
                AgendaItem.objects.shown()
                .filter(referral__organisation_id=user.organisation_id)
                .exclude(referral__status=Status.DISCARDED)
            )
            allowed |= Q(pk__in=own_slots.values("meeting_id"))
        return self.filter(allowed)

    def with_slot_count(self) -> MeetingQuerySet:
        """Each meeting with ``slot_count``: its planned and done slots."""
        return self.annotate(
            slot_count=models.Count("items", filter=~Q(items__status=ItemStatus.REMOVED), distinct=True)
        )

    # --- plan ---

    def planned_by(self, user: Any) -> MeetingQuerySet:
        """The meetings of the councils the user coordinates."""
        return self.filter(council__in=Council.objects.coordinated_by(user))

    def coming_choices(
        self, user: Any, today: date, *, council: Council | int | None = None, exclude: int | None = None
    ) -> MeetingQuerySet:
        """The open coming meetings the user plans (of one council, but one meeting's id), as choices
        with their counts."""
        meetings = self.planned_by(user).open().upcoming(today)
        if council is not None:
            meetings = meetings.filter(council=council)
        if exclude is not None:
            meetings = meetings.exclude(pk=exclude)
        return meetings.as_choices().with_planned_count()

    def as_choices(self) -> MeetingQuerySet:
        """What a list of meetings and a meeting choice show (planning, agenda): no more columns.

        The domain methods read the meeting anew, locked (Meeting.locked).
        """
        return self.select_related("council").only(
            "council__name",
            "date",
            "starts_at",
            "ends_at",
            "place",
            "status",
            "slot_minutes",
            "break_minutes",
        )

    def with_planned_count(self) -> MeetingQuerySet:
        """planned_count: how many cases have a time on each meeting's agenda, in the same query.

        A count per meeting in a subquery, not a join and GROUP BY: PostgreSQL counts only the
        meetings a LIMIT keeps, after their order, instead of every matching meeting's slots first.
        """
        planned = (
            AgendaItem.objects.filter(meeting=models.OuterRef("pk"), status=ItemStatus.PLANNED)
            .order_by()
            .values("meeting")
            .annotate(count=models.Count("pk"))
            .values("count")
        )
        return self.annotate(
            planned_count=Coalesce(models.Subquery(planned, output_field=models.IntegerField()), 0)
        )


class Meeting(models.Model):
    """One council meeting: a day's agenda of slots, one per individual."""

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.PROTECT, related_name="meetings"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    remote_link = models.URLField(
        _("link for remote participation"), max_length=500, blank=True, help_text=_("Optional.")
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=45)
    break_minutes = models.PositiveSmallIntegerField(_("break between slots (minutes)"), default=15)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    # The meetings created together as a series share this value.
    series = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    agenda_sent_at = models.DateTimeField(_("agenda sent"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Optimistic locking for edits of the meeting's details.
    version = models.PositiveIntegerField(default=1)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["date", "starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(
                name="meeting_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(
                name="meeting_status_is_known", condition=Q(status__in=MeetingStatus.values)
            ),
            models.CheckConstraint(
                name="meeting_slot_length_sensible", condition=Q(slot_minutes__gte=10, slot_minutes__lte=240)
            ),
        ]
        indexes = [models.Index(fields=["council", "date"], name="meeting_council_date")]

    def __str__(self) -> str:
        return f"{self.council} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_MEETING_STATES

    @property
    def agenda_is_sent(self) -> bool:
        return self.status in AGENDA_SENT_STATES

    def start_datetime(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.starts_at))

    def end_datetime(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.date, self.ends_at))

    def slot_times(self, count: int) -> list[tuple[time, time]]:
        """The start and end of ``count`` slots in order: slot length, then a break, from the start."""
        times = []
        start = datetime.combine(self.date, self.starts_at)
        for _index in range(count):
            end = start + timedelta(minutes=self.slot_minutes)
            times.append((start.time(), end.time()))
            start = end + timedelta(minutes=self.break_minutes)
        return times

    def has_room_after(self, count: int) -> bool:
        """Whether a slot after ``count`` planned ones would start before the meeting's end.

        A slot that starts before the end but runs past it is allowed (the
        agenda warns, see ``overruns``): the coordinator may run a little over.
        A slot that would start at or after the end is not on the meeting at all.
        """
        start = datetime.combine(self.date, self.starts_at) + count * timedelta(
            minutes=self.slot_minutes + self.break_minutes
        )
        return start < datetime.combine(self.date, self.ends_at)

    def _check_room(self, planned: int) -> None:
        """Call on the locked row, with the number of slots already planned."""
        if not self.has_room_after(planned):
            raise MeetingFull(
                gettext(
                    "The meeting is full: there is no time left before the meeting's end. "
                    "Choose another meeting or make the meeting longer."
                )
            )

    def overruns(self, count: int) -> bool:
        """Whether ``count`` slots run past the meeting's end."""
        if count == 0:
            return False
        slots = count * timedelta(minutes=self.slot_minutes) + (count - 1) * timedelta(
            minutes=self.break_minutes
        )
        return datetime.combine(self.date, self.starts_at) + slots > datetime.combine(self.date, self.ends_at)

    @staticmethod
    def series_days(first: dt.date, last: dt.date, every_weeks: int) -> list[dt.date]:
        """The dates of a series: ``first``, then every ``every_weeks`` weeks up to ``last``.

        A DomainError if ``last`` is before ``first``, the step is not one to
        eight weeks, or the series would hold more than SERIES_LIMIT meetings.
        """
        if last < first:
            raise DomainError(gettext("The last date must not be before the first."))
        if not 1 <= every_weeks <= 8:
            raise DomainError(gettext("Choose between every week and every eighth week."))
        days: list[dt.date] = []
        day = first
        while day <= last:
            if len(days) == SERIES_LIMIT:
                raise DomainError(gettext("A series can hold at most 60 meetings. Choose a shorter period."))
            days.append(day)
            day += timedelta(weeks=every_weeks)
        return days

    @classmethod
    def create_series(
        cls,
        *,
        council: Council,
        first: dt.date,
        last: dt.date,
        every_weeks: int,
        starts_at: time,
        ends_at: time,
        place: str = "",
        remote_link: str = "",
    ) -> list[Meeting]:
        """Meetings on the same weekday every ``every_weeks`` weeks from ``first`` to ``last``, on the council's defaults."""
        if ends_at <= starts_at:
            raise DomainError(gettext("The meeting must end after it starts."))
        days = cls.series_days(first, last, every_weeks)
        series = uuid.uuid4()
        meetings = [
            cls(
                council=council,
                date=day,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place or council.default_place,
                remote_link=remote_link,
                slot_minutes=council.slot_minutes,
                break_minutes=council.break_minutes,
                series=series,
            )
            for day in days
        ]
        return cls.objects.bulk_create(meetings)

    # --- planning -----------------------------------------------------------

    def locked(self) -> Meeting:
        """This meeting's row, locked until the transaction ends (call inside ``transaction.atomic``)."""
        return Meeting.objects.select_for_update().get(pk=self.pk)

    def _check_open(self) -> None:
        if self.status not in OPEN_MEETING_STATES:
            raise DomainError(
                gettext("The meeting is “%(status)s”: its agenda can no longer change.")
                % {"status": self.get_status_display()}
            )

    def place_case(
        self,
        referral: Referral,
        *,
        by: User,
        participation: str = "",
        interpreter_language: str = "",
        today: dt.date | None = None,
    ) -> AgendaItem:
        """Give the case the next slot on this meeting's agenda, and move the referral to "scheduled"."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # Two coordinators planning the same meeting, or the same case into
            # two meetings at once: the meeting lock orders the positions, and the
            # referral's lock (in perform) and the one-open-slot constraint refuse
            # the second placement of a case.
            meeting = self.locked()
            meeting._check_open()
            if meeting.date < today:
                raise DomainError(gettext("The meeting has already taken place. Choose a coming meeting."))
            purpose = Purpose.FOLLOW_UP if referral.status == Status.FOLLOW_UP else Purpose.FIRST
            planned = meeting.items.planned().aggregate(count=models.Count("pk"), last=models.Max("position"))
            position = (planned["last"] or 0) + 1
            try:
                with transaction.atomic():
                    item = AgendaItem.objects.create(
                        meeting=meeting,
                        referral=referral,
                        position=position,
                        purpose=purpose,
                        participation=participation or _default_participation(referral),
                        interpreter_language=interpreter_language
                        or (
                            referral.participant.interpreter_language
                            if referral.participant.needs_interpreter
                            else ""
                        ),
                        case_worker=referral.handler,
                    )
            except IntegrityError as error:
                raise DomainError(
                    gettext("The case already has a time on an agenda. Move it from there instead.")
                ) from error
            # After the insert, so that a case placed twice hears that first; the
            # meeting lock makes two placements into the last slot take turns.
            meeting._check_room(planned["count"])
            # Raises (and rolls back the slot) unless the case waits in the backlog
            # and consent still covers its parties.
            referral.perform("schedule", by=by, today=today)
            item.invite_parties_with_consent(today)
            meetings_notifications.after_placed(item, by=by)
        return item

    # --- running the meeting ---------------------------------------------

    def after_record_finalised(self) -> None:
        """Call on the locked row: the meeting is held with its first finalised record, closed with its last."""
        unfinished = (
            self.items.shown().filter(Q(record__isnull=True) | Q(record__finalised_at__isnull=True)).exists()
        )
        status = MeetingStatus.HELD if unfinished else MeetingStatus.CLOSED
        if self.status != status:
            self.status = status
            self.save(update_fields=["status", "updated_at"])

    # --- plan: creating, editing, cancelling and sending -----------------------

    @classmethod
    def _overlapping(cls, council_id: int, day: dt.date, starts_at: time, ends_at: time) -> MeetingQuerySet:
        return cls.objects.filter(
            council_id=council_id, date=day, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exclude(status=MeetingStatus.CANCELLED)

    @staticmethod
    def _check_times(day: dt.date, starts_at: time, ends_at: time, today: dt.date) -> None:
        if ends_at <= starts_at:
            raise DomainError(gettext("The meeting must end after it starts."))
        if day < today:
            raise DomainError(gettext("The date has passed. Choose today or a later date."))

    @classmethod
    def plan(
        cls,
        *,
        council: Council,
        date: dt.date,
        starts_at: time,
        ends_at: time,
        place: str,
        remote_link: str = "",
        slot_minutes: int,
        break_minutes: int,
        today: dt.date | None = None,
    ) -> tuple[Meeting, bool]:
        """A new meeting of the council; the same meeting again (a double submit) gives the first, with False."""
        cls._check_times(date, starts_at, ends_at, today or timezone.localdate())
        with transaction.atomic():
            # Two coordinators (or two clicks) creating a meeting of one council
            # at once: the council's lock orders them, and the second sees the
            # first's meeting.
            Council.objects.select_for_update().get(pk=council.pk)
            clash = cls._overlapping(council.pk, date, starts_at, ends_at).first()
            fields = {
                "date": date,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "place": place,
                "remote_link": remote_link,
                "slot_minutes": slot_minutes,
                "break_minutes": break_minutes,
            }
            if clash is not None:
                if all(getattr(clash, name) == value for name, value in fields.items()):
                    return clash, False
                raise DomainError(
                    gettext(
                        "The council already has a meeting on %(date)s from %(start)s to %(end)s. "
                        "Choose another time."
                    )
                    % {
                        "date": clash.date.isoformat(),
                        "start": f"{clash.starts_at:%H:%M}",
                        "end": f"{clash.ends_at:%H:%M}",
                    }
                )
            return cls.objects.create(council=council, **fields), True

    @classmethod
    def plan_series(
        cls,
        *,
        council: Council,
        first: dt.date,
        last: dt.date,
        every_weeks: int,
        starts_at: time,
        ends_at: time,
        place: str = "",
        remote_link: str = "",
        today: dt.date | None = None,
    ) -> tuple[list[Meeting], bool]:
        """A series on the council's defaults; the same series again (a double submit) gives the first, with False."""
        cls._check_times(first, starts_at, ends_at, today or timezone.localdate())
        days = cls.series_days(first, last, every_weeks)
        with transaction.atomic():
            # As in plan: the council's lock orders two series created at once.
            Council.objects.select_for_update().get(pk=council.pk)
            clashes = list(
                cls.objects.filter(
                    council=council, date__in=days, starts_at__lt=ends_at, ends_at__gt=starts_at
                ).exclude(status=MeetingStatus.CANCELLED)
            )
            if clashes:
                same = {m.date for m in clashes if m.starts_at == starts_at and m.ends_at == ends_at}
                if same == set(days) and len(clashes) == len(days):
                    return sorted(clashes, key=lambda m: m.date), False
                dates = ", ".join(sorted({m.date.isoformat() for m in clashes}))
                raise DomainError(
                    gettext(
                        "The council already has a meeting at that time on: %(dates)s. "
                        "No meeting has been created; choose other dates or times."
                    )
                    % {"dates": dates}
                )
            meetings = cls.create_series(
                council=council,
                first=first,
                last=last,
                every_weeks=every_weeks,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                remote_link=remote_link,
            )
        return meetings, True

    def update_details(
        self, *, expected_version: int, today: dt.date | None = None, by: User | None = None, **fields: Any
    ) -> bool:
        """Save new details unless someone else saved first (then MeetingEditConflict); False if nothing changed."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # Lock order: the council (as plan takes it), then the meeting.
            Council.objects.select_for_update().get(pk=self.council_id)
            meeting = self.locked()
            unchanged = all(getattr(meeting, name) == value for name, value in fields.items())
            if meeting.version != expected_version:
                if unchanged:
                    # The same edit arrived twice (a double click): nothing to overwrite.
                    return False
                raise MeetingEditConflict(meeting)
            meeting._check_open()
            if unchanged:
                return False
            day = fields.get("date", meeting.date)
            starts_at = fields.get("starts_at", meeting.starts_at)
            ends_at = fields.get("ends_at", meeting.ends_at)
            self._check_times(day, starts_at, ends_at, min(today, meeting.date))
            planned = meeting.items.planned().count()
            edited = Meeting(
                date=day,
                starts_at=starts_at,
                ends_at=ends_at,
                slot_minutes=fields.get("slot_minutes", meeting.slot_minutes),
                break_minutes=fields.get("break_minutes", meeting.break_minutes),
            )
            if planned and not edited.has_room_after(planned - 1):
                raise AgendaDoesNotFit(
                    gettext(
                        "With these times the last of the %(count)s cases on the agenda would start at "
                        "or after the meeting's end. Enter a later end time, shorten the slots or breaks, "
                        "or first move cases to another meeting."
                    )
                    % {"count": planned}
                )
            clash = (
                self._overlapping(meeting.council_id, day, starts_at, ends_at).exclude(pk=meeting.pk).first()
            )
            if clash is not None:
                raise DomainError(
                    gettext(
                        "The council already has a meeting on %(date)s from %(start)s to %(end)s. Choose another time."
                    )
                    % {
                        "date": clash.date.isoformat(),
                        "start": f"{clash.starts_at:%H:%M}",
                        "end": f"{clash.ends_at:%H:%M}",
                    }
                )
            moves_slots = any(
                name in TIMING_FIELDS and getattr(meeting, name) != value for name, value in fields.items()
            )
            for name, value in fields.items():
                setattr(meeting, name, value)
            meeting.version += 1
            meeting.save(update_fields=[*fields, "version", "updated_at"])
            if moves_slots:
                times_changed(list(meeting.items.planned().values_list("pk", flat=True)), by=by)
        self.refresh_from_db()
        return True

    def cancel(self, *, by: User, reason: str) -> bool:
        """Cancel the meeting: its planned cases go back to the backlog. False if it was already cancelled."""
        reason = reason.strip()
        if not reason:
            raise DomainError(gettext("Write why the meeting is cancelled."))
        with transaction.atomic():
            meeting = self.locked()
            if meeting.status == MeetingStatus.CANCELLED:
                return False
            meeting._check_open()
            # Lock order: meeting, slots, referrals (in perform).
            items = list(meeting.items.planned().select_for_update().order_by("position", "pk"))
            comment = gettext("The meeting on %(date)s was cancelled.") % {"date": meeting.date.isoformat()}
            for item in items:
                item.status = ItemStatus.REMOVED
                item.save(update_fields=["status", "updated_at"])
                name = "unschedule_follow_up" if item.purpose == Purpose.FOLLOW_UP else "unschedule"
                referral = Referral.objects.select_related("handler").get(pk=item.referral_id)
                referral.perform(name, by=by, comment=comment)
                meetings_notifications.after_taken_off(item)
            meetings_notifications.after_cancelled(
                meeting, items, agenda_was_sent=meeting.agenda_is_sent, by=by
            )
            meeting.status = MeetingStatus.CANCELLED
            meeting.cancel_reason = reason[:300]
            meeting.version += 1
            meeting.save(update_fields=["status", "cancel_reason", "version", "updated_at"])
        self.refresh_from_db()
        return True

    def send_agenda(self, *, by: User, now: datetime | None = None) -> bool:
        """Send the agenda to the council's members; False if it had already been sent."""
        with transaction.atomic():
            meeting = self.locked()
            if meeting.status == MeetingStatus.AGENDA_SENT:
                return False
            if meeting.status != MeetingStatus.PLANNED:
                meeting._check_open()
            if not meeting.items.planned().exists():
                raise DomainError(gettext("The agenda is empty. Place at least one case before you send it."))
            meeting.status = MeetingStatus.AGENDA_SENT
            meeting.agenda_sent_at = now or timezone.now()
            meeting.version += 1
            meeting.save(update_fields=["status", "agenda_sent_at", "version", "updated_at"])
            meetings_notifications.after_agenda_sent(meeting, by=by)
        self.refresh_from_db()
        return True


class MeetingFull(DomainError):
    """No slot would start before the meeting's end: nothing more can be placed on it."""


class AgendaDoesNotFit(DomainError):
    """New times would leave planned slots starting at or after the meeting's end."""

    # The form field the message belongs beside.
    field = "ends_at"


class MeetingEditConflict(DomainError):
    """Someone else saved the meeting's details after the editor opened them."""

    def __init__(self, current: Meeting) -> None:
        super().__init__(
            gettext(
                "Someone else saved this meeting while you were editing. The saved details are shown "
                "beside your changes; compare them and save again."
            )
        )
        self.current = current


def times_changed(item_pks: list[int], *, by: User | None) -> None:
    """These slots' start times changed: raise their calendar SEQUENCE and send the updated invitations.

    Call in the changing transaction, with the meeting locked.
    """
    if not item_pks:
        return
    AgendaItem.objects.filter(pk__in=item_pks).update(sequence=models.F("sequence") + 1)
    for item in AgendaItem.objects.filter(pk__in=item_pks).select_related("meeting", "referral__handler"):
        meetings_notifications.after_time_changed(item, by=by)


def _default_participation(referral: Referral) -> str:
    return ParticipationMode.REMOTE if referral.participation == "remote" else ParticipationMode.ON_SITE


class Purpose(models.TextChoices):
    FIRST = "first", _("First meeting")
    FOLLOW_UP = "follow_up", _("Follow-up")


class ItemStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    REMOVED = "removed", _("Taken off the agenda")


class ParticipationMode(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")


class AgendaItemQuerySet(models.QuerySet["AgendaItem"]):
    def planned(self) -> AgendaItemQuerySet:
        return self.filter(status=ItemStatus.PLANNED)

    def shown(self) -> AgendaItemQuerySet:
        """The slots an agenda shows: planned and done, not those taken off."""
        return self.exclude(status=ItemStatus.REMOVED)

    def for_agenda(self) -> AgendaItemQuerySet:
        """What the planning agenda shows of each slot, in its order, and no more.

        The case number and parties, never the individual: of the referral and
        its participant only what the access log writes (AccessLog.record_many);
        the attending case worker's name. The representatives come from
        Representative.names_by_item.
        """
        return (
            self.order_by("position", "pk")
            .select_related("referral__participant", "case_worker")
            .only(
                "meeting",
                "position",
                "purpose",
                "status",
                "participation",
                "interpreter_language",
                "referral__case_number",
                "referral__requested_parties",
                "referral__participant__number_hash",
                "case_worker__first_name",
                "case_worker__last_name",
            )
        )

    def visible_to(self, user: Any, today: date | None = None) -> AgendaItemQuerySet:
        """The slots the user may see; everything else is a 404.

        Coordinators see every slot in their councils; case workers their own
        organisation's cases' slots; council members the slots on their
        councils' agendas while their own party's consent is in force.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        today = today or timezone.localdate()
        allowed = Q(pk__in=[])
        if user.is_coordinator:
            allowed |= Q(meeting__council__coordinators=user)
        if user.is_case_worker and user.organisation_id:
            allowed |= Q(referral__organisation_id=user.organisation_id)
        if user.is_council_member:
            allowed |= _member_reads(user, today)
        return self.filter(allowed).exclude(referral__status=Status.DISCARDED).distinct()

    def in_calendar_of(self, user: Any, today: date | None = None) -> AgendaItemQuerySet:
        """The slots whose case numbers the user's calendar shows.

        As ``visible_to``, but a council member sees a case number only once the
        agenda has been sent (unless they also coordinate the council or refer the case).
        """
        items = self.visible_to(user, today).shown()
        if not user.is_council_member:
            return items
        before_sending = Q(meeting__status__in=AGENDA_SENT_STATES)
        if user.is_coordinator:
            before_sending |= Q(meeting__council__in=Council.objects.coordinated_by(user).values("pk"))
        if user.is_case_worker and user.organisation_id:
            before_sending |= Q(referral__organisation_id=user.organisation_id)
        return items.filter(before_sending)

    def read_by_council(self, user: Any, today: date | None = None) -> AgendaItemQuerySet:
        """The slots a user reads on a sent agenda, as its council's coordinator or member.

        Members read only while their own party's consent is in force; case
        workers and everyone else read nothing here.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        today = today or timezone.localdate()
        allowed = Q(pk__in=[])
        if user.is_coordinator:
            allowed |= Q(meeting__council__in=Council.objects.coordinated_by(user).values("pk"))
        if user.is_council_member:
            allowed |= _member_reads(user, today)
        return (
            self.shown()
            .filter(allowed, meeting__status__in=AGENDA_SENT_STATES)
            .exclude(referral__status=Status.DISCARDED)
            .distinct()
        )


def _member_reads(user: Any, today: date) -> Q:
    """A council member's slots: their councils', while their own party's consent is in force."""
    memberships = CouncilMember.objects.filter(user=user)
    return Q(
        meeting__council__in=memberships.values("council"),
        referral__consents__party__in=memberships.values("party"),
        referral__consents__withdrawn_on__isnull=True,
        referral__consents__given_on__lte=today,
        referral__consents__valid_until__gte=today,
    ) & ~Q(referral__status=Status.CONSENT_ENDED)


class AgendaItem(models.Model):
    """A time slot on a meeting's agenda for one individual's case."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="items"
    )
    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.FIRST)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PLANNED
    )
    participation = models.CharField(
        _("the individual takes part"),
        max_length=10,
        choices=ParticipationMode.choices,
        default=ParticipationMode.ON_SITE,
    )
    interpreter_language = models.CharField(
        _("interpreter"), max_length=60, blank=True, help_text=_("The language, if an interpreter is needed.")
    )
    # The referring handläggare who attends as the individual's support.
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attending case worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attended_agenda_items",
    )
    # The calendar invitation's SEQUENCE (RFC 5545): raised each time the slot's
    # time changes, so that calendars take the updated invitation over the old one.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            # A case is never in two open meetings at once.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(status=ItemStatus.PLANNED),
                name="agenda_item_one_planned_per_case",
            ),
            models.CheckConstraint(
                name="agenda_item_status_is_known", condition=Q(status__in=ItemStatus.values)
            ),
        ]
        indexes = [models.Index(fields=["meeting", "status", "position"], name="agenda_item_meeting_order")]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.position} {self.referral.case_number}"

    def invite_parties_with_consent(self, today: date) -> None:
        """Invite the council's members of each requested party whose consent is in force."""
        parties = self.referral.parties_with_consent(today)
        members = CouncilMember.objects.filter(council_id=self.meeting.council_id, party__in=parties)
        Representative.objects.bulk_create(
            [Representative(item=self, member=member) for member in members], ignore_conflicts=True
        )

    @property
    def is_planned(self) -> bool:
        return self.status == ItemStatus.PLANNED

    def take_off(self, *, by: User, comment: str = "") -> None:
        """Take the case off the agenda: it returns to the backlog, first meeting or follow-up."""
        with transaction.atomic():
            # Lock order everywhere: meeting, slot, referral (see Meeting.place_case).
            meeting = self.meeting.locked()
            meeting._check_open()
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            if item.status != ItemStatus.PLANNED:
                raise DomainError(gettext("The case is no longer on this agenda."))
            later = item.later_slots()
            item.status = ItemStatus.REMOVED
            item.save(update_fields=["status", "updated_at"])
            self.status = item.status
            name = "unschedule_follow_up" if item.purpose == Purpose.FOLLOW_UP else "unschedule"
            item.referral.perform(name, by=by, comment=comment)
            meetings_notifications.after_taken_off(item)
            times_changed(later, by=by)

    def move_to(self, other: Meeting, *, by: User) -> AgendaItem:
        """Move the case to another coming meeting of the same council, last on its agenda."""
        if other.pk == self.meeting_id:
            raise DomainError(gettext("Choose another meeting than this one."))
        if other.council_id != self.meeting.council_id:
            raise DomainError(gettext("A case can only be moved to a meeting of the same council."))
        with transaction.atomic():
            # Both meetings locked in one order, so two moves in opposite directions cannot deadlock.
            meetings = {
                m.pk: m
                for m in Meeting.objects.select_for_update()
                .filter(pk__in=[self.meeting_id, other.pk])
                .order_by("pk")
            }
            for meeting in meetings.values():
                meeting._check_open()
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            if item.status != ItemStatus.PLANNED:
                raise DomainError(gettext("The case is no longer on this agenda."))
            target = meetings[other.pk]
            if target.date < timezone.localdate():
                raise DomainError(gettext("The meeting has already taken place. Choose a coming meeting."))
            planned = target.items.planned().aggregate(count=models.Count("pk"), last=models.Max("position"))
            target._check_room(planned["count"])
            later = item.later_slots()
            item.status = ItemStatus.REMOVED
            item.save(update_fields=["status", "updated_at"])
            position = (planned["last"] or 0) + 1
            moved = AgendaItem.objects.create(
                meeting=target,
                referral_id=item.referral_id,
                position=position,
                purpose=item.purpose,
                participation=item.participation,
                interpreter_language=item.interpreter_language,
                case_worker_id=item.case_worker_id,
            )
            Representative.objects.bulk_create(
                [Representative(item=moved, member_id=r.member_id) for r in item.representatives.all()]
            )
            meetings_notifications.after_taken_off(item)
            meetings_notifications.after_placed(moved, by=by)
            times_changed(later, by=by)
        self.status = ItemStatus.REMOVED
        return moved

    # --- plan: times, order and the slot's details ------------------------------

    def times(self) -> tuple[datetime, datetime]:
        """When this slot starts and ends (aware, local time), from its place in the agenda's order."""
        before = (
            self.meeting.items.planned()
            .filter(Q(position__lt=self.position) | Q(position=self.position, pk__lt=self.pk))
            .count()
        )
        start, end = self.meeting.slot_times(before + 1)[before]
        day = self.meeting.date
        return (
            timezone.make_aware(datetime.combine(day, start)),
            timezone.make_aware(datetime.combine(day, end)),
        )

    def later_slots(self) -> list[int]:
        """The planned slots after this one on its agenda: their times move up if it leaves."""
        return list(
            self.meeting.items.planned()
            .filter(Q(position__gt=self.position) | Q(position=self.position, pk__gt=self.pk))
            .values_list("pk", flat=True)
        )

    def move_within(self, step: int, *, by: User, seen_position: int | None = None) -> None:
        """Move the slot one step earlier (-1) or later (+1) on its agenda; the others keep their order.

        ``seen_position`` is the position the page showed: if the agenda has
        changed since (another coordinator, or a second click), nothing moves.
        """
        if step not in (-1, 1):
            raise DomainError(gettext("Choose up or down."))
        with transaction.atomic():
            # Two coordinators reordering one agenda: the meeting lock orders them.
            meeting = self.meeting.locked()
            meeting._check_open()
            items = list(meeting.items.planned().order_by("position", "pk"))
            index = next((i for i, item in enumerate(items) if item.pk == self.pk), None)
            if index is None:
                raise DomainError(gettext("The case is no longer on this agenda."))
            if seen_position is not None and items[index].position != seen_position:
                raise DomainError(
                    gettext("The agenda has changed since you opened it. Check the order and try again.")
                )
            target = index + step
            if not 0 <= target < len(items):
                raise DomainError(
                    gettext("The case is already first on the agenda.")
                    if step < 0
                    else gettext("The case is already last on the agenda.")
                )
            items[index], items[target] = items[target], items[index]
            now = timezone.now()
            changed = []
            for number, item in enumerate(items, start=1):
                if item.position != number:
                    item.position = number
                    item.updated_at = now
                    changed.append(item)
            AgendaItem.objects.bulk_update(changed, ["position", "updated_at"])
            # Only the two swapped slots change their times; the renumbering of the
            # others (gaps left by slots taken off) moves no time.
            times_changed([items[index].pk, items[target].pk], by=by)
        self.refresh_from_db(fields=["position"])

    def set_details(
        self,
        *,
        by: User,
        case_worker: User | None,
        members: list[CouncilMember],
        interpreter_language: str,
        participation: str,
        today: dt.date | None = None,
    ) -> None:
        """The attending handläggare, the invited representatives, the interpreter and how the individual takes part.

        Only members of this council whose party's consent is in force may be invited.
        """
        today = today or timezone.localdate()
        if participation not in ParticipationMode.values:
            raise DomainError(gettext("Choose on site or remote."))
        with transaction.atomic():
            # Lock order: meeting, slot, referral. The referral's lock waits for a
            # consent withdrawal under way, so the consents read below are current.
            meeting = self.meeting.locked()
            meeting._check_open()
            item = AgendaItem.objects.select_for_update().get(pk=self.pk)
            if item.status != ItemStatus.PLANNED:
                raise DomainError(gettext("The case is no longer on this agenda."))
            referral = Referral.objects.select_for_update().get(pk=item.referral_id)
            if case_worker is not None and not (
                case_worker.is_active
                and case_worker.is_case_worker
                and case_worker.organisation_id == referral.organisation_id
            ):
                raise DomainError(
                    gettext("The attending case worker must be a case worker of the referring organisation.")
                )
            allowed = set(referral.parties_with_consent(today))
            for member in members:
                if member.council_id != meeting.council_id:
                    raise DomainError(gettext("Choose members of this meeting's council."))
                if member.party not in allowed:
                    raise DomainError(
                        gettext(
                            "%(party)s has no consent in force for this case: its representatives "
                            "cannot be invited."
                        )
                        % {"party": Party(member.party).label}
                    )
            item.case_worker = case_worker
            item.interpreter_language = interpreter_language.strip()
            item.participation = participation
            item.save(update_fields=["case_worker", "interpreter_language", "participation", "updated_at"])
            item.representatives.exclude(member__in=members).delete()
            Representative.objects.bulk_create(
                [Representative(item=item, member=member) for member in members], ignore_conflicts=True
            )
        self.refresh_from_db()

    def case_worker_choices(self) -> Any:
        """Who may attend as the individual's support: the referring organisation's active case workers."""
        return User.objects.filter(
            is_active=True, is_case_worker=True, organisation_id=self.referral.organisation_id
        ).order_by("first_name", "last_name", "pk")

    def representative_choices(self, today: dt.date) -> Any:
        """The council's members whose party has consent in force for this case: only they may be invited."""
        parties = self.referral.parties_with_consent(today)
        return (
            CouncilMember.objects.filter(council_id=self.meeting.council_id, party__in=parties)
            .select_related("user")
            .order_by("party", "role", "pk")
        )

    def withdraw_parties(self, parties: list[str]) -> int:
        """Parties whose consent ended leave the slot: their representatives are no longer invited."""
        deleted, _counts = self.representatives.filter(member__party__in=parties).delete()
        return deleted


class Representative(models.Model):
    """A council member invited to a slot for their party (only a party whose consent is in force)."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="representatives"
    )
    member = models.ForeignKey(
        CouncilMember, verbose_name=_("council member"), on_delete=models.CASCADE, related_name="invitations"
    )

    class Meta:
        ordering = ["member__party", "pk"]
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["item", "member"], name="representative_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.member} @ {self.item_id}"

    @property
    def party_label(self) -> str:
        return str(Party(self.member.party).label)

    @classmethod
    def name_rows(cls, item_ids: list[int]) -> QuerySet[Representative, tuple[int, str, str, str]]:
        """(slot id, party, first name, last name) of the slots' representatives, by party."""
        return (
            cls.objects.filter(item__in=item_ids)
            .order_by("member__party", "pk")
            .values_list("item_id", "member__party", "member__user__first_name", "member__user__last_name")
        )

    @classmethod
    def names_by_item(
        cls, items: list[AgendaItem], rows: Iterable[tuple[int, str, str, str]] | None = None
    ) -> dict[int, list[tuple[str, str]]]:
        """Each slot's invited representatives as (name, party label), in the agenda's order (by party).

        One query of four columns for the whole agenda: a prefetch would make
        three objects per representative for two words each. ``rows`` are
        name_rows' for these slots, where the caller has them already.
        """
        names: dict[int, list[tuple[str, str]]] = {item.pk: [] for item in items}
        labels = {party.value: str(party.label) for party in Party}
        if rows is None:
            rows = cls.name_rows([item.pk for item in items])
        for item_id, party, first_name, last_name in rows:
            names[item_id].append((f"{first_name} {last_name}".strip(), labels[party]))
        return names
