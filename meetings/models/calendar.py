"""Personal calendar feeds: a secret address per user, revocable."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Longer than any token new_token makes: a longer one in a URL is simply not found.
MAX_TOKEN_LENGTH = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)

    def for_token(self, token: str) -> CalendarFeed | None:
        """The active feed with this token, of an active user; None for anything else."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        return (
            self.active()
            .filter(token_hash=token_hash(token), user__is_active=True)
            .select_related("user")
            .first()
        )


class CalendarFeed(models.Model):
    """A user's calendar feed. Only the token's hash is stored; the address is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_active_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @classmethod
    def issue(cls, user: Any) -> str:
        """A new feed address for the user; an earlier one stops working. Returns the token, shown once."""
        token = cls.new_token()
        with transaction.atomic():
            # Two clicks at once would both revoke and then both create: the lock on
            # the user's row lets the second wait, and the one-active constraint holds.
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()
            cls.objects.active().filter(user=user).update(revoked_at=timezone.now())
            cls.objects.create(user=user, token_hash=token_hash(token))
        return token

    @classmethod
    def revoke_for(cls, user: Any) -> int:
        """The user's feed address stops working. Returns how many were active (0 or 1)."""
        return cls.objects.active().filter(user=user).update(revoked_at=timezone.now())
