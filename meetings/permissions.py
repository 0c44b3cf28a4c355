"""Who may do what with councils, meetings and agendas. Visibility itself is in the QuerySets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from meetings.models import AgendaItem, Council, Meeting, Record
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


# --- run ---


def coordinates(user: User, meeting: Meeting) -> bool:
    """The user is a coordinator of the meeting's council: they run its meetings."""
    return is_coordinator(user) and meeting.council.coordinators.filter(pk=user.pk).exists()


def can_run_meeting(user: User, meeting: Meeting) -> bool:
    return coordinates(user, meeting)


def can_edit_record(user: User, item: AgendaItem, record: Record) -> bool:
    """The coordinator writes the record until it is finalised."""
    return coordinates(user, item.meeting) and not record.is_final and item.status != "removed"


def is_referring_case_worker_of(user: User, item: AgendaItem) -> bool:
    return is_case_worker(user) and user.organisation_id == item.referral.organisation_id


def can_print_summary(user: User, item: AgendaItem) -> bool:
    """The summary is for the individual: their case worker or the coordinator hands it over."""
    return coordinates(user, item.meeting) or is_referring_case_worker_of(user, item)


def parties_user_answers_for(user: User, item: AgendaItem, today: date) -> list[str]:
    """The consent-covered parties whose response this user may record.

    A case worker answers for their organisation's party; a council member
    for the party they represent in the meeting's council.
    """
    covered = item.referral.parties_with_consent(today)
    parties = set()
    if is_case_worker(user) and user.organisation is not None:
        parties.add(user.organisation.party)
    if is_council_member(user):
        parties |= set(item.meeting.council.members.filter(user=user).values_list("party", flat=True))
    return [party for party in covered if party in parties]


def can_respond(user: User, item: AgendaItem, record: Record, party: str, today: date) -> bool:
    return record.is_final and party in parties_user_answers_for(user, item, today)


# --- plan ---


def can_plan(user: User) -> bool:
    """The planning pages are the coordinators'."""
    return is_coordinator(user)


def can_plan_meeting(user: User, meeting: Meeting) -> bool:
    """A coordinator of the meeting's council plans it: its details, its agenda and its slots."""
    if not is_coordinator(user):
        return False
    cache = getattr(user, "_coordinated_council_ids", None)
    if cache is None:
        cache = set(Council.objects.coordinated_by(user).values_list("pk", flat=True))
        user._coordinated_council_ids = cache  # type: ignore[attr-defined]
    return meeting.council_id in cache
