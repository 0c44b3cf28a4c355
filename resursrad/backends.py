"""Authentication: the e-mail backend and the client identity django-axes locks out."""

from __future__ import annotations

import functools
import ipaddress
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from resursrad.models import User


class EmailBackend(ModelBackend):
    """Log in with the e-mail address, case-insensitively.

    ModelBackend already runs the password hasher for unknown users, so an
    unknown e-mail takes as long, and gets the same answer, as a wrong password.
    """

    def get_user(self, user_id: Any) -> Any:
        """The logged-in user with their organisation and unread notifications, which every
        page's header shows: one query."""
        try:
            user = _users_with_header_data().get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _users_with_header_data() -> QuerySet[User]:
    """Built once per process: the annotation's subquery costs more to build than the query to run.

    Never evaluated itself (each get() is a copy), so no row is kept between requests.
    """
    from resursrad.notifications.models import Notification

    return User.objects.select_related("organisation").annotate(
        unread_notifications=Notification.objects.unread_count_of(OuterRef("pk"))
    )


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting only the configured number of proxies.

    Each trusted proxy appends the address it was connected from to
    X-Forwarded-For, so with N proxies the client is the N-th address from the
    right; everything left of it may be forged by the client. With no trusted
    proxies (the default) the header is ignored and the connection's address
    is the client's.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count == 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count or not _is_ip(forwarded[-count]):
        # Not through the proxies we were told about: the only address we can
        # vouch for is the connection's.
        return remote_addr
    return forwarded[-count]


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The user name failures are counted against, in the one form the login accepts.

    Log-in ignores the case of the e-mail address; so must the count, or
    "Karin@..." and "karin@..." would each get their own allowance.
    """
    source: Any = credentials if credentials else request.POST
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    if not username:
        return None
    return str(username).strip().lower()


def lockout_ends_at(request: HttpRequest, credentials: dict[str, Any] | None = None) -> datetime | None:
    """When the lockout that refused this request ends, or None if nothing is locked.

    A user name and an address are locked separately (AXES_LOCKOUT_PARAMETERS);
    each lock ends when its failures within the cool-off period fall below the
    limit again. The later of the two is when logging in works again.
    """
    from axes.models import AccessAttempt

    limit = settings.AXES_FAILURE_LIMIT
    cool_off = settings.AXES_COOLOFF_TIME
    username = lockout_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    now = timezone.now()
    ends = []
    for lookup in ({"username": username}, {"ip_address": address}):
        if next(iter(lookup.values())) is None:
            continue
        failures = 0
        attempts = AccessAttempt.objects.filter(**lookup, attempt_time__gt=now - cool_off).order_by(
            "-attempt_time"
        )
        for attempt_time, count in attempts.values_list("attempt_time", "failures_since_start"):
            failures += count
            if failures >= limit:
                # The lock lifts when this attempt falls out of the cool-off window.
                ends.append(attempt_time + cool_off)
                break
    return max(ends, default=None)
