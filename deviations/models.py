"""Deviations (avvikelser): de-identified reports of gaps between the parties, for the styrgrupp.

A deviation names a council, a meeting date and parties, never an individual:
there is no link from a deviation to a referral or a participant. Its texts
are checked before saving (deviations.deidentify).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from deviations import workflow
from deviations.workflow import ANSWERED, Category, DeviationError, Status
from resursrad.models import Organisation, Party, User, YearlySequence


def answer_days() -> int:
    return int(settings.DEVIATION_ANSWER_DAYS)


# Each party as one bit of Deviation.party_mask. Stored in the database: a party's bit never changes.
PARTY_BITS: dict[str, int] = {
    Party.KOMMUN.value: 1,
    Party.REGION.value: 2,
    Party.AF.value: 4,
    Party.FK.value: 8,
}


def party_mask(parties: list[str]) -> int:
    """The parties as one number, a bit each (a party counted once)."""
    return sum(PARTY_BITS[code] for code in set(parties))


def parties_in_mask(mask: int) -> list[str]:
    """The party codes of a party_mask, sorted."""
    return sorted(code for code, bit in PARTY_BITS.items() if mask & bit)


class DeviationNumberSequence(YearlySequence):
    """The last deviation number handed out per year."""

    @classmethod
    def next_number(cls, year: int) -> str:
        return f"AV-{year}-{cls.next_value(year):04d}"


class DeviationQuerySet(models.QuerySet["Deviation"]):
    def visible_to(self, user: Any) -> DeviationQuerySet:
        """What the user may see; everything else is a 404.

        The styrgrupp sees every deviation; a reporter their own; a party's
        deviation contact those their organisation was asked about.
        """
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_steering_member:
            return self.all()
        allowed = Q(reported_by=user)
        if user.organisation_id and (user.is_deviation_contact or user.is_steering_member):
            allowed |= Q(
                Exists(
                    StatementRequest.objects.filter(
                        deviation=OuterRef("pk"), organisation_id=user.organisation_id
                    )
                )
            )
        return self.filter(allowed)

    def overdue(self, today: date | None = None) -> DeviationQuerySet:
        """Not yet answered, and past the answer deadline."""
        today = today or timezone.localdate()
        return self.exclude(status__in=ANSWERED).filter(answer_due_on__lt=today)

    def open(self) -> DeviationQuerySet:
        return self.exclude(status=Status.CLOSED)

    def own_reports(self, user: Any) -> DeviationQuerySet:
        """The deviations the user reported ("Mina avvikelser"), from what the user may see."""
        return self.visible_to(user).filter(reported_by=user.pk)

    def with_is_overdue(self, today: date | None = None) -> DeviationQuerySet:
        """Annotate ``is_overdue`` in the query, so a list marks overdue rows without a query per row."""
        today = today or timezone.localdate()
        return self.annotate(
            is_overdue=models.ExpressionWrapper(
                Q(answer_due_on__lt=today) & ~Q(status__in=list(ANSWERED)),
                output_field=models.BooleanField(),
            )
        )

    def matching(
        self,
        *,
        status: str = "",
        category: str = "",
        party: str = "",
        reported_from: date | None = None,
        reported_to: date | None = None,
    ) -> DeviationQuerySet:
        """The styrgrupp's filters (deviations.forms.trends); an empty value filters nothing.

        The period is of local dates, both ends included.
        """
        queryset: DeviationQuerySet = self
        if status:
            queryset = queryset.filter(status=status)
        if category:
            queryset = queryset.filter(category=category)
        if party:
            queryset = queryset.filter(
                Exists(DeviationParty.objects.filter(deviation=OuterRef("pk"), party=party))
            )
        return queryset.reported_between(reported_from, reported_to)

    def reported_between(self, start: date | None, end: date | None) -> DeviationQuerySet:
        """Reported on these local dates, both included (from an index on reported_at)."""
        return self.filter(reported_on_days(start, end))

    def with_list_data(self) -> DeviationQuerySet:
        """What a styrgrupp list row shows: the parties as ``party_codes`` ("fk,region"), in the same query."""
        parties = (
            DeviationParty.objects.filter(deviation=OuterRef("pk"))
            .order_by()
            .values("deviation")
            .annotate(codes=CommaList("party"))
            .values("codes")
        )
        return self.annotate(party_codes=models.Subquery(parties, output_field=models.CharField()))

    def changed_since(self, day: date) -> DeviationQuerySet:
        """Reported, or with anything in its history, on or after this local date."""
        since = start_of_day(day)
        return self.filter(
            Q(reported_at__gte=since)
            | Q(updated_at__gte=since)
            | Exists(DeviationEvent.objects.filter(deviation=OuterRef("pk"), at__gte=since))
        )


class CommaList(models.Aggregate):
    """The values joined by commas, in order: STRING_AGG, or GROUP_CONCAT on SQLite (make run)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',' ORDER BY %(expressions)s)"
    output_field = models.CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler, connection, function="GROUP_CONCAT", template="%(function)s(%(expressions)s, ',')"
        )


