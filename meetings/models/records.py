"""The record of a slot: what was said and agreed when the council met one individual."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.workflow import DomainError
from meetings import notifications as meetings_notifications
from meetings.models.councils import CouncilMember
from meetings.models.meetings import (
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    ParticipationMode,
    Purpose,
)
from resursrad.models import Party

if TYPE_CHECKING:
    from resursrad.models import User

# The fields of a record a draft saves, besides its rows (attendance, perspectives, plan).
RECORD_FIELDS = (
    "individual_attended",
    "individual_participation",
    "own_account",
    "own_account_declined",
    "recommendation",
    "follow_up_on",
    "gap_note",
)

TEXT_LIMIT = 4000


class Outcome(models.TextChoices):
    """What happens to the case as the record is finalised."""

    HELD = "held", _("The plan is followed up at a later meeting")
    CLOSED = "closed", _("The case is closed")
    BACKLOG = "backlog", _("The case goes back among the cases waiting for a meeting")


class Record(models.Model):
    """The meeting record for one slot: own account first, then perspectives, recommendation and plan."""

    item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="record"
    )
    # Attendance of the individual: unknown until recorded.
    individual_attended = models.BooleanField(_("the individual took part"), null=True, blank=True)
    individual_participation = models.CharField(
        _("how the individual took part"), max_length=10, choices=ParticipationMode.choices, blank=True
    )
    own_account = models.TextField(_("the individual's own account"), max_length=TEXT_LIMIT, blank=True)
    own_account_declined = models.BooleanField(
        _("the individual chose not to give an own account"), default=False
    )
    recommendation = models.TextField(_("the group's recommendation"), max_length=TEXT_LIMIT, blank=True)
    follow_up_on = models.DateField(_("follow-up on"), null=True, blank=True)
    # Gaps between the parties noticed in the meeting (glapp): a note, with no names.
    gap_note = models.TextField(_("gaps noticed between the parties"), max_length=TEXT_LIMIT, blank=True)
    # What the coordinator decided as the record was finalised (see Outcome).
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finalised by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("meeting record")
        verbose_name_plural = _("meeting records")
        constraints = [
            # The meeting opens with the individual's own account: no
            # recommendation without it, unless the individual declined to give one.
            models.CheckConstraint(
                name="record_recommendation_after_own_account",
                condition=Q(recommendation="") | ~Q(own_account="") | Q(own_account_declined=True),
            ),
            models.CheckConstraint(
                name="record_finalised_has_who",
                condition=Q(finalised_at__isnull=True) | Q(finalised_by__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item}"

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None

    # --- reads -------------------------------------------------------------

    @classmethod
    def for_item(cls, item: AgendaItem) -> Record:
        """The slot's record, or a new empty one (version 0, not saved) when nobody has written yet."""
        try:
            return item.record
        except cls.DoesNotExist:
            return cls(item=item, version=0)

    @property
    def status_label(self) -> str:
        if self.is_final:
            return gettext("Finalised")
        if self.pk:
            return gettext("Draft")
        return gettext("Not started")

    def previous_record(self) -> Record | None:
        """At a follow-up: the finalised record whose plan is followed up (the case's latest with a plan)."""
        return (
            Record.objects.filter(
                item__referral_id=self.item.referral_id,
                finalised_at__isnull=False,
                outcome=Outcome.HELD,
            )
            .exclude(item_id=self.item_id)
            .order_by("-finalised_at")
            .first()
        )

    def previous_plan(self) -> list[PlanItem]:
        if self.item.purpose != Purpose.FOLLOW_UP:
            return []
        previous = self.previous_record()
        return list(previous.plan_items.select_related("responsible_user")) if previous else []

    def outcomes(self) -> list[str]:
        """The choices as the record is finalised: they follow from attendance and the slot's purpose."""
        return allowed_outcomes(self.individual_attended, self.item.purpose)

    def content(self) -> dict[str, Any]:
        """Everything a draft saves, as JSON: what a RecordVersion keeps."""
        if not self.pk:
            return {}
        return _content(
            {name: getattr(self, name) for name in RECORD_FIELDS},
            attendance=[
                {"user": a.user_id, "party": a.party, "present": a.present, "remote": a.remote}
                for a in self.attendance.all()
            ],
            perspectives={p.party: p.note for p in self.perspectives.all()},
            plan=[
                {
                    "activity": p.activity,
                    "goal": p.goal,
                    "responsible_party": p.responsible_party,
                    "responsible_user": p.responsible_user_id,
                    "responsible_note": p.responsible_note,
                    "due_on": p.due_on,
                }
                for p in self.plan_items.all()
            ],
            previous_plan={
                str(p.pk): {"status": p.follow_up_status, "comment": p.follow_up_comment}
                for p in self.previous_plan()
            },
        )

    # --- changes -----------------------------------------------------------

    def _lock(self, today: date | None = None) -> tuple[Meeting, AgendaItem]:
        """Lock the meeting, then the slot (the lock order everywhere), and check the slot can be recorded."""
        meeting = Meeting.objects.select_for_update().get(pk=self.item.meeting_id)
        item = AgendaItem.objects.select_for_update().get(pk=self.item_id)
        if meeting.status == MeetingStatus.CANCELLED:
            raise DomainError(gettext("The meeting is cancelled: nothing can be recorded for it."))
        if item.status == ItemStatus.REMOVED:
            raise DomainError(gettext("The case has been taken off this agenda: nothing can be recorded."))
        return meeting, item

    def save_draft(
        self,
        *,
        by: User,
        version: int,
        attendance: list[dict[str, Any]] | None = None,
        perspectives: dict[str, str] | None = None,
        plan: list[dict[str, Any]] | None = None,
        previous_plan: dict[str, dict[str, str]] | None = None,
        **fields: Any,
    ) -> None:
        """Save the record unless someone saved it first (RecordConflict); the previous content is kept.

        ``version`` is the version the editor started from (0 for a record
        nobody has saved yet). ``fields`` are those in RECORD_FIELDS.
        """
        unknown = set(fields) - set(RECORD_FIELDS)
        if unknown:
            raise TypeError(f"Unknown record fields: {sorted(unknown)}")
        values = {name: fields.get(name, getattr(self, name)) for name in RECORD_FIELDS}
        values["own_account"] = (values["own_account"] or "").strip()
        values["recommendation"] = (values["recommendation"] or "").strip()
        attendance = attendance if attendance is not None else []
        perspectives = {party: note.strip() for party, note in (perspectives or {}).items()}
        plan = plan if plan is not None else []
        previous_plan = previous_plan or {}
        _check_content(values, perspectives=perspectives, plan=plan, meeting=self.item.meeting)
        wanted = _content(
            values, attendance=attendance, perspectives=perspectives, plan=plan, previous_plan=previous_plan
        )
        with transaction.atomic():
            # Two people saving the same record at once: the slot's lock orders
            # them, and the second finds the version moved on and is told,
            # instead of silently overwriting the first (optimistic locking).
            _meeting, item = self._lock()
            record = Record.objects.filter(item=item).first()
            if record is None:
                record = Record(item=item, version=0)
            elif record.is_final:
                raise RecordFinalised
            elif record.version != version:
                if record.content() == wanted:
                    # The same save arrived twice (a double click): nothing to overwrite.
                    self._reload(record)
                    return
                raise RecordConflict(record.version)
            else:
                RecordVersion.objects.create(
                    record=record,
                    number=record.version,
                    saved_at=record.updated_at,
                    saved_by_id=record.updated_by_id,
                    content=record.content(),
                )
            for name, value in values.items():
                setattr(record, name, value)
            record.version += 1
            record.updated_by = by
            record.save()
            record.attendance.all().delete()
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        record=record,
                        user_id=row["user"],
                        party=row.get("party", ""),
                        # Taking part remotely is taking part.
                        present=bool(row.get("present") or row.get("remote")),
                        remote=bool(row.get("remote")),
                    )
                    for row in attendance
                ]
            )
            record.perspectives.all().delete()
            PartyPerspective.objects.bulk_create(
                [
                    PartyPerspective(record=record, party=party, note=note)
                    for party, note in perspectives.items()
                    if note
                ]
            )
            record.plan_items.all().delete()
            PlanItem.objects.bulk_create(
                [
                    PlanItem(
                        record=record,
                        position=index,
                        activity=row["activity"].strip(),
                        goal=(row.get("goal") or "").strip(),
                        responsible_party=row["responsible_party"],
                        responsible_user_id=row.get("responsible_user"),
                        responsible_note=(row.get("responsible_note") or "").strip(),
                        due_on=row["due_on"],
                    )
                    for index, row in enumerate(plan, start=1)
                ]
            )
            if previous_plan:
                record._save_previous_plan(previous_plan)
        self._reload(record)

    def _save_previous_plan(self, statuses: dict[str, dict[str, str]]) -> None:
        """At a follow-up: how each item of the previous plan went, stored on those plan items."""
        items = {str(p.pk): p for p in self.previous_plan()}
        unknown = set(statuses) - set(items)
        if unknown:
            raise DomainError(gettext("The previous plan has changed. Reload the page and try again."))
        for key, value in statuses.items():
            status = value.get("status", "")
            if status and status not in FollowUpStatus.values:
                raise DomainError(gettext("Choose done, under way or not done for each item."))
            item = items[key]
            item.follow_up_status = status
            item.follow_up_comment = (value.get("comment") or "").strip()[:500]
            item.save(update_fields=["follow_up_status", "follow_up_comment"])
            if status == FollowUpStatus.DONE:
                meetings_notifications.after_plan_item_done(item)

    def _reload(self, record: Record) -> None:
        self.pk = record.pk
        self.refresh_from_db()

    def finalise(self, *, by: User, outcome: str, comment: str = "", today: date | None = None) -> None:
        """Lock the record and move the case on, as the coordinator chose (see outcomes())."""
        today = today or timezone.localdate()
        comment = comment.strip()
        with transaction.atomic():
            # Two coordinators (or a double click) finalising at once: the slot's
            # lock makes the second see the first's result and be refused.
            meeting, item = self._lock()
            record = Record.objects.select_for_update().filter(item=item).first()
            if record is None:
                raise DomainError(gettext("Save the record before you finalise it."))
            if record.is_final:
                raise DomainError(gettext("The record has already been finalised."))
            record.item = item
            if meeting.date > today:
                raise DomainError(
                    gettext(
                        "The meeting has not taken place yet. Finalise the record on the day of the meeting or later."
                    )
                )
            record._check_complete(outcome, comment, meeting)
            item.status = ItemStatus.DONE
            item.save(update_fields=["status", "updated_at"])
            referral = item.referral
            if outcome == Outcome.HELD:
                referral.perform("hold", by=by, today=today, fields={"follow_up_on": record.follow_up_on})
            elif outcome == Outcome.CLOSED:
                referral.perform("close", by=by, comment=comment, today=today)
            else:
                name = "unschedule_follow_up" if item.purpose == Purpose.FOLLOW_UP else "unschedule"
                referral.perform(name, by=by, comment=comment, today=today)
            record.outcome = outcome
            record.finalised_at = timezone.now()
            record.finalised_by = by
            record.save(update_fields=["outcome", "finalised_at", "finalised_by", "updated_at"])
            meeting.after_record_finalised()
            meetings_notifications.after_record_finalised(item)
        self._reload(record)

    def _check_complete(self, outcome: str, comment: str, meeting: Meeting) -> None:
        if self.individual_attended is None:
            raise DomainError(gettext("Record whether the individual took part before you finalise."))
        if outcome not in self.outcomes():
            raise DomainError(gettext("Choose one of the outcomes shown for this slot."))
        if self.individual_attended:
            if not self.own_account and not self.own_account_declined:
                raise DomainError(
                    gettext("Write the individual's own account, or record that they chose not to give one.")
                )
            if not self.recommendation:
                raise DomainError(gettext("Write the group's recommendation before you finalise."))
        if outcome == Outcome.HELD:
            if self.follow_up_on is None:
                raise DomainError(gettext("Choose a date for the follow-up."))
            if self.follow_up_on <= meeting.date:
                raise DomainError(gettext("The follow-up must come after the meeting."))
        if outcome == Outcome.CLOSED and not comment:
            raise DomainError(gettext("Write why the case is closed."))
        if self.individual_attended and any(not p.follow_up_status for p in self.previous_plan()):
            raise DomainError(
                gettext(
                    "Record for each item of the previous plan whether it is done, under way or not done."
                )
            )

    def respond(
        self, *, party: str, answer: str, comment: str, by: User, today: date | None = None
    ) -> Response:
        """A party's response to the recommendation: once per party, never changed afterwards."""
        today = today or timezone.localdate()
        if answer not in Answer.values:
            raise DomainError(gettext("Choose one of the responses."))
        with transaction.atomic():
            # Two people of one party answering at once: the record's lock
            # orders them, and the second is told the party has answered.
            record = Record.objects.select_for_update().get(pk=self.pk)
            if not record.is_final:
                raise DomainError(gettext("The parties respond once the record is finalised."))
            if party not in record.item.referral.parties_with_consent(today):
                raise DomainError(gettext("Only a party covered by the individual's consent can respond."))
            existing = record.responses.filter(party=party).first()
            if existing is not None:
                raise ResponseGiven(existing)
            try:
                with transaction.atomic():
                    return Response.objects.create(
                        record=record,
                        party=party,
                        answer=answer,
                        comment=comment.strip(),
                        by=by,
                        at=timezone.now(),
                    )
            except IntegrityError:
                raise ResponseGiven(record.responses.get(party=party)) from None


