"""Loading meetings and slots for a user, and the access log of the cases they were shown.

A slot names an individual's case: every read of one passes through here and
is logged, and a refused attempt (a 404) is logged as well.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404

from cases.access import MAX_ID
from meetings.models import AgendaItem, Meeting
from resursrad.models import AccessAction, AccessLog, User
from resursrad.types import AuthenticatedHttpRequest

# --- plan ---


def get_meeting_for_user(
    request: AuthenticatedHttpRequest, pk: int, *, allowed: Callable[[User, Meeting], bool] | None = None
) -> Meeting:
    """The meeting if the user may see it (and ``allowed`` holds); else 404."""
    meeting = None
    if 0 < pk <= MAX_ID:
        meeting = Meeting.objects.visible_to(request.user).select_related("council").filter(pk=pk).first()
    if meeting is None or (allowed is not None and not allowed(request.user, meeting)):
        raise Http404
    return meeting


def get_agenda_item_for_user(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    action: str,
    allowed: Callable[[User, AgendaItem], bool] | None = None,
) -> AgendaItem:
    """The slot if the user may see it (and ``allowed`` holds), logged as ``action``; else a logged refusal and 404."""
    item = None
    if 0 < pk <= MAX_ID:
        item = (
            AgendaItem.objects.visible_to(request.user)
            .select_related(
                "meeting__council", "referral__participant", "referral__organisation", "case_worker"
            )
            .filter(pk=pk)
            .first()
        )
    if item is None or (allowed is not None and not allowed(request.user, item)):
        _record_refusal(request, pk)
        raise Http404
    AccessLog.record(request, referral=item.referral, action=action)
    return item


def _record_refusal(request: AuthenticatedHttpRequest, pk: int) -> None:
    """A user asked for a slot they may not see: who, which case (if the slot exists), when."""
    target = None
    if 0 < pk <= MAX_ID:
        target = AgendaItem.objects.select_related("referral__participant").filter(pk=pk).first()
    if target is not None:
        AccessLog.record(request, referral=target.referral, action=AccessAction.REFUSED)
    else:
        AccessLog.entry(request, action=AccessAction.REFUSED).save()