def reported_on_days(start: date | None, end: date | None) -> Q:
    """Reported on these local dates, both included; None leaves that end open."""
    condition = Q()
    if start is not None:
        condition &= Q(reported_at__gte=start_of_day(start))
    if end is not None:
        condition &= Q(reported_at__lt=start_of_day(end + timedelta(days=1)))
    return condition


def start_of_day(day: date) -> Any:
    """The first moment of a local date, as an aware datetime."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time.min))


class Deviation(models.Model):
    """One reported gap between the parties, and its review by the styrgrupp."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REPORTED)
    reported_by = models.ForeignKey(
        User, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="reported_deviations"
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    # Where it was seen: filled in when reported from a meeting slot, never the individual.
    council = models.ForeignKey(
        "meetings.Council",
        verbose_name=_("council"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deviations",
    )
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    parties_present = models.JSONField(_("parties present at the meeting"), default=list, blank=True)

    observed_on = models.DateField(_("date observed"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("what happened"), max_length=4000)
    consequence = models.TextField(_("consequence"), max_length=2000, blank=True)
    suggestion = models.TextField(_("suggested improvement"), max_length=2000, blank=True)

    answer_due_on = models.DateField(_("answer due"))
    handler = models.ForeignKey(
        User,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_deviations",
    )
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    decision = models.TextField(_("decided action"), max_length=4000, blank=True)
    responsible_party = models.CharField(
        _("party responsible for the action"), max_length=10, choices=Party.choices, blank=True
    )
    action_due_on = models.DateField(_("action due"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    feedback = models.TextField(_("feedback to the reporter"), max_length=4000, blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    is_system_fault = models.BooleanField(_("system fault"), default=False)
    # The parties of the party rows as one number (PARTY_BITS), written with them when reported:
    # the trend page counts the sets of parties by it without reading the party rows.
    party_mask = models.PositiveSmallIntegerField(default=0, editable=False)
    related = models.ManyToManyField(
        "self", verbose_name=_("related deviations"), blank=True, symmetrical=True
    )

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # The report form's one-time token: a double submit finds the first report.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = DeviationQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "-pk"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        indexes = [
            models.Index(fields=["status", "answer_due_on"], name="deviation_status_due"),
            # Reported in a period, newest first; it holds what the trend page counts, so that its
            # queries read the index alone (once vacuumed) rather than every wide row.
            models.Index(
                fields=["reported_at"],
                include=[
                    "category",
                    "status",
                    "party_mask",
                    "answer_due_on",
                    "decided_at",
                    "id",
                ],
                name="deviation_overview",
            ),
            models.Index(fields=["category", "reported_at"], name="deviation_category_reported"),
            # The report to the styrgrupp lists decisions and feedback since a date, in that order.
            models.Index(fields=["decided_at", "id"], name="deviation_decided_at"),
            models.Index(fields=["feedback_at", "id"], name="deviation_feedback_at"),
        ]
        constraints = [
            models.CheckConstraint(name="deviation_status_is_known", condition=Q(status__in=Status.values)),
            models.CheckConstraint(
                name="deviation_category_is_known", condition=Q(category__in=Category.values)
            ),
        ]

    def __str__(self) -> str:
        return self.number

    # --- facts --------------------------------------------------------------

    @property
    def parties(self) -> list[str]:
        """The parties concerned, as Party codes (read from the prefetched rows when there are any)."""
        return [row.party for row in self.party_rows.all()]

    def parties_display(self) -> str:
        return ", ".join(str(Party(code).label) for code in self.parties)

    def is_overdue_on(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status not in ANSWERED and self.answer_due_on < today

    @property
    def transition_names(self) -> list[str]:
        return [name for name, step in workflow.TRANSITIONS.items() if self.status in step.sources]

    # --- reporting ----------------------------------------------------------

    @classmethod
    def report(
        cls,
        *,
        by: User,
        category: str,
        description: str,
        parties: list[str],
        observed_on: date,
        consequence: str = "",
        suggestion: str = "",
        council: Any = None,
        meeting_date: date | None = None,
        parties_present: list[str] | None = None,
        today: date | None = None,
        token: uuid.UUID | None = None,
    ) -> Deviation:
        """Save a new report, after the de-identification check; notifies the styrgrupp.

        Raises DeviationError (with the field) for identifying text, no
        description, no party or a date in the future. The same one-time
        ``token`` twice (a double submit) gives the first report.
        """
        from deviations import deidentify, notifications

        if token is not None:
            existing = cls.objects.filter(creation_token=token).first()
            if existing is not None and existing.reported_by_id == by.pk:
                return existing
            if existing is not None:
                # Someone else's token (copied or forged): it protects nothing here.
                token = None
        today = today or timezone.localdate()
        texts = {
            "description": description.strip(),
            "consequence": consequence.strip(),
            "suggestion": suggestion.strip(),
        }
        if not texts["description"]:
            raise DeviationError(gettext("Describe what happened."), field="description")
        if not parties:
            raise DeviationError(gettext("Choose at least one party concerned."), field="parties")
        unknown = set(parties) - set(Party.values)
        if unknown:
            raise DeviationError(gettext("Choose parties from the list."), field="parties")
        if observed_on > today:
            raise DeviationError(gettext("The date observed cannot be in the future."), field="observed_on")
        found = deidentify.check_texts(by, texts)
        if found:
            errors = {name: " ".join(messages) for name, messages in found.items()}
            field_name = next(iter(errors))
            raise DeviationError(errors[field_name], field=field_name, errors=errors)
        try:
            with transaction.atomic():
                now = timezone.now()
                deviation = cls.objects.create(
                    number=DeviationNumberSequence.next_number(timezone.localdate(now).year),
                    reported_by=by,
                    reported_at=now,
                    council=council,
                    meeting_date=meeting_date,
                    parties_present=sorted(set(parties_present or [])),
                    observed_on=observed_on,
                    category=category,
                    answer_due_on=timezone.localdate(now) + timedelta(days=answer_days()),
                    creation_token=token,
                    party_mask=party_mask(parties),
                    **texts,
                )
                DeviationParty.objects.bulk_create(
                    [DeviationParty(deviation=deviation, party=party) for party in sorted(set(parties))]
                )
                DeviationEvent.objects.create(
                    deviation=deviation, kind=DeviationEvent.Kind.REPORTED, by=by, to_status=Status.REPORTED
                )
                notifications.after_report(deviation)
        except IntegrityError:
            # The same form posted at the same moment: the unique token let one
            # insert through and made the others wait for it, then fail here.
            winner = cls.objects.filter(creation_token=token, reported_by=by).first() if token else None
            if winner is None:
                raise
            return winner
        return deviation

    # --- the review ---------------------------------------------------------

    def _locked(self) -> Deviation:
        return Deviation.objects.select_for_update().get(pk=self.pk)

    def _refresh_from(self, locked: Deviation, fields: list[str]) -> None:
        for name in fields:
            setattr(self, name, getattr(locked, name))

    def perform(
        self,
        name: str,
        *,
        by: User,
        text: str = "",
        comment: str = "",
        fields: dict[str, Any] | None = None,
        version: int | None = None,
        today: date | None = None,
    ) -> None:
        """Take the step named in the workflow table under a row lock, and write its history.

        ``text`` is the step's required text (the decision, the feedback);
        ``version`` the version the user's form was built from: a stale one
        is refused, so two handlers never overwrite each other.
        """
        from deviations import notifications, permissions

        transition = workflow.TRANSITIONS[name]
        today = today or timezone.localdate()
        text = text.strip()
        if transition.text_field and not text:
            raise DeviationError(transition.text_missing, field="text")
        with transaction.atomic():
            locked = self._locked()
            if version is not None and locked.version != version:
                raise DeviationError(
                    gettext(
                        "Someone else changed the deviation while you were working on it. "
                        "Read the latest version below; your text is kept in the form."
                    )
                )
            if locked.status not in transition.sources:
                raise DeviationError(
                    gettext("A deviation that is “%(current)s” cannot become “%(new)s”.")
                    % {"current": locked.get_status_display(), "new": Status(transition.target).label}
                )
            if not permissions.may_perform(by, locked, transition):
                raise DeviationError(gettext("Only the deviation's handler can take this step."))
            changes: dict[str, Any] = transition.changes(locked, by, today) if transition.changes else {}
            changes.update(fields or {})
            if transition.text_field:
                changes[transition.text_field] = text
            from_status = locked.status
            changes["status"] = transition.target
            changes["version"] = locked.version + 1
            for field_name, value in changes.items():
                setattr(locked, field_name, value)
            locked.save(update_fields=[*changes, "updated_at"])
            self._refresh_from(locked, [*changes, "updated_at"])
            DeviationEvent.objects.create(
                deviation=locked,
                kind=DeviationEvent.Kind.TRANSITION,
                by=by,
                from_status=from_status,
                to_status=transition.target,
                comment=text or comment.strip(),
            )
            notifications.after_transition(locked, transition, by=by)

    def take(self, *, by: User, version: int | None = None) -> None:
        self.perform("take", by=by, version=version)

    def decide(
        self,
        *,
        by: User,
        decision: str,
        responsible_party: str,
        due_on: date | None,
        version: int | None = None,
        today: date | None = None,
    ) -> None:
        today = today or timezone.localdate()
        if responsible_party not in Party.values:
            raise DeviationError(
                gettext("Choose the party responsible for the action."), field="responsible_party"
            )
        if due_on is None:
            raise DeviationError(gettext("Enter the date the action is due."), field="action_due_on")
        if due_on < today:
            raise DeviationError(gettext("The due date cannot be in the past."), field="action_due_on")
        self.perform(
            "decide",
            by=by,
            text=decision,
            fields={"responsible_party": responsible_party, "action_due_on": due_on},
            version=version,
            today=today,
        )

    def give_feedback(self, *, by: User, feedback: str, version: int | None = None) -> None:
        self.perform("give_feedback", by=by, text=feedback, version=version)

    def close(self, *, by: User, comment: str = "", version: int | None = None) -> None:
        self.perform("close", by=by, comment=comment, version=version)

    def request_statements(
        self,
        *,
        by: User,
        organisations: list[Organisation],
        question: str,
        due_on: date,
        version: int | None = None,
        today: date | None = None,
    ) -> list[StatementRequest]:
        """Ask one or more party organisations for a statement; their contacts are notified."""
        from deviations import notifications

        today = today or timezone.localdate()
        question = question.strip()
        if not organisations:
            raise DeviationError(gettext("Choose at least one organisation to ask."), field="organisations")
        if not question:
            raise DeviationError(gettext("Write what the organisation is asked about."), field="question")
        if due_on < today:
            raise DeviationError(gettext("The due date cannot be in the past."), field="due_on")
        found = _identifying(by, {"question": question})
        if found:
            raise DeviationError(found, field="question")
        with transaction.atomic():
            self.perform("request_statement", by=by, comment=question, version=version, today=today)
            waiting = set(
                StatementRequest.objects.filter(deviation=self, answered_at__isnull=True).values_list(
                    "organisation_id", flat=True
                )
            )
            already = [org for org in organisations if org.pk in waiting]
            if already:
                raise DeviationError(
                    gettext("%(organisation)s has already been asked and has not answered yet.")
                    % {"organisation": already[0].name},
                    field="organisations",
                )
            requests = StatementRequest.objects.bulk_create(
                [
                    StatementRequest(
                        deviation=self, organisation=org, question=question, requested_by=by, due_on=due_on
                    )
                    for org in organisations
                ]
            )
            for request in requests:
                DeviationEvent.objects.create(
                    deviation=self,
                    kind=DeviationEvent.Kind.STATEMENT_REQUESTED,
                    by=by,
                    organisation=request.organisation,
                    comment=question,
                )
                notifications.after_statement_requested(request)
        return requests

    def add_comment(self, *, by: User, comment: str) -> DeviationEvent:
        comment = comment.strip()
        if not comment:
            raise DeviationError(gettext("Write a comment."), field="comment")
        found = _identifying(by, {"comment": comment})
        if found:
            raise DeviationError(found, field="comment")
        return DeviationEvent.objects.create(
            deviation=self, kind=DeviationEvent.Kind.COMMENT, by=by, comment=comment
        )

    def mark_system_fault(
        self,
        *,
        by: User,
        is_fault: bool,
        related: list[Deviation] | None = None,
        version: int | None = None,
    ) -> None:
        """Mark (or unmark) as a recurring system fault, and link it to deviations of its kind.

        ``version``, as in ``perform``: a stale page does not undo another member's marking.
        """
        related = [other for other in related or [] if other.pk != self.pk]
        with transaction.atomic():
            locked = self._locked()
            if version is not None and locked.version != version:
                raise DeviationError(
                    gettext(
                        "Someone else changed the deviation while you were working on it. "
                        "Read the latest version below; your text is kept in the form."
                    )
                )
            changed = locked.is_system_fault != is_fault
            if changed:
                locked.is_system_fault = is_fault
                locked.version += 1
                locked.save(update_fields=["is_system_fault", "version", "updated_at"])
                self.is_system_fault, self.version = locked.is_system_fault, locked.version
                DeviationEvent.objects.create(
                    deviation=locked,
                    kind=DeviationEvent.Kind.SYSTEM_FAULT
                    if is_fault
                    else DeviationEvent.Kind.NOT_SYSTEM_FAULT,
                    by=by,
                )
            known = set(locked.related.values_list("pk", flat=True))
            for other in related:
                if other.pk not in known:
                    locked.related.add(other)
                    DeviationEvent.objects.create(
                        deviation=locked, kind=DeviationEvent.Kind.LINKED, by=by, comment=other.number
                    )
                    DeviationEvent.objects.create(
                        deviation=other, kind=DeviationEvent.Kind.LINKED, by=by, comment=locked.number
                    )


def _identifying(user: User, texts: dict[str, str]) -> str:
    from deviations import deidentify

    found = deidentify.check_texts(user, texts)
    return " ".join(message for messages in found.values() for message in messages)


class DeviationParty(models.Model):
    """One party concerned by a deviation; pairs of them are counted on the trend page."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="party_rows")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)

    class Meta:
        verbose_name = _("party concerned")
        verbose_name_plural = _("parties concerned")
        constraints = [
            models.UniqueConstraint(fields=["deviation", "party"], name="deviation_party_once"),
        ]
        indexes = [models.Index(fields=["party", "deviation"], name="deviation_party_idx")]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.party}"


class StatementRequestQuerySet(models.QuerySet["StatementRequest"]):
    def for_contact(self, user: Any) -> StatementRequestQuerySet:
        """The requests to the user's organisation, if the user is its deviation contact."""
        if not (user.is_authenticated and user.is_active and user.organisation_id):
            return self.none()
        if not (user.is_deviation_contact or user.is_steering_member):
            return self.none()
        return self.filter(organisation_id=user.organisation_id)

    def waiting(self) -> StatementRequestQuerySet:
        return self.filter(answered_at__isnull=True)


class StatementRequest(models.Model):
    """The handler asks a party organisation for a statement; its contact answers in the app."""

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="statement_requests")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    question = models.TextField(_("question"), max_length=4000)
    requested_by = models.ForeignKey(
        User, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    due_on = models.DateField(_("answer due"))
    answer = models.TextField(_("statement"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        User, verbose_name=_("answered by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = StatementRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("request for a statement")
        verbose_name_plural = _("requests for a statement")
        constraints = [
            models.UniqueConstraint(
                fields=["deviation", "organisation"],
                condition=Q(answered_at__isnull=True),
                name="one_waiting_statement_per_organisation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "answered_at"], name="statement_org_answered")]

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.organisation_id}"

    def is_overdue_on(self, today: date | None = None) -> bool:
        return self.answered_at is None and self.due_on < (today or timezone.localdate())

    def give_answer(self, *, by: User, answer: str) -> None:
        """The organisation's contact answers; once only, under a row lock."""
        from deviations import notifications, permissions

        answer = answer.strip()
        if not answer:
            raise DeviationError(gettext("Write the organisation's statement."), field="answer")
        if not permissions.may_answer(by, self):
            raise DeviationError(gettext("Only the organisation's deviation contact can answer."))
        found = _identifying(by, {"answer": answer})
        if found:
            raise DeviationError(found, field="answer")
        with transaction.atomic():
            locked = StatementRequest.objects.select_for_update().get(pk=self.pk)
            if locked.answered_at is not None:
                raise DeviationError(gettext("The statement has already been given."))
            # The deviation's row lock orders this against closing it.
            status = (
                Deviation.objects.select_for_update()
                .values_list("status", flat=True)
                .get(pk=self.deviation_id)
            )
            if status == Status.CLOSED:
                raise DeviationError(gettext("The deviation is closed; a statement can no longer be given."))
            now = timezone.now()
            StatementRequest.objects.filter(pk=self.pk).update(answer=answer, answered_by=by, answered_at=now)
            self.answer, self.answered_by, self.answered_at = answer, by, now
            Deviation.objects.filter(pk=self.deviation_id).update(version=F("version") + 1)
            DeviationEvent.objects.create(
                deviation_id=self.deviation_id,
                kind=DeviationEvent.Kind.STATEMENT_GIVEN,
                by=by,
                organisation_id=self.organisation_id,
                comment=answer,
            )
            notifications.after_statement_given(self)


class DeviationEvent(models.Model):
    """One entry of a deviation's history: a step, a statement, a comment, a link."""

    class Kind(models.TextChoices):
        REPORTED = "reported", _("Reported")
        TRANSITION = "transition", _("Status changed")
        STATEMENT_REQUESTED = "statement_requested", _("Statement requested")
        STATEMENT_GIVEN = "statement_given", _("Statement given")
        COMMENT = "comment", _("Comment")
        SYSTEM_FAULT = "system_fault", _("Marked as a system fault")
        NOT_SYSTEM_FAULT = "not_system_fault", _("No longer a system fault")
        LINKED = "linked", _("Linked to a deviation of the same kind")

    deviation = models.ForeignKey(Deviation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("deviation history entry")
        verbose_name_plural = _("deviation history")

    def __str__(self) -> str:
        return f"{self.deviation_id} {self.kind}"


class SteeringMeetingQuerySet(models.QuerySet["SteeringMeeting"]):
    def last_before(self, day: date) -> SteeringMeeting | None:
        """The styrgrupp's latest meeting before this date, if one is registered."""
        return self.filter(date__lt=day).order_by("-date").first()


class SteeringMeeting(models.Model):
    """A styrgrupp meeting date: the report to the styrgrupp covers what happened since the last one."""

    date = models.DateField(_("meeting date"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(
        User, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(default=timezone.now)

    objects = SteeringMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]
        verbose_name = _("steering group meeting")
        verbose_name_plural = _("steering group meetings")

    def __str__(self) -> str:
        return self.date.isoformat()