def allowed_outcomes(attended: bool | None, purpose: str) -> list[str]:
    """Individual came: the plan is followed up (or, at a follow-up, the case may close).
    Individual did not come: back to the backlog, or close."""
    if attended is None:
        return []
    if not attended:
        return [Outcome.BACKLOG, Outcome.CLOSED]
    if purpose == Purpose.FOLLOW_UP:
        return [Outcome.HELD, Outcome.CLOSED]
    return [Outcome.HELD]


class RecordConflict(DomainError):
    def __init__(self, current_version: int) -> None:
        super().__init__(
            gettext(
                "Someone else saved this record while you were writing. Your text is kept below; "
                "compare it with the saved version and save again."
            )
        )
        self.current_version = current_version


class RecordFinalised(DomainError):
    def __init__(self) -> None:
        super().__init__(gettext("The record has been finalised and can no longer be changed."))


class ResponseGiven(DomainError):
    def __init__(self, response: Response) -> None:
        super().__init__(
            gettext("%(party)s has already responded on %(date)s. A response cannot be changed.")
            % {"party": response.get_party_display(), "date": timezone.localdate(response.at).isoformat()}
        )


def _check_content(
    values: dict[str, Any], *, perspectives: dict[str, str], plan: list[dict[str, Any]], meeting: Meeting
) -> None:
    """The rules a form shows beside its fields, checked again here for every caller."""
    if values["recommendation"] and not values["own_account"] and not values["own_account_declined"]:
        raise DomainError(
            gettext(
                "The meeting starts with the individual's own account: write it first, or record that "
                "they chose not to give one."
            )
        )
    if values["individual_participation"] and not values["individual_attended"]:
        values["individual_participation"] = ""
    if values["follow_up_on"] is not None and values["follow_up_on"] <= meeting.date:
        raise DomainError(gettext("The follow-up must come after the meeting."))
    if any(party not in Party.values for party in perspectives):
        raise DomainError(gettext("Unknown party."))
    for row in plan:
        if not (row.get("activity") or "").strip():
            raise DomainError(gettext("Every plan item needs an activity."))
        if row.get("responsible_party") not in Party.values:
            raise DomainError(gettext("Choose the party responsible for each plan item."))
        if not isinstance(row.get("due_on"), date):
            raise DomainError(gettext("Give each plan item a due date."))


