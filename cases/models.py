"""Referrals (ansökningar), their participants and consents."""

from __future__ import annotations

import calendar
import functools
import operator
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Concat, Lower
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import notifications, workflow
from cases.signals import personal_data_erased
from cases.workflow import DomainError, Status, Todo
from resursrad import personnummer
from resursrad.case_numbers import format_case_number, normalise_case_number
from resursrad.models import Organisation, Party, User, YearlySequence
from resursrad.pagination import PageWithoutCount, page_number

__all__ = ["DomainError", "Status", "Todo"]

TEXT_LIMIT = 4000


class Sex(models.TextChoices):
    FEMALE = "kvinna", _("Woman")
    MALE = "man", _("Man")
    UNSPECIFIED = "ej_angivet", _("Not stated")


class ParticipantQuerySet(models.QuerySet["Participant"]):
    def named(self, text: str, *, trigram: bool | None = None) -> ParticipantQuerySet:
        """Participants whose name or pseudonym holds every word of the text, in any case.

        On PostgreSQL the words are looked up in ``search_name`` through its
        trigram index (migration cases 0006); SQLite compares each name field
        (``trigram=False`` asks for that on any database).
        """
        if trigram is None:
            trigram = connections[self.db].vendor == "postgresql"
        condition = Q()
        for word in text.split():
            if trigram:
                condition &= Q(search_name__contains=Lower(models.Value(word)))
            else:
                condition &= (
                    Q(first_name__icontains=word)
                    | Q(last_name__icontains=word)
                    | Q(pseudonym__icontains=word)
                )
        return self.filter(condition)


