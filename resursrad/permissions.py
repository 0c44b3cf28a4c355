"""Named permission checks, used by views and templates alike."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from resursrad.models import User


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_case_worker(user: User) -> bool:
    return _active(user) and user.is_case_worker and user.organisation_id is not None


def is_coordinator(user: User) -> bool:
    return _active(user) and user.is_coordinator


def is_council_member(user: User) -> bool:
    return _active(user) and user.is_council_member


def is_steering_member(user: User) -> bool:
    return _active(user) and user.is_steering_member


def is_administrator(user: User) -> bool:
    return _active(user) and user.is_administrator


def can_view_system_status(user: User) -> bool:
    return is_administrator(user)


def is_log_reviewer(user: User) -> bool:
    return _active(user) and user.is_log_reviewer


def can_review_access_log(user: User) -> bool:
    """Access-log review (loggkontroll): administrators and the appointed log reviewers."""
    return is_administrator(user) or is_log_reviewer(user)


def has_access_log_in_menu(user: User) -> bool:
    """Administrators find the log in the menu; a log reviewer starts on it (not listed twice)."""
    return can_review_access_log(user) and not is_log_reviewer(user)


def can_view_notification_overview(user: User) -> bool:
    """What was sent, what waits and what failed, with retry: a system page for administrators."""
    return is_administrator(user)


def role_required(check: Callable[[User], bool]) -> Callable[..., Any]:
    """Refuse the view with 403 unless ``check(request.user)`` holds; use after login_required."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):  # type: ignore[arg-type]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
