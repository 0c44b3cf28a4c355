"""The record of a slot: what was said and agreed when the council met one individual."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.models.meetings import AgendaItem, ParticipationMode
from resursrad.models import Party

TEXT_LIMIT = 4000


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
    # After a follow-up slot: whether the case closes or continues with a new plan.
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