class Participant(models.Model):
    """The individual a referral is about.

    With protected identity (skyddade personuppgifter) nothing identifying is
    stored: no name, number or contact details, only a pseudonym.
    """

    protected_identity = models.BooleanField(
        _("protected identity"),
        default=False,
        help_text=_(
            "The person has protected personal data. Only a pseudonym is stored; "
            "you are the only channel to the person."
        ),
    )
    pseudonym = models.CharField(_("pseudonym"), max_length=60, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    personal_number = models.CharField(
        _("personal identity number"), max_length=12, blank=True, help_text=_("Stored as 12 digits.")
    )
    is_coordination_number = models.BooleanField(_("co-ordination number"), default=False)
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices, default=Sex.UNSPECIFIED)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=60, blank=True, default="svenska")
    needs_interpreter = models.BooleanField(_("needs an interpreter"), default=False)
    interpreter_language = models.CharField(_("interpreter language"), max_length=60, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    # A keyed hash of the number (resursrad.personnummer.keyed_hash): found by
    # search and duplicate checks without reading the number itself.
    number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)
    # The names in lower case, kept by the database: what a name search reads.
    # Erasing the names empties it; on PostgreSQL a trigram index covers it.
    search_name = models.GeneratedField(
        expression=Lower(
            Concat("first_name", models.Value(" "), "last_name", models.Value(" "), "pseudonym")
        ),
        output_field=models.TextField(),
        db_persist=True,
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                name="protected_identity_stores_nothing_identifying",
                condition=Q(protected_identity=False)
                | Q(first_name="", last_name="", personal_number="", phone="", email="", address=""),
            ),
            models.CheckConstraint(
                name="protected_identity_has_pseudonym",
                condition=Q(protected_identity=False) | ~Q(pseudonym="") | Q(erased_at__isnull=False),
            ),
            models.CheckConstraint(
                name="erased_participant_keeps_nothing_identifying",
                condition=Q(erased_at__isnull=True)
                | Q(
                    first_name="",
                    last_name="",
                    pseudonym="",
                    personal_number="",
                    number_hash="",
                    phone="",
                    email="",
                    address="",
                    accessibility_needs="",
                ),
            ),
            models.CheckConstraint(
                name="personal_number_is_12_digits",
                condition=Q(personal_number="") | Q(personal_number__regex=r"^[0-9]{12}$"),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    # What erasure (gallring) removes; sex and year of birth stay for statistics.
    ERASED_FIELDS = {
        "first_name": "",
        "last_name": "",
        "pseudonym": "",
        "personal_number": "",
        "number_hash": "",
        "is_coordination_number": False,
        "phone": "",
        "email": "",
        "address": "",
        "language": "",
        "needs_interpreter": False,
        "interpreter_language": "",
        "accessibility_needs": "",
    }

    @staticmethod
    def identity_values(fields: dict[str, Any]) -> dict[str, Any]:
        """The fields to store, with the keyed hash of the number beside it."""
        number = fields.get("personal_number") or ""
        return {**fields, "number_hash": personnummer.keyed_hash(number) if number else ""}

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def display_name(self) -> str:
        if self.is_erased:
            return gettext("Erased")
        if self.protected_identity:
            return self.pseudonym
        return f"{self.first_name} {self.last_name}".strip()

    def has_values(self, fields: dict[str, Any]) -> bool:
        return all(getattr(self, name) == value for name, value in fields.items())

    @property
    def masked_number(self) -> str:
        return personnummer.mask(self.personal_number)

    @property
    def formatted_number(self) -> str:
        return personnummer.formatted(self.personal_number)


class TargetGroup(models.TextChoices):
    LONG_TERM_SICK = "long_term_sick", _("Long-term sick-listed")
    YOUNG_DISABILITY = "young_disability", _("Young person with a disability")
    YOUNG_ACTIVITY_COMPENSATION = "young_activity_compensation", _("Young person on activity compensation")
    OTHER = "other", _("Other")


class Reason(models.TextChoices):
    EARLY_OVERVIEW = "early_overview", _("An early overview is needed")
    NO_PROGRESS = "no_progress", _("Planned interventions lead nowhere")
    LIFE_FACTORS = "life_factors", _("Other life factors get in the way")
    UNCLEAR_COORDINATION = "unclear_coordination", _("It is unclear who coordinates")
    OTHER = "other", _("Other")


class Participation(models.TextChoices):
    ON_SITE = "on_site", _("On site")
    REMOTE = "remote", _("Remote")
    EITHER = "either", _("Either")


# The fields the lists read: the row, the participant's name and masked number
# (and the hash the access log keeps), the organisation and the case worker.
# Nothing a row does not show: every time read is parsed in Python.
LIST_FIELDS = (
    "case_number",
    "status",
    "created_at",
    "organisation__name",
    "handler__first_name",
    "handler__last_name",
    "participant__first_name",
    "participant__last_name",
    "participant__pseudonym",
    "participant__protected_identity",
    "participant__personal_number",
    "participant__number_hash",
    "participant__erased_at",
)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def visible_to(self, user: Any) -> ReferralQuerySet:
        """What the user may see; everything else is a 404."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        allowed = []
        if user.is_case_worker and user.organisation_id:
            allowed.append(Q(organisation_id=user.organisation_id))
        if user.is_coordinator:
            allowed.append(Q(status__in=workflow.COORDINATOR_STATES))
        # Council members see the cases on their council's agendas (meetings);
        # the steering group never sees referrals. A discarded draft is gone.
        if not allowed:
            return self.none()
        return self.filter(functools.reduce(operator.or_, allowed), status__in=workflow.VISIBLE_STATES)

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=workflow.OPEN_STATES)

    def backlog(self) -> ReferralQuerySet:
        """Accepted cases and due follow-ups waiting for a time on an agenda, oldest first."""
        return self.filter(status__in=workflow.BACKLOG_STATES).order_by("backlog_since", "pk")

    def follow_ups_due(self, today: date) -> ReferralQuerySet:
        """Held cases whose follow-up date has come: they return to the backlog."""
        return self.filter(status=Status.HELD, follow_up_on__lte=today)

    def waiting_for_coordinator(self) -> ReferralQuerySet:
        return self.filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")

    def with_inbox_data(self, now: Any) -> ReferralQuerySet:
        """Whether the case worker has answered a question, and whether it has waited long."""
        answered = ReferralEvent.objects.filter(
            referral=models.OuterRef("pk"),
            kind=EventKind.TRANSITION,
            from_status=Status.INFO_REQUESTED,
            to_status=Status.SUBMITTED,
        )
        long_ago = now - timedelta(days=settings.INBOX_LONG_WAIT_DAYS)
        # The inbox names no participant and no case worker: only the organisation is joined.
        fields = ["case_number", "status", "submitted_at", *(f"tg_{g}" for g in TargetGroup.values)]
        return (
            self.select_related("organisation")
            .only(*fields, "organisation__name")
            .annotate(
                answered=models.Exists(answered),
                long_wait=models.Case(
                    models.When(submitted_at__lte=long_ago, then=True),
                    default=False,
                    output_field=models.BooleanField(),
                ),
            )
        )

    def in_target_group(self, code: str) -> ReferralQuerySet:
        if code not in TargetGroup.values:
            return self.none()
        return self.filter(**{f"tg_{code}": True})

    def next_waiting(self, *, after: Referral) -> Referral | None:
        """The longest-waiting referral other than this one, for "Nästa i inkorgen"."""
        return self.waiting_for_coordinator().exclude(pk=after.pk).only("pk", "case_number").first()

    def counts_for_inbox(self) -> dict[str, int]:
        """How many wait for the case worker's answer and for a meeting, in one query (on the status index)."""
        return self.filter(status__in=[Status.INFO_REQUESTED, Status.ACCEPTED]).aggregate(
            # Counting the status column: the status index alone answers it.
            info_requested=models.Count("status", filter=Q(status=Status.INFO_REQUESTED)),
            accepted=models.Count("status", filter=Q(status=Status.ACCEPTED)),
        )

    def with_list_data(self, *, organisation: bool = True) -> ReferralQuerySet:
        """What a list row shows (and the access log records), without the long texts it never shows.

        ``organisation=False`` for a list without the organisation's column.
        """
        if organisation:
            return self.select_related("participant", "organisation", "handler").only(*LIST_FIELDS)
        fields = [name for name in LIST_FIELDS if not name.startswith("organisation__")]
        return self.select_related("participant", "handler").only(*fields)

    def matching(
        self,
        *,
        user: Any,
        today: date,
        status: str = "",
        party: str = "",
        target_group: str = "",
        created_from: date | None = None,
        created_to: date | None = None,
        mine: bool = False,
        todo: str = "",
    ) -> ReferralQuerySet:
        """The list's filters, as cleaned by ReferralFilterForm; an empty value filters nothing."""
        queryset: ReferralQuerySet = self
        if mine:
            queryset = queryset.filter(handler=user)
        if status:
            queryset = queryset.filter(status=status)
        if party:
            queryset = queryset.filter(organisation__party=party)
        if target_group:
            queryset = queryset.in_target_group(target_group)
        if created_from:
            queryset = queryset.filter(created_at__date__gte=created_from)
        if created_to:
            queryset = queryset.filter(created_at__date__lte=created_to)
        if todo:
            queryset = queryset.todo(todo, user=user, today=today)
        return queryset

    # --- the case worker's to-do list ("Att göra") ------------------------------
    #
    # A case worker's to-do list holds the referrals where they are the case
    # worker (handler): those are theirs to act on, and a colleague's case moves
    # to them when they take it over. Their list shows the whole organisation's
    # referrals (visible_to); these methods narrow and order it.

    def with_expiring_consent(self, today: date, last_day: date | None = None) -> ReferralQuerySet:
        """consent_expires_on: the first day a consent in force ends, within the warning window.

        Empty when no consent in force ends within CONSENT_EXPIRY_WARNING_DAYS
        (counted from today, both days included; `last_day` is its last day,
        given only by a caller that passes every value on its own: see
        cases.compiled_lists), or consent no longer matters.
        """
        if "consent_expires_on" in self.query.annotations:
            return self
        return self.annotate(consent_expires_on=_consent_ending(today, last_day).first_end)

    def needing_action(self, user: Any, today: date, last_day: date | None = None) -> ReferralQuerySet:
        """The user's own cases with work waiting, found by index and not by looking at every row.

        A state with work is found on the (handler, status) index; a consent
        ending soon on the consent index of its end day. Tens of rows for a
        case worker however much the organisation's list grows.
        """
        ending = _consent_ending(today, last_day).referrals
        return self.filter(handler_id=user.pk).filter(
            Q(status__in=WORK_STATES) | Q(status__in=workflow.CONSENT_STATES, pk__in=ending)
        )

    def worklist(self, user: Any, today: date) -> Worklist:
        """The user's cases with work waiting, most urgent first, and how many of each kind: one query."""
        return Worklist.of(list(self.worklist_rows(user, today)))

    def worklist_rows(
        self, user: Any, today: date, last_day: date | None = None
    ) -> models.QuerySet[Referral, tuple[int, str, date | None]]:
        """Worklist.of's rows: (pk, status, consent_expires_on) of the user's cases with work, newest first."""
        fields = ("pk", "status", "consent_expires_on")
        return (
            self.needing_action(user, today, last_day)
            .with_expiring_consent(today, last_day)
            .order_by("-created_at", "-pk")
            .values_list(*fields)
        )

    def todo_counts(self, user: Any, today: date) -> dict[str, int]:
        """How many of the user's cases wait for each kind of work, in one query."""
        return self.worklist(user, today).counts

    def todo(self, kind: str, *, user: Any, today: date) -> ReferralQuerySet:
        """The user's cases waiting for this kind of work; an unknown kind finds nothing."""
        condition = _todo_conditions(user).get(kind)
        if condition is None:
            return self.none()
        queryset = self.needing_action(user, today) if kind == Todo.CONSENT else self
        return queryset.with_expiring_consent(today).filter(condition)

    def by_action_needed(self, user: Any, today: date) -> ReferralQuerySet:
        """The user's cases that need action first, in the order of Todo; then newest first.

        One SQL ordering over every row: for a search's few rows. A whole list
        is paged with page_action_first, which gives the same order by index.
        """
        ranks = [
            models.When(condition, then=models.Value(rank))
            for rank, condition in enumerate(_todo_conditions(user).values())
        ]
        return (
            self.with_expiring_consent(today)
            .annotate(
                action_rank=models.Case(
                    *ranks, default=models.Value(len(ranks)), output_field=models.IntegerField()
                )
            )
            .order_by("action_rank", "-created_at", "-pk")
        )

    def page_action_first(
        self, worklist: Worklist, *, today: date, number: Any, size: int, narrowed: bool
    ) -> PageWithoutCount:
        """A page of this list in by_action_needed's order, from the worklist and the newest-first index.

        The cases with work waiting come first (the worklist's order, those of
        them this list holds), then the rest newest first, paged across the
        two without counting. `narrowed`: this list is filtered or searched,
        so which of the worklist's cases it holds is asked (one more query).
        """
        first = worklist.order
        if narrowed and first:
            held = set(self.filter(pk__in=first).values_list("pk", flat=True))
            first = [pk for pk in first if pk in held]
        plan = ActionFirstPage.plan(first, worklist.order, number=number, size=size)
        return plan.page(self.action_first_rows(plan, today))

    def action_first_rows(
        self, plan: ActionFirstPage, today: date, last_day: date | None = None
    ) -> ReferralQuerySet:
        """The page's rows, newest first (ActionFirstPage.page puts those with work first): one query.

        Its rows with work by id (a page of them alone by the ids themselves,
        which is cheaper to plan), the rest (if the page reaches them) by a
        newest-first subquery on the index.
        """
        ids: Any = plan.leading
        if plan.rest:
            # The outer query applies this list's filters to every row: the ids
            # with work need none of their own.
            ids = Referral.objects.filter(pk__in=plan.leading).order_by().values("pk")
            rest = self.exclude(pk__in=plan.excluded) if plan.excluded else self
            newest: Any = rest.order_by("-created_at", "-pk").values("pk")[plan.skip : plan.skip + plan.rest]
            if not connections[self.db].features.supports_slicing_ordering_in_compound:
                # SQLite (development) refuses a LIMIT in a half of a union, not in a subquery.
                newest = Referral.objects.filter(pk__in=newest).order_by().values("pk")
            # A union, not an OR: both halves stay index scans, joined on the primary key.
            ids = ids.union(newest, all=True) if plan.leading else newest
        return self.with_expiring_consent(today, last_day).filter(pk__in=ids).order_by("-created_at", "-pk")

    def search(self, query: str) -> ReferralQuerySet:
        """By case number, personal identity number or name, whichever the query is.

        Each kind is an indexed lookup: the exact case number, the keyed hash of
        the number, or participants whose name holds every word.
        """
        query = query.strip()
        if not query:
            return self
        try:
            return self.filter(case_number=normalise_case_number(query))
        except ValidationError:
            pass
        try:
            number = personnummer.parse(query)
        except ValidationError:
            number = None
        if number:
            return self.filter(participant__number_hash=personnummer.keyed_hash(number.digits))
        return self.filter(participant__in=Participant.objects.named(query).values("pk"))

    def open_for_number(self, digits: str) -> ReferralQuerySet:
        """Open referrals about the person with this 12-digit number (found by its keyed hash)."""
        if not digits:
            return self.none()
        return self.open().filter(participant__number_hash=personnummer.keyed_hash(digits)).order_by("pk")

    def with_lapsed_consent(self, today: date) -> ReferralQuerySet:
        """Referrals bound by consent with an expired, not withdrawn consent (each is checked again)."""
        return self.filter(
            status__in=workflow.CONSENT_BOUND_STATES,
            pk__in=Consent.objects.filter(valid_until__lt=today, withdrawn_on__isnull=True).values(
                "referral_id"
            ),
        )

    def due_for_erasure(self, today: date) -> ReferralQuerySet:
        """Closed, declined or consent-ended referrals past their erasure day, not yet erased."""
        return self.filter(
            status__in=workflow.ERASABLE_STATES,
            erasure_due_on__lte=today,
            participant__erased_at__isnull=True,
        )


# The states with work waiting for the case worker (consent ending soon is not a state).
WORK_STATES = frozenset().union(*workflow.TODO_STATES.values())


@dataclass(frozen=True)
class ConsentEnding:
    """A day's consents in force that end within the warning window, as the lists ask for them."""

    # The first day a consent in force of the referral (an OuterRef) ends, if it matters.
    first_end: models.Case
    # The ids of the referrals with such a consent.
    referrals: models.QuerySet[Any]


def consent_warning_end(today: date) -> date:
    """The last day of the consent warning window that starts today."""
    return today + timedelta(days=settings.CONSENT_EXPIRY_WARNING_DAYS)


def _consent_ending(today: date, last_day: date | None) -> ConsentEnding:
    return _consent_ending_between(today, last_day or consent_warning_end(today))


@functools.lru_cache(maxsize=4)
def _consent_ending_between(today: date, last_day: date) -> ConsentEnding:
    """Built once a day, not on every list: Django copies an expression or a subquery where it
    is used, so one built before serves every request of the day (none is ever evaluated itself).
    """
    ending = Consent.objects.in_force(today).filter(valid_until__lte=last_day)
    first_end = (
        ending.filter(referral=models.OuterRef("pk")).order_by("valid_until").values("valid_until")[:1]
    )
    return ConsentEnding(
        first_end=models.Case(
            models.When(status__in=workflow.CONSENT_STATES, then=models.Subquery(first_end)),
            default=None,
            output_field=models.DateField(),
        ),
        referrals=ending.values("referral_id"),
    )


@dataclass(frozen=True)
class Worklist:
    """A case worker's cases with work waiting: their ids most urgent first, and how many of each kind."""

    order: list[int]
    counts: dict[str, int]

    @classmethod
    def of(cls, rows: Sequence[tuple[int, str, date | None]]) -> Worklist:
        """From ReferralQuerySet.worklist_rows: (pk, status, consent_expires_on), newest first."""
        counts = dict.fromkeys(TODO_KINDS, 0)
        ranked = []
        for pk, status, expires_on in rows:
            kinds = _kinds_of(status, expires_on)
            for kind in kinds:
                counts[kind] += 1
            if kinds:
                ranked.append((TODO_KINDS.index(kinds[0]), pk))
        # sorted() keeps newest first within a kind.
        order = [pk for _, pk in sorted(ranked, key=lambda item: item[0])]
        return cls(order=order, counts=counts)


@dataclass(frozen=True)
class ActionFirstPage:
    """Which rows a page of an action-first list holds: those with work by id, then the newest others.

    `leading`: the page's rows with work, in the worklist's order (one more
    than the page size, to know whether a next page exists); `rest`: how many
    of the newest other rows fill it, after skipping `skip` of them; `excluded`:
    the ids with work, which the newest others leave out.
    """

    number: int
    size: int
    leading: list[int]
    excluded: list[int]
    skip: int
    rest: int

    @classmethod
    def plan(cls, first: list[int], excluded: list[int], *, number: Any, size: int) -> ActionFirstPage:
        """Page `number` of the list whose rows with work are `first` (the worklist's `excluded`, or those
        of them a narrowed list holds)."""
        page = page_number(number)
        start = (page - 1) * size
        wanted = size + 1
        leading = first[start : start + wanted]
        rest = wanted - len(leading)
        skip = max(start - len(first), 0) if rest else 0
        return cls(page, size, leading, excluded if rest else [], skip, rest)

    def page(self, rows: Any) -> PageWithoutCount:
        """The page from its rows newest first: those with work first, in the worklist's order."""
        position = {pk: index for index, pk in enumerate(self.leading)}
        # Sorting is stable: the rest keep their newest-first order after the rows with work.
        ordered = sorted(rows, key=lambda row: position.get(row.pk, len(self.leading)))
        return PageWithoutCount(ordered[: self.size], self.number, has_next=len(ordered) > self.size)


# Each kind of work, most urgent first, with the states that call for it (none for consent).
TODO_KINDS = [kind.value for kind in Todo]
_TODO_STATES = [(kind.value, workflow.TODO_STATES[kind]) for kind in Todo]


def _kinds_of(status: str, consent_expires_on: date | None) -> list[str]:
    """The kinds of work waiting on one of the user's cases, most urgent first (as _todo_conditions)."""
    return [
        kind
        for kind, states in _TODO_STATES
        if (consent_expires_on is not None if kind == Todo.CONSENT else status in states)
    ]


def _todo_conditions(user: Any) -> dict[str, Q]:
    """Each kind of work, most urgent first, as a condition on a referral annotated by with_expiring_consent."""
    conditions = {}
    for kind in Todo:
        if kind == Todo.CONSENT:
            work = Q(consent_expires_on__isnull=False)
        else:
            work = Q(status__in=workflow.TODO_STATES[kind])
        conditions[kind.value] = Q(handler_id=user.pk) & work
    return conditions


@functools.lru_cache(maxsize=8)
def _case_path(script_prefix: str, urlconf: Any) -> str:
    """The case page's address with a slot for the id, resolved once per script prefix and URLconf.

    A list links every row to its case; resolving each link anew is a tenth
    of what a row costs to show.
    """
    marker = 987654321
    return reverse("cases:detail", args=[marker]).replace(str(marker), "{pk}")


class CaseNumberSequence(YearlySequence):
    """The last case number handed out per year."""

    @classmethod
    def next_case_number(cls, year: int) -> str:
        return format_case_number(year, cls.next_value(year))


class Referral(models.Model):
    """An application (ansökan) to the resource council for one individual."""

    case_number = models.CharField(_("case number"), max_length=20, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="referrals"
    )
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        User, verbose_name=_("case worker"), on_delete=models.PROTECT, related_name="handled_referrals"
    )
    participant = models.OneToOneField(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="referral"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    tg_long_term_sick = models.BooleanField(TargetGroup.LONG_TERM_SICK.label, default=False)
    tg_young_disability = models.BooleanField(TargetGroup.YOUNG_DISABILITY.label, default=False)
    tg_young_activity_compensation = models.BooleanField(
        TargetGroup.YOUNG_ACTIVITY_COMPENSATION.label, default=False
    )
    tg_other = models.BooleanField(TargetGroup.OTHER.label, default=False)

    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    reason_other = models.CharField(_("other reason"), max_length=300, blank=True)
    current_situation = models.TextField(_("current situation"), max_length=TEXT_LIMIT)
    parties_involved = models.TextField(_("parties involved today"), max_length=TEXT_LIMIT, blank=True)
    tried_so_far = models.TextField(_("what has been tried"), max_length=TEXT_LIMIT, blank=True)
    question_to_council = models.TextField(_("question to the council"), max_length=TEXT_LIMIT)
    requested_parties = models.JSONField(_("parties asked to take part"), default=list)
    # Parties taken out of the case because their consent ended.
    removed_parties = models.JSONField(_("parties taken out"), default=list, blank=True)
    participation = models.CharField(
        _("preferred participation"),
        max_length=10,
        choices=Participation.choices,
        default=Participation.EITHER,
    )
    preferred_from = models.DateField(_("preferred from"), null=True, blank=True)
    preferred_to = models.DateField(_("preferred until"), null=True, blank=True)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    erasure_due_on = models.DateField(_("personal data erased on"), null=True, blank=True)
    # Since when the case waits in the coordinator's backlog for a time on an
    # agenda (accepted, or its follow-up came due): the backlog is oldest first.
    backlog_since = models.DateTimeField(_("waiting for a meeting since"), null=True, blank=True)
    # When the plan from the latest meeting is followed up (set as the record is finalised).
    follow_up_on = models.DateField(_("follow-up on"), null=True, blank=True)
    # Optimistic locking: an edit saves only if nobody saved in between.
    version = models.PositiveIntegerField(default=1)
    # The create form's one-time token: a double submit finds the first referral.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                name="preferred_period_in_order",
                condition=Q(preferred_from__isnull=True)
                | Q(preferred_to__isnull=True)
                | Q(preferred_to__gte=models.F("preferred_from")),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"]),
            # The coordinator's backlog, oldest first (ReferralQuerySet.backlog).
            models.Index(fields=["status", "backlog_since"], name="referral_backlog"),
            # The lists sort newest first, within an organisation or across all.
            models.Index(fields=["organisation", "-created_at"], name="referral_org_created"),
            models.Index(fields=["-created_at"], name="referral_created"),
            # A case worker's cases with work waiting (ReferralQuerySet.needing_action).
            models.Index(fields=["handler", "status"], name="referral_handler_status"),
        ]

    def __str__(self) -> str:
        return self.case_number

    def get_absolute_url(self) -> str:
        return self.absolute_url_pattern().format(pk=self.pk)

    @staticmethod
    def absolute_url_pattern() -> str:
        """The case page's address with "{pk}" for the id: a list links every row with one lookup."""
        return _case_path(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)

    # --- reads -------------------------------------------------------------

    @property
    def status_label(self) -> str:
        """As get_status_display, without building the choices anew for every row of a list."""
        return str(Status(self.status).label)

    @property
    def target_groups(self) -> list[TargetGroup]:
        return [group for group in TargetGroup if getattr(self, f"tg_{group.value}")]

    @property
    def requested_party_labels(self) -> list[str]:
        return [str(Party(code).label) for code in self.requested_parties]

    def consents_in_force(self, on: date) -> list[Consent]:
        return [consent for consent in self.consents.all() if consent.in_force(on)]

    def uncovered_parties(self, on: date) -> list[str]:
        """Requested parties without consent in force on the given day."""
        covered = {consent.party for consent in self.consents_in_force(on)}
        return [party for party in self.requested_parties if party not in covered]

    def consent_ending_soon(self, on: date) -> dict[str, date]:
        """Requested parties whose consent in force ends within the warning window, with its last day.

        The window is CONSENT_EXPIRY_WARNING_DAYS from the given day: such a
        consent may be renewed before it ends (see Consent.register_many).
        """
        last_day = consent_warning_end(on)
        ends: dict[str, date] = {}
        for consent in self.consents_in_force(on):
            ends[consent.party] = max(ends.get(consent.party, consent.valid_until), consent.valid_until)
        return {
            party: end for party, end in ends.items() if end <= last_day and party in self.requested_parties
        }

    def parties_needing_consent(self, on: date) -> list[str]:
        """Requested parties without consent in force, or whose consent ends soon (to renew)."""
        ending = self.consent_ending_soon(on)
        uncovered = set(self.uncovered_parties(on))
        return [party for party in self.requested_parties if party in uncovered or party in ending]

    def parties_with_consent(self, on: date) -> list[str]:
        """The requested parties whose consent is in force: only they take part."""
        covered = {consent.party for consent in self.consents_in_force(on)}
        return [party for party in self.requested_parties if party in covered]

    @property
    def removed_party_labels(self) -> list[str]:
        return [str(Party(code).label) for code in self.removed_parties]

    @property
    def state(self) -> workflow.State:
        return workflow.STATES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in workflow.OPEN_STATES

    @property
    def is_editable(self) -> bool:
        return self.state.editable

    @property
    def is_erased(self) -> bool:
        return self.participant.is_erased

    def available_transitions(self) -> list[workflow.Transition]:
        return [t for t in workflow.TRANSITIONS.values() if self.status in t.sources]

    @property
    def waiting_days(self) -> int:
        if self.submitted_at is None:
            return 0
        return (timezone.now() - self.submitted_at).days

    @property
    def latest_exchange(self) -> dict[str, ReferralEvent | None] | None:
        """The coordinator's latest question and the case worker's answer to it, from loaded history.

        Shown as a short thread at the top of the case page while the referral
        waits for a decision or an answer.
        """
        if self.status not in (Status.SUBMITTED, Status.INFO_REQUESTED):
            return None
        question = answer = None
        for event in self.events.all():
            if event.kind != EventKind.TRANSITION:
                continue
            if event.to_status == Status.INFO_REQUESTED:
                question, answer = event, None
            elif event.from_status == Status.INFO_REQUESTED and question is not None:
                answer = event
        return {"question": question, "answer": answer} if question else None

    @property
    def closing_event(self) -> ReferralEvent | None:
        """Why a referral that has ended ended: the last move into its state (from loaded history)."""
        if self.is_open and self.status != Status.CONSENT_ENDED:
            return None
        moves = [
            e for e in self.events.all() if e.kind == EventKind.TRANSITION and e.to_status == self.status
        ]
        return moves[-1] if moves else None

    def has_values(self, fields: dict[str, Any]) -> bool:
        return all(getattr(self, name) == value for name, value in fields.items())

    # --- changes -----------------------------------------------------------

    @classmethod
    def create_draft(
        cls, *, by: User, participant: Participant, token: uuid.UUID | None = None, **fields: Any
    ) -> Referral:
        """A new draft; the same one-time token twice (a double submit) gives the first referral."""
        _check_parties(fields.get("requested_parties", []))
        if token:
            existing = cls.objects.filter(creation_token=token).first()
            if existing and existing.created_by_id == by.pk:
                return existing
            if existing:
                # Someone else's token (copied or forged): it protects nothing here.
                token = None
        try:
            with transaction.atomic():
                participant.number_hash = Participant.identity_values(
                    {"personal_number": participant.personal_number}
                )["number_hash"]
                participant.save()
                referral = cls(
                    case_number=CaseNumberSequence.next_case_number(timezone.localdate().year),
                    organisation=by.organisation,
                    created_by=by,
                    handler=by,
                    participant=participant,
                    creation_token=token,
                    **fields,
                )
                referral.save()
                ReferralEvent.objects.create(
                    referral=referral, kind=EventKind.CREATED, by=by, to_status=Status.DRAFT
                )
        except IntegrityError:
            # The same form posted at the same moment: the unique token let one
            # insert through and made the others wait for it, then fail here.
            if token is None:
                raise
            participant.pk = None
            winner = cls.objects.filter(creation_token=token, created_by=by).first()
            if winner is None:
                raise DomainError(
                    gettext("The form could not be saved. Check your text and save again.")
                ) from None
            return winner
        return referral

    def save_edit(
        self,
        *,
        by: User,
        expected_version: int,
        participant_fields: dict[str, Any],
        referral_fields: dict[str, Any],
    ) -> None:
        """Save an edit unless someone else saved first (then raise EditConflict)."""
        _check_parties(referral_fields.get("requested_parties", []))
        participant_fields = Participant.identity_values(participant_fields)
        with transaction.atomic():
            updated = Referral.objects.filter(
                pk=self.pk, version=expected_version, status__in=workflow.EDITABLE_STATES
            ).update(version=models.F("version") + 1, updated_at=timezone.now(), **referral_fields)
            if not updated:
                current = Referral.objects.get(pk=self.pk)
                if not current.is_editable:
                    raise DomainError(gettext("The referral can no longer be edited."))
                if current.has_values(referral_fields) and current.participant.has_values(participant_fields):
                    # The same edit arrived twice (a double click): nothing to overwrite.
                    return
                raise EditConflict(current.version)
            Participant.objects.filter(pk=self.participant_id).update(**participant_fields)
            ReferralEvent.objects.create(referral=self, kind=EventKind.EDITED, by=by)
        self.refresh_from_db()
        self.participant.refresh_from_db()

    def perform(
        self,
        name: str,
        *,
        by: User | None,
        comment: str = "",
        today: date | None = None,
        fields: dict[str, Any] | None = None,
    ) -> None:
        """Take the step named in the workflow table: check, change, write history, all under a lock.

        ``fields`` are further values the caller sets with the move (the
        meetings set the follow-up date as a record is finalised).
        """
        transition = workflow.TRANSITIONS[name]
        today = today or timezone.localdate()
        comment = comment.strip()
        if transition.comment is workflow.Comment.REQUIRED and not comment:
            raise DomainError(gettext("Write a comment."))
        with transaction.atomic():
            if transition.before is not None:
                transition.before(self)
            # Two people (or two clicks) acting on the same referral at once: the
            # row lock makes the second see the first's result and be refused.
            # Every check below runs on the locked row, never on a stale copy.
            locked = Referral.objects.select_for_update().get(pk=self.pk)
            if locked.status not in transition.sources:
                raise DomainError(
                    gettext("A referral that is “%(current)s” cannot become “%(new)s”.")
                    % {"current": locked.get_status_display(), "new": Status(transition.target).label}
                )
            if transition.guard is not None:
                transition.guard(locked, today)
            changes = transition.changes(locked, today) if transition.changes else {}
            changes.update(fields or {})
            from_status = locked.status
            changes["status"] = transition.target
            changes["version"] = locked.version + 1
            for field, value in changes.items():
                setattr(locked, field, value)
                setattr(self, field, value)
            locked.save(update_fields=[*changes, "updated_at"])
            self.updated_at = locked.updated_at
            ReferralEvent.objects.create(
                referral=self,
                kind=EventKind.TRANSITION,
                by=by,
                from_status=from_status,
                to_status=transition.target,
                comment=comment,
            )
            if transition.after is not None:
                transition.after(locked)
            notifications.after_transition(locked, transition, by=by)

    def submit(self, *, by: User, today: date | None = None) -> None:
        self.perform("submit", by=by, today=today)

    def request_info(self, *, by: User, question: str) -> None:
        self.perform("request_info", by=by, comment=question)

    def resubmit(self, *, by: User, answer: str, today: date | None = None) -> None:
        self.perform("resubmit", by=by, comment=answer, today=today)

    def accept(self, *, by: User, comment: str = "") -> None:
        self.perform("accept", by=by, comment=comment)

    def decline(self, *, by: User, reason: str) -> None:
        self.perform("decline", by=by, comment=reason)

    def close(self, *, by: User, reason: str) -> None:
        self.perform("close", by=by, comment=reason)

    def end_for_lack_of_consent(self, *, by: User | None, comment: str, today: date | None = None) -> None:
        """Consent withdrawn or expired: hide the case and queue its personal data for erasure."""
        self.perform("end_for_lack_of_consent", by=by, comment=comment, today=today)

    def take_over(self, *, by: User) -> None:
        if by.organisation_id != self.organisation_id or not by.is_case_worker:
            raise DomainError(gettext("Only a case worker of the referring organisation can take over."))
        with transaction.atomic():
            # Several colleagues pressing "take over" at once: the lock orders
            # them, and each sees who holds the case by then.
            # No join here: after waiting for the lock PostgreSQL re-checks the
            # row, and a joined handler that has changed would hide it.
            locked = Referral.objects.select_for_update().get(pk=self.pk)
            if locked.handler_id == by.pk:
                raise DomainError(gettext("You are already the case worker for this referral."))
            if not locked.is_open:
                raise DomainError(gettext("A closed referral cannot be taken over."))
            previous = locked.handler
            locked.handler = by
            locked.save(update_fields=["handler", "updated_at"])
            self.handler = by
            ReferralEvent.objects.create(
                referral=self,
                kind=EventKind.TAKEN_OVER,
                by=by,
                comment=gettext("Taken over from %(name)s.") % {"name": previous.get_full_name()},
            )
            notifications.after_take_over(locked, previous=previous, by=by)

    def withdraw_all_consents(self, *, by: User, on: date, today: date | None = None) -> int:
        """The individual withdrew consent for every party at once."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # The case's slots may be freed: their locks come first (workflow.lock_agendas).
            workflow.lock_agendas(self)
            locked = Referral.objects.select_for_update().get(pk=self.pk)
            open_consents = list(locked.consents.filter(withdrawn_on__isnull=True))
            if not open_consents:
                raise DomainError(gettext("There is no consent left to withdraw."))
            for consent in open_consents:
                consent.record_withdrawal(by=by, on=on)
            locked.react_to_consent_change(by=by, today=max(today, on))
        self.refresh_from_db()
        return len(open_consents)

    def apply_consent_change(self, *, by: User | None, today: date) -> bool:
        """After a consent lapsed: lock the referral and take parties out or end it."""
        with transaction.atomic():
            workflow.lock_agendas(self)
            locked = Referral.objects.select_for_update().get(pk=self.pk)
            return locked.react_to_consent_change(by=by, today=today)

    def ends_without(self, parties: list[str]) -> bool:
        """Whether losing these parties' consent ends the referral, rather than taking them out.

        It ends when the referring organisation's own party goes, or when no
        party other than the referring one would remain.
        """
        own = self.organisation.party
        others = [party for party in self.requested_parties if party not in parties and party != own]
        return own in parties or not others

    def consent_loss_outcome(self, parties: list[str]) -> str:
        """What withdrawing these parties' consent would do now: "ends", "leaves" or "nothing"."""
        if self.status not in workflow.CONSENT_BOUND_STATES:
            return "nothing"
        lost = [party for party in parties if party in self.requested_parties]
        if not lost:
            return "nothing"
        return "ends" if self.ends_without(lost) else "leaves"

    def react_to_consent_change(self, *, by: User | None, today: date) -> bool:
        """Call with the row locked. A party without consent leaves the case.

        The referral ends only when the referring organisation's own party lost
        consent or no other requested party remains; otherwise the parties
        without consent are taken out and never see or join the case again.
        """
        if self.status not in workflow.CONSENT_BOUND_STATES:
            return False
        missing = self.uncovered_parties(today)
        if not missing:
            return False
        names = ", ".join(str(Party(code).label) for code in missing)
        remaining = [party for party in self.requested_parties if party not in missing]
        if self.ends_without(missing):
            self.end_for_lack_of_consent(
                by=by,
                comment=gettext("No consent in force for: %(parties)s.") % {"parties": names},
                today=today,
            )
            return True
        self.requested_parties = remaining
        self.removed_parties = [*self.removed_parties, *(p for p in missing if p not in self.removed_parties)]
        self.version += 1
        self.save(update_fields=["requested_parties", "removed_parties", "version", "updated_at"])
        ReferralEvent.objects.create(
            referral=self,
            kind=EventKind.PARTY_REMOVED,
            by=by,
            comment=gettext(
                "%(parties)s no longer take part: consent has been withdrawn or has expired. "
                "They do not see the case and are not invited to its meeting."
            )
            % {"parties": names},
        )
        # Their representatives are no longer invited to the case's coming meeting.
        from meetings.services import parties_left_case

        parties_left_case(self, missing)
        notifications.after_parties_removed(self, missing, by=by)
        return True

    @transaction.atomic
    def erase_personal_data(self, *, now: Any = None) -> bool:
        """Erasure (gallring): remove names, numbers, contact data and free texts.

        The case number, dates, sex, year of birth, parties, target groups and
        outcome stay for statistics; so do the meeting records' facts
        (attendance, outcome, plan items' state, the parties' answers), while
        their texts go too. Returns False if it was already erased.
        """
        now = now or timezone.now()
        with transaction.atomic():
            # A second run, or two runs at once, erase nothing the second time.
            claimed = Participant.objects.filter(pk=self.participant_id, erased_at__isnull=True).update(
                erased_at=now, **Participant.ERASED_FIELDS
            )
            if not claimed:
                return False
            Referral.objects.filter(pk=self.pk).update(**Referral.ERASED_FIELDS, updated_at=now)
            ReferralEvent.objects.filter(referral=self).update(comment="")
            Consent.objects.filter(referral=self).update(documented_by="", record_reference="")
            ReferralEvent.objects.create(referral=self, kind=EventKind.ERASED, at=now)
            # The meeting records' texts go in the same transaction (meetings listens).
            personal_data_erased.send(sender=Referral, referral=self, at=now)
        self.refresh_from_db()
        self.participant.refresh_from_db()
        return True

    ERASED_FIELDS = {
        "reason_other": "",
        "current_situation": "",
        "parties_involved": "",
        "tried_so_far": "",
        "question_to_council": "",
        "creation_token": None,
    }


