"""Who may do what with councils, meetings and agendas. Visibility itself is in the QuerySets."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from resursrad.models import User
from resursrad.permissions import is_case_worker, is_coordinator, is_council_member


def role_or_404(check: Callable[[User], bool]) -> Callable[..., Any]:
    """Answer 404 unless ``check(request.user)`` holds: a meetings page tells outsiders nothing."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):  # type: ignore[arg-type]
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# --- cal ---


def has_meeting_calendar(user: User) -> bool:
    """Everyone who takes part in meetings: coordinators, council members and case workers."""
    return is_coordinator(user) or is_council_member(user) or is_case_worker(user)


def can_subscribe_to_calendar(user: User) -> bool:
    return has_meeting_calendar(user)


def has_agendas(user: User) -> bool:
    """ "Mina dagordningar" is the council member's start page."""
    return is_council_member(user)
