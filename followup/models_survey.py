"""The participant survey: anonymous answers tied to a council and a month, never to a case or a person."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Council

# A printed summary's link stays open this long; after that the token answers 404.
SURVEY_LINK_DAYS = 60
MAX_TOKEN_LENGTH = 64
# Results are never listed for fewer answers than this, so that no one can be singled out.
SURVEY_MIN_ANSWERS = 5
FREE_TEXT_MAX_LENGTH = 1000


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AlreadyAnswered(Exception):
    """The link has been used: the first answer counts, this one is not stored."""


class SurveyLinkQuerySet(models.QuerySet["SurveyLink"]):
    def open_on(self, today: date) -> SurveyLinkQuerySet:
        return self.filter(created_on__gt=today - timedelta(days=SURVEY_LINK_DAYS), council__is_active=True)

    def for_token(self, token: str, today: date | None = None) -> SurveyLink | None:
        """The link with this token while it is open (used or not); None for anything else."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        today = today or timezone.localdate()
        return self.open_on(today).select_related("council").filter(token_hash=token_hash(token)).first()


class SurveyLink(models.Model):
    """One printed invitation to the survey.

    It knows only the council and the meeting's month: nothing about the case, the agenda item or
    any person. Its dates are days, not times, so it cannot be matched to the access log's print
    entry by the second. Only the token's hash is stored; the address is printed once.
    """

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    council = models.ForeignKey(
        Council, on_delete=models.CASCADE, related_name="+", verbose_name=_("council")
    )
    month = models.DateField(_("month"))
    created_on = models.DateField(_("created on"))
    used_on = models.DateField(_("used on"), null=True, blank=True)

    objects = SurveyLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        constraints = [
            models.CheckConstraint(name="survey_link_month_is_first_day", condition=Q(month__day=1)),
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.month:%Y-%m}"

    @classmethod
    def issue(cls, council: Council, meeting_day: date, today: date | None = None) -> str:
        """A new link for one printed summary; returns the token, which is not stored."""
        token = secrets.token_urlsafe(16)
        cls.objects.create(
            token_hash=token_hash(token),
            council=council,
            month=first_of_month(meeting_day),
            created_on=today or timezone.localdate(),
        )
        return token

    def answer(self, today: date | None = None, **answers: Any) -> SurveyAnswer:
        """Store the answer once per link; a second answer raises AlreadyAnswered."""
        today = today or timezone.localdate()
        with transaction.atomic():
            # Two submissions from the same link at once: the conditional update lets one claim it.
            claimed = SurveyLink.objects.filter(pk=self.pk, used_on__isnull=True).update(used_on=today)
            if not claimed:
                raise AlreadyAnswered
            return SurveyAnswer.objects.create(
                council_id=self.council_id, month=self.month, answered_month=first_of_month(today), **answers
            )


class Agreement(models.TextChoices):
    FULLY = "fully", _("I agree completely")
    PARTLY = "partly", _("I partly agree")
    NOT = "not", _("I do not agree")
    DONT_KNOW = "dont_know", _("I don't know")


# The fixed questions: field name and the question as the participant reads it.
QUESTIONS = [
    ("listened_to", _("I was listened to")),
    ("plan_forward", _("I got a plan for the way forward")),
    ("right_people", _("The right people were there")),
]


class SurveyAnswerQuerySet(models.QuerySet["SurveyAnswer"]):
    def for_period(self, council: Council, start: date, end: date) -> SurveyAnswerQuerySet:
        """Answers about the council's meetings in the months from start to end (inclusive)."""
        return self.filter(council=council, month__gte=first_of_month(start), month__lte=first_of_month(end))

    def counts(self) -> dict[str, Any]:
        """The number of answers and, per question, per answer: one query."""
        aggregates: dict[str, Any] = {"total": Count("pk")}
        for field, _label in QUESTIONS:
            for value in Agreement.values:
                aggregates[f"{field}__{value}"] = Count("pk", filter=Q(**{field: value}))
        return self.aggregate(**aggregates)

    def free_texts(self) -> list[str]:
        # Sorted by the text itself: no order that could hint at when an answer came.
        return list(self.exclude(free_text="").order_by("free_text").values_list("free_text", flat=True))


class SurveyAnswer(models.Model):
    """One participant's answer. Tied to a council and months only; no case, no person, no exact time.

    The primary key is random, so not even the order of answers can be matched to the order of links used.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="+", verbose_name=_("council")
    )
    month = models.DateField(_("month of the meeting"))
    answered_month = models.DateField(_("month answered"))
    listened_to = models.CharField(_("I was listened to"), max_length=10, choices=Agreement.choices)
    plan_forward = models.CharField(
        _("I got a plan for the way forward"), max_length=10, choices=Agreement.choices
    )
    right_people = models.CharField(
        _("The right people were there"), max_length=10, choices=Agreement.choices
    )
    free_text = models.TextField(_("anything else"), max_length=FREE_TEXT_MAX_LENGTH, blank=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                name="survey_answer_months_are_first_days", condition=Q(month__day=1, answered_month__day=1)
            ),
            models.CheckConstraint(
                name="survey_answer_free_text_capped",
                condition=LessThanOrEqual(Length("free_text"), FREE_TEXT_MAX_LENGTH),
            ),
            *[
                models.CheckConstraint(
                    name=f"survey_answer_{field}_valid", condition=Q(**{f"{field}__in": Agreement.values})
                )
                for field, _label in QUESTIONS
            ],
        ]

    def __str__(self) -> str:
        return f"{self.council} {self.month:%Y-%m}"