def _check_parties(codes: list[str]) -> None:
    unknown = [code for code in codes if code not in Party.values]
    if unknown:
        raise DomainError(gettext("Unknown party: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})


# referral.is_draft, referral.is_submitted, …: templates ask these, never compare strings.
def _is_status(status: str) -> property:
    return property(lambda self: self.status == status)


for _status in Status:
    setattr(Referral, f"is_{_status.value}", _is_status(_status))


class EditConflict(DomainError):
    def __init__(self, current_version: int) -> None:
        super().__init__(
            gettext(
                "Someone else saved this referral while you were editing. Your text is kept below; "
                "compare it with the saved version and save again."
            )
        )
        self.current_version = current_version


class DataCategory(models.TextChoices):
    HEALTH = "health", _("Health")
    SOCIAL = "social", _("Social situation")
    ECONOMY = "economy", _("Economy")
    WORK = "work", _("Work and studies")


class ConsentMethod(models.TextChoices):
    SIGNED = "signed", _("Signed form")
    ORAL = "oral", _("Oral, documented")


def add_months(day: date, months: int) -> date:
    """The same day of the month so many months later, or that month's last day (29 Feb → 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ConsentRefused(DomainError):
    """Consent for one party was refused; nothing of the registration was saved."""

    def __init__(self, message: str, *, party: str) -> None:
        super().__init__(message)
        self.party = party


class ConsentQuerySet(models.QuerySet["Consent"]):
    def in_force(self, on: date) -> ConsentQuerySet:
        return self.filter(withdrawn_on__isnull=True, given_on__lte=on, valid_until__gte=on)


class Consent(models.Model):
    """The individual's consent that one party shares given kinds of data, for a time."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)
    categories = models.JSONField(_("kinds of data"), default=list)
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how it was given"), max_length=10, choices=ConsentMethod.choices)
    documented_by = models.CharField(_("documented by"), max_length=200, blank=True)
    # Where the party keeps the signed form (or the note of an oral consent) in
    # its own records; never a personal identity number.
    record_reference = models.CharField(_("where the form is kept"), max_length=100, blank=True)
    valid_until = models.DateField(_("valid until"))
    registered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_registered_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["party", "-given_on"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                name="consent_valid_after_given", condition=Q(valid_until__gte=models.F("given_on"))
            ),
            models.CheckConstraint(name="consent_party_is_known", condition=Q(party__in=Party.values)),
            models.CheckConstraint(
                name="consent_withdrawn_after_given",
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
            ),
        ]
        indexes = [
            # Consents ending soon (the worklist) and lapsed ones (the daily check).
            models.Index(fields=["valid_until"], name="consent_valid_until"),
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} ({self.given_on}–{self.valid_until})"

    def in_force(self, on: date) -> bool:
        return self.withdrawn_on is None and self.given_on <= on <= self.valid_until

    @property
    def category_labels(self) -> list[str]:
        return [str(DataCategory(code).label) for code in self.categories]

    @staticmethod
    def default_valid_until(given_on: date) -> date:
        """The validity the form suggests: CONSENT_DEFAULT_VALIDITY_MONTHS after the day it was given."""
        return add_months(given_on, settings.CONSENT_DEFAULT_VALIDITY_MONTHS)

    @classmethod
    def register(cls, *, referral: Referral, by: User, today: date | None = None, **fields: Any) -> Consent:
        """Record a consent; one consent in force (or still to come) per party."""
        return cls.register_many(referral=referral, by=by, rows=[fields], today=today)[0]

    @classmethod
    def register_many(
        cls, *, referral: Referral, by: User, rows: Sequence[dict[str, Any]], today: date | None = None
    ) -> list[Consent]:
        """Record consent for several parties at once: every row, or none if one is refused.

        Each row holds a consent's fields. One consent in force (or still to
        come) per party; a refusal raises ConsentRefused naming the party.
        """
        today = today or timezone.localdate()
        if not rows:
            raise DomainError(gettext("Choose at least one party to register consent for."))
        seen: set[str] = set()
        for row in rows:
            cls._check_row(row)
            if row["party"] in seen:
                raise ConsentRefused(gettext("The same party is given twice."), party=row["party"])
            seen.add(row["party"])
        with transaction.atomic():
            # Two registrations for the same party at once (two colleagues, or a
            # double submit): the referral's row lock orders them, and the
            # second finds the first's consents and is refused as a whole.
            locked = Referral.objects.select_for_update().get(pk=referral.pk)
            if locked.status not in workflow.CONSENT_STATES:
                raise DomainError(gettext("Consent can no longer be registered for this referral."))
            # A party's consent in force (or still to come) may only be renewed
            # when it ends within the warning window, and only by one that lasts longer.
            last_day = consent_warning_end(today)
            ends: dict[str, date] = {}
            for party, valid_until in locked.consents.filter(
                party__in=seen, withdrawn_on__isnull=True, valid_until__gte=today
            ).values_list("party", "valid_until"):
                ends[party] = max(ends.get(party, valid_until), valid_until)
            consents = []
            for row in rows:
                end = ends.get(row["party"])
                if end is not None and end > last_day:
                    raise ConsentRefused(
                        gettext("This party already has consent in force."), party=row["party"]
                    )
                if end is not None and row["valid_until"] <= end:
                    raise ConsentRefused(
                        gettext("The new consent must last longer than the one in force (until %(date)s).")
                        % {"date": end.isoformat()},
                        party=row["party"],
                    )
                consent = cls.objects.create(referral=locked, registered_by=by, **row)
                ReferralEvent.objects.create(
                    referral=locked,
                    kind=EventKind.CONSENT_REGISTERED,
                    by=by,
                    comment=gettext("Consent for %(party)s, valid until %(date)s.")
                    % {"party": consent.get_party_display(), "date": consent.valid_until.isoformat()},
                )
                consents.append(consent)
        return consents

    @staticmethod
    def _check_row(fields: dict[str, Any]) -> None:
        party = fields.get("party")
        if party not in Party.values:
            raise DomainError(gettext("Unknown party: %(codes)s.") % {"codes": party})
        categories = fields.get("categories") or []
        if not categories or any(code not in DataCategory.values for code in categories):
            raise ConsentRefused(gettext("Choose the kinds of data from the list."), party=party)
        if personnummer.appears_in(fields.get("record_reference", "")):
            raise ConsentRefused(
                gettext("The reference must not contain a personal identity number."), party=party
            )

    def withdraw(self, *, by: User, on: date, today: date | None = None) -> None:
        """Record that the individual withdrew this consent; sharing with that party stops at once."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # Lock the referral first: two consents of one referral withdrawn at
            # the same moment are then recorded one after the other, and the
            # second sees the state the first left. Only the locks of the case's
            # slots come before it, in the meetings' order (workflow.lock_agendas).
            workflow.lock_agendas(self.referral)
            referral = Referral.objects.select_for_update().get(pk=self.referral_id)
            self.record_withdrawal(by=by, on=on)
            referral.react_to_consent_change(by=by, today=max(today, on))

    def record_withdrawal(self, *, by: User, on: date) -> None:
        """Mark this consent withdrawn and write history; the caller holds the referral's lock."""
        updated = Consent.objects.filter(pk=self.pk, withdrawn_on__isnull=True).update(
            withdrawn_on=on, withdrawal_registered_by=by
        )
        if not updated:
            raise DomainError(gettext("This consent has already been withdrawn."))
        self.withdrawn_on = on
        self.withdrawal_registered_by = by
        notifications.after_consent_withdrawn(self)
        ReferralEvent.objects.create(
            referral_id=self.referral_id,
            kind=EventKind.CONSENT_WITHDRAWN,
            by=by,
            comment=gettext("Consent for %(party)s withdrawn on %(date)s.")
            % {"party": self.get_party_display(), "date": on.isoformat()},
        )


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    EDITED = "edited", _("Edited")
    TRANSITION = "transition", _("Status changed")
    TAKEN_OVER = "taken_over", _("Taken over")
    CONSENT_REGISTERED = "consent_registered", _("Consent registered")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    PARTY_REMOVED = "party_removed", _("Party taken out")
    ERASED = "erased", _("Personal data erased")


class ReferralEvent(models.Model):
    """The referral's history: who did what, when, from which state to which."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(max_length=TEXT_LIMIT, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")
        indexes = [
            # The inbox asks of each waiting referral whether the case worker has
            # answered a question: a small index of those moves alone.
            models.Index(
                fields=["referral"],
                condition=Q(kind="transition", from_status="info_requested", to_status="submitted"),
                name="event_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        """What happened, for the history: "Inskickad → Komplettering begärd", or the kind of entry."""
        labels = dict(Status.choices)
        if self.kind == EventKind.TRANSITION:
            return f"{labels.get(self.from_status, self.from_status)} → {labels.get(self.to_status, self.to_status)}"
        return str(dict(EventKind.choices).get(self.kind, self.kind))


class ErasureRun(models.Model):
    """One run of erasure (gallring): when, and how many cases of each kind; never which."""

    at = models.DateTimeField(_("time"), default=timezone.now)
    counts = models.JSONField(_("erased per kind"), default=dict)
    total = models.PositiveIntegerField(_("erased"), default=0)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("erasure run")
        verbose_name_plural = _("erasure runs")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M}: {self.total}"
