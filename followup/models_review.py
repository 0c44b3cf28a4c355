"""Access-log review (loggkontroll): the samples a reviewer checks, and the reviews they leave.

Each sample is one query on the access log (or the administration log),
filtered and limited in the database, with whether each row has been
reviewed already as an EXISTS beside it: a constant number of queries
however long the log grows.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import ExtractIsoWeekDay, JSONArray
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Referral
from meetings.models import AgendaItem, CouncilMember
from resursrad.models import (
    AccessAction,
    AccessLog,
    AccessLogQuerySet,
    AdminEvent,
    AdminEventKind,
    AdminEventQuerySet,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    User,
)

__all__ = ["LogReview", "Sample", "SAMPLE_PERIOD_DAYS", "SAMPLE_SIZE", "OFFICE_OPENS", "OFFICE_CLOSES"]

# The last period a sample is drawn from, and how many rows it shows.
SAMPLE_PERIOD_DAYS = 30
SAMPLE_SIZE = 20
# Office hours, local time, Monday to Friday: a read outside them is sampled.
OFFICE_OPENS = time(7, 0)
OFFICE_CLOSES = time(18, 0)


class Sample(models.TextChoices):
    RANDOM = "random", _("Random reads")
    OTHER_ORGANISATION = "other_organisation", _("Reads by an organisation not taking part")
    COUNCIL_OFF_AGENDA = "council_off_agenda", _("Council members' reads of cases not on their agenda")
    OFF_HOURS = "off_hours", _("Reads outside office hours")
    ADMIN = "admin", _("Administrator actions")


class LogReviewQuerySet(AppendOnlyQuerySet):
    def with_people(self) -> LogReviewQuerySet:
        return self.select_related("reviewer")


class LogReview(AppendOnlyModel):
    """A reviewer's comment on one access-log row or one administration event. Append-only.

    The rows reviewed are never deleted (the logs are append-only), so the
    foreign keys need no constraint in the database; without one the logs'
    own refusal of TRUNCATE stays the reason given.
    """

    entry = models.ForeignKey(
        AccessLog,
        verbose_name=_("access log entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        db_constraint=False,
    )
    event = models.ForeignKey(
        AdminEvent,
        verbose_name=_("administration event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
        db_constraint=False,
    )
    sample = models.CharField(_("sample"), max_length=20, choices=Sample.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(_("reviewed"), default=timezone.now)

    objects = LogReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("log review")
        verbose_name_plural = _("log reviews")
        constraints = [
            models.CheckConstraint(
                name="logreview_one_target",
                condition=(Q(entry__isnull=False) & Q(event__isnull=True))
                | (Q(entry__isnull=True) & Q(event__isnull=False)),
            ),
            models.CheckConstraint(name="logreview_comment_given", condition=~Q(comment="")),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.reviewer_id} {self.sample}"

    @staticmethod
    def is_own(reviewer: User, row: AccessLog | AdminEvent) -> bool:
        """A reviewer never reviews their own reads, nor administrator actions they took or were the subject of."""
        if isinstance(row, AccessLog):
            return row.user_id == reviewer.pk
        return reviewer.pk in (row.actor_id, row.subject_id)

    @classmethod
    def record(cls, *, reviewer: User, row: AccessLog | AdminEvent, sample: str, comment: str) -> LogReview:
        if cls.is_own(reviewer, row):
            raise PermissionError("A reviewer cannot review their own reads.")
        target = {"entry": row} if isinstance(row, AccessLog) else {"event": row}
        return cls.objects.create(reviewer=reviewer, sample=sample, comment=comment.strip(), **target)


# --- the samples -------------------------------------------------------------


def _since(now: datetime | None) -> datetime:
    return (now or timezone.now()) - timedelta(days=SAMPLE_PERIOD_DAYS)


def _reads(now: datetime | None) -> AccessLogQuerySet:
    """Reads of the last period, each with whether it was reviewed. A refused attempt showed nothing."""
    return (
        AccessLog.objects.with_people()
        .filter(at__gte=_since(now))
        .exclude(action=AccessAction.REFUSED)
        .annotate(reviewed=Exists(LogReview.objects.filter(entry=OuterRef("pk"))))
    )


def random_reads(now: datetime | None = None, size: int = SAMPLE_SIZE) -> AccessLogQuerySet:
    return _reads(now).order_by("?")[:size]


def other_organisation_reads(now: datetime | None = None, size: int = SAMPLE_SIZE) -> AccessLogQuerySet:
    """Reads by a user whose organisation neither referred the case nor belongs to a party asked to take part.

    The row is joined to its case by the case number; the reader's organisation
    is the one the row recorded. Users of no organisation (the förbund's own
    coordinators and administrators) are not in this sample.
    """
    foreign_case = (
        Referral.objects.filter(case_number=OuterRef("case_number"))
        .exclude(organisation_id=OuterRef("organisation_id"))
        .exclude(requested_parties__contains=JSONArray(OuterRef("organisation__party")))
    )
    return (
        _reads(now)
        .filter(organisation__isnull=False)
        .exclude(case_number="")
        .filter(Exists(foreign_case))
        .order_by("-at", "-pk")[:size]
    )


def council_off_agenda_reads(now: datetime | None = None, size: int = SAMPLE_SIZE) -> AccessLogQuerySet:
    """Reads by members of a council of cases on no agenda of any council they sit in."""
    on_their_agenda = AgendaItem.objects.filter(
        referral__case_number=OuterRef("case_number"), meeting__council__members__user=OuterRef("user_id")
    )
    return (
        _reads(now)
        .filter(Exists(CouncilMember.objects.filter(user_id=OuterRef("user_id"))))
        .exclude(case_number="")
        .filter(~Exists(on_their_agenda))
        .order_by("-at", "-pk")[:size]
    )


def off_hours_reads(now: datetime | None = None, size: int = SAMPLE_SIZE) -> AccessLogQuerySet:
    """Reads before opening, from closing, or on a Saturday or Sunday, in local time."""
    return (
        _reads(now)
        .annotate(weekday=ExtractIsoWeekDay("at"))
        .filter(Q(at__time__lt=OFFICE_OPENS) | Q(at__time__gte=OFFICE_CLOSES) | Q(weekday__gte=6))
        .order_by("-at", "-pk")[:size]
    )


def admin_actions(now: datetime | None = None, size: int = SAMPLE_SIZE) -> AdminEventQuerySet:
    """Role changes and password resets of the last period."""
    return (
        AdminEvent.objects.with_people()
        .filter(at__gte=_since(now), kind__in=[AdminEventKind.ROLE_CHANGED, AdminEventKind.PASSWORD_RESET])
        .annotate(reviewed=Exists(LogReview.objects.filter(event=OuterRef("pk"))))
        .order_by("-at", "-pk")[:size]
    )


SAMPLES: dict[str, Any] = {
    Sample.RANDOM: random_reads,
    Sample.OTHER_ORGANISATION: other_organisation_reads,
    Sample.COUNCIL_OFF_AGENDA: council_off_agenda_reads,
    Sample.OFF_HOURS: off_hours_reads,
    Sample.ADMIN: admin_actions,
}


def sample_rows(sample: str, now: datetime | None = None) -> list[Any]:
    """The rows of one sample, in one query."""
    return list(SAMPLES[sample](now))