def _content(
    values: dict[str, Any],
    *,
    attendance: list[dict[str, Any]],
    perspectives: dict[str, str],
    plan: list[dict[str, Any]],
    previous_plan: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """A record's content as JSON, the same way whether read from the database or from a form."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    return {
        **{name: plain(values[name]) for name in RECORD_FIELDS},
        "attendance": sorted(
            (
                {
                    "user": row["user"],
                    "party": row.get("party", ""),
                    "present": bool(row.get("present") or row.get("remote")),
                    "remote": bool(row.get("remote")),
                }
                for row in attendance
            ),
            key=lambda row: row["user"],
        ),
        "perspectives": {party: note for party, note in sorted(perspectives.items()) if note},
        "plan": [
            {
                "activity": row["activity"].strip(),
                "goal": (row.get("goal") or "").strip(),
                "responsible_party": row["responsible_party"],
                "responsible_user": row.get("responsible_user"),
                "responsible_note": (row.get("responsible_note") or "").strip(),
                "due_on": plain(row["due_on"]),
            }
            for row in plan
        ],
        "previous_plan": {
            str(key): {"status": value.get("status", ""), "comment": (value.get("comment") or "").strip()}
            for key, value in sorted(previous_plan.items())
        },
    }


def responsible_people(item: AgendaItem) -> list[tuple[User, str]]:
    """Who may be named responsible for a plan item: the case worker and the council's members, with their party."""
    people: dict[int, tuple[User, str]] = {}
    referral = item.referral
    for user in (item.case_worker, referral.handler):
        if user is not None and user.pk not in people:
            people[user.pk] = (user, referral.organisation.party)
    for member in CouncilMember.objects.filter(council_id=item.meeting.council_id).select_related("user"):
        people.setdefault(member.user_id, (member.user, member.party))
    return list(people.values())


def attendance_people(item: AgendaItem) -> list[tuple[User, str]]:
    """The people invited to the slot: the attending case worker, then each party's representatives."""
    people: list[tuple[User, str]] = []
    if item.case_worker is not None:
        people.append((item.case_worker, item.referral.organisation.party))
    for representative in item.representatives.select_related("member__user"):
        if representative.member.user_id not in {user.pk for user, _party in people}:
            people.append((representative.member.user, representative.member.party))
    return people


class Attendance(models.Model):
    """Who was invited to the slot, and whether and how they took part."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices, blank=True)
    present = models.BooleanField(_("took part"), default=False)
    remote = models.BooleanField(_("remote"), default=False)

    class Meta:
        ordering = ["party", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["record", "user"], name="attendance_once_per_person")]

    def __str__(self) -> str:
        return f"{self.user} ({self.record_id})"


class PartyPerspective(models.Model):
    """A party's short note on the individual's situation, from its own remit."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="perspectives")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    note = models.TextField(_("perspective"), max_length=2000, blank=True)

    class Meta:
        ordering = ["party"]
        verbose_name = _("party perspective")
        verbose_name_plural = _("party perspectives")
        constraints = [models.UniqueConstraint(fields=["record", "party"], name="perspective_once_per_party")]

    def __str__(self) -> str:
        return f"{self.get_party_display()} ({self.record_id})"


class FollowUpStatus(models.TextChoices):
    DONE = "done", _("Done")
    UNDER_WAY = "under_way", _("Under way")
    NOT_DONE = "not_done", _("Not done")


class PlanItem(models.Model):
    """One next step of the plan: activity, goal, who is responsible, by when."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="plan_items")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    activity = models.CharField(_("activity"), max_length=300)
    goal = models.CharField(_("goal"), max_length=300, blank=True)
    responsible_party = models.CharField(_("responsible party"), max_length=20, choices=Party.choices)
    # The person responsible, when they use Resursråd (reminders of the due date go to them).
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_items",
    )
    # Or their role, when they do not (e.g. "the individual", "the GP").
    responsible_note = models.CharField(_("responsible (other)"), max_length=200, blank=True)
    due_on = models.DateField(_("due"))
    # Recorded at the follow-up.
    follow_up_status = models.CharField(
        _("at the follow-up"), max_length=10, choices=FollowUpStatus.choices, blank=True
    )
    follow_up_comment = models.CharField(_("comment at the follow-up"), max_length=500, blank=True)

    class Meta:
        ordering = ["record", "position", "pk"]
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        indexes = [models.Index(fields=["due_on"], name="plan_item_due")]

    def __str__(self) -> str:
        return self.activity


class RecordVersion(models.Model):
    """An earlier version of a record, kept when it was saved over."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    saved_at = models.DateTimeField(_("saved"))
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saved by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    content = models.JSONField(_("content"))

    class Meta:
        ordering = ["record", "-number"]
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        constraints = [models.UniqueConstraint(fields=["record", "number"], name="record_version_once")]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.number}"


class Answer(models.TextChoices):
    FOLLOWS = "follows", _("Follows the recommendation")
    PARTLY = "partly", _("Follows it in part")
    DOES_NOT_FOLLOW = "does_not_follow", _("Does not follow it")


class Response(models.Model):
    """A party's response to the non-binding recommendation."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="responses")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    answer = models.CharField(_("response"), max_length=20, choices=Answer.choices)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["party"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [models.UniqueConstraint(fields=["record", "party"], name="response_once_per_party")]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.get_answer_display()}"
