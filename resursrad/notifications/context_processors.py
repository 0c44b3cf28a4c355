"""The notification centre's link in the navigation bar, with the unread count."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from resursrad.notifications.models import Notification

# More than this shows as "99+"; the hidden text for screen readers says the number.
BADGE_MAX = 99


class UnreadBadge:
    """Counted when a page shows it, at most once per request; one COUNT query."""

    def __init__(self, user: Any, path: str) -> None:
        self.user = user
        self.url = reverse("notifications:list")
        self.active = path.startswith(self.url)

    @cached_property
    def count(self) -> int:
        # Loaded with the user (resursrad.backends) on every page; counted here otherwise.
        loaded = getattr(self.user, "unread_notifications", None)
        return loaded if loaded is not None else Notification.objects.unread_count(self.user)

    @property
    def shown(self) -> str:
        return f"{BADGE_MAX}+" if self.count > BADGE_MAX else str(self.count)


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        # Nothing to count, and no query, for a visitor who is not logged in.
        return {}
    return {"notification_badge": UnreadBadge(user, request.path)}
