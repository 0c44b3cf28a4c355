"""Councils (resursråd): who sits in them, and their defaults for meetings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from resursrad.models import Party


class CouncilQuerySet(models.QuerySet["Council"]):
    def coordinated_by(self, user: Any) -> CouncilQuerySet:
        """The councils the user runs as coordinator."""
        if not (user.is_authenticated and user.is_active and user.is_coordinator):
            return self.none()
        return self.filter(coordinators=user)

    def with_member(self, user: Any) -> CouncilQuerySet:
        """The councils where the user sits as a member (ordinarie or ersättare)."""
        if not (user.is_authenticated and user.is_active and user.is_council_member):
            return self.none()
        return self.filter(members__user=user)


class Council(models.Model):
    """A resource council: the standing group of the four parties that meets one individual at a time."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    municipalities = models.CharField(
        _("municipalities served"),
        max_length=500,
        blank=True,
        help_text=_("The municipalities whose residents the council meets, separated by commas."),
    )
    default_place = models.CharField(_("default place"), max_length=200, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("slot length (minutes)"), default=45, help_text=_("The time for one individual.")
    )
    break_minutes = models.PositiveSmallIntegerField(_("break between slots (minutes)"), default=15)
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_councils",
        blank=True,
        limit_choices_to={"is_coordinator": True},
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CouncilQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        constraints = [
            models.CheckConstraint(
                name="council_slot_length_sensible", condition=Q(slot_minutes__gte=10, slot_minutes__lte=240)
            ),
            models.CheckConstraint(name="council_break_sensible", condition=Q(break_minutes__lte=120)),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def municipality_list(self) -> list[str]:
        return [name.strip() for name in self.municipalities.split(",") if name.strip()]


class MemberRole(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary member")
    SUBSTITUTE = "substitute", _("Substitute")


class CouncilMember(models.Model):
    """A party's representative in a council, ordinarie or ersättare."""

    council = models.ForeignKey(
        Council, verbose_name=_("council"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="council_memberships",
        limit_choices_to={"is_council_member": True},
    )
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    role = models.CharField(_("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.ORDINARY)

    class Meta:
        ordering = ["party", "role", "pk"]
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        constraints = [
            models.UniqueConstraint(fields=["council", "user"], name="council_member_once"),
            models.CheckConstraint(name="council_member_party_is_known", condition=Q(party__in=Party.values)),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_party_display()})"
