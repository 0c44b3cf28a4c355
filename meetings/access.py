"""Loading meetings, slots and records for a user, and the access log of what they were shown.

Each part of the meetings app has its own section; every read of a case's
content (names, the record) is logged where it is loaded, and a refusal (a
404) is logged too.
"""

from __future__ import annotations

from django.http import Http404

from cases.access import MAX_ID, log_shown
from meetings.models import AgendaItem, ItemStatus, Meeting, Record
from meetings.permissions import can_print_summary, coordinates
from resursrad.models import AccessAction, AccessLog
from resursrad.types import AuthenticatedHttpRequest

# --- run ---


def get_meeting_to_run(request: AuthenticatedHttpRequest, pk: int) -> tuple[Meeting, list[AgendaItem]]:
    """The meeting and its shown slots in order, for a coordinator of its council; else 404.

    The page names each slot's individual: every case shown is logged.
    """
    user = request.user
    if not (0 < pk <= MAX_ID and user.is_coordinator):
        raise Http404
    meeting = Meeting.objects.select_related("council").filter(pk=pk, council__coordinators=user).first()
    if meeting is None:
        raise Http404
    items = list(
        meeting.items.shown()
        .select_related("referral__participant", "referral__organisation", "case_worker", "record")
        .order_by("position", "pk")
    )
    log_shown(request, [item.referral for item in items], AccessAction.LIST)
    return meeting, items


def _load_item(pk: int) -> AgendaItem | None:
    if not 0 < pk <= MAX_ID:
        return None
    return (
        AgendaItem.objects.select_related(
            "meeting__council",
            "referral__participant",
            "referral__organisation",
            "referral__handler",
            "case_worker",
        )
        .filter(pk=pk)
        .first()
    )


def _refuse(request: AuthenticatedHttpRequest, item: AgendaItem | None) -> Http404:
    if item is not None:
        AccessLog.record(request, referral=item.referral, action=AccessAction.REFUSED)
    else:
        AccessLog.entry(request, action=AccessAction.REFUSED).save()
    return Http404()


def get_slot_to_record(request: AuthenticatedHttpRequest, pk: int, *, action: str) -> AgendaItem:
    """A slot on a meeting the user coordinates (not one taken off the agenda), logged as ``action``."""
    item = _load_item(pk)
    if item is None or item.status == ItemStatus.REMOVED or not coordinates(request.user, item.meeting):
        raise _refuse(request, item)
    AccessLog.record(request, referral=item.referral, action=action)
    return item


def get_record_to_read(
    request: AuthenticatedHttpRequest, pk: int, *, action: str, summary: bool = False
) -> tuple[AgendaItem, Record]:
    """A slot's record for reading: the coordinator's always, everyone else's only once finalised.

    Who sees the slot at all is AgendaItem.objects.visible_to (coordinators
    of the council, the referring organisation's case workers, council
    members while their party's consent is in force). The summary for the
    individual is for the coordinator and the referring case workers only.
    """
    item = _load_item(pk)
    visible = item is not None and AgendaItem.objects.visible_to(request.user).filter(pk=item.pk).exists()
    record = Record.objects.filter(item_id=item.pk).first() if visible and item else None
    if item is None or record is None:
        raise _refuse(request, item)
    coordinator = coordinates(request.user, item.meeting)
    if (not coordinator and not record.is_final) or (summary and not can_print_summary(request.user, item)):
        raise _refuse(request, item)
    record.item = item
    AccessLog.record(request, referral=item.referral, action=action)
    return item, record


def get_saved_record_after_conflict(request: AuthenticatedHttpRequest, item: AgendaItem) -> Record:
    """The version someone else saved, shown beside the editor's own text: a read of it, too."""
    record = Record.objects.get(item=item)
    record.item = item
    AccessLog.record(request, referral=item.referral, action=AccessAction.CONFLICT)
    return record
