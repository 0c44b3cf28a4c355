"""Loading meetings and slots for a user, and the access log of what they were shown.

Every read of an individual's case content on an agenda passes through here
and is logged where it is loaded (as cases/access.py does for the case page).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, time

from django.http import Http404

from cases.access import MAX_ID, log_shown, record_refusal
from meetings import compiled_agenda
from meetings.models import AGENDA_SENT_STATES, AgendaItem, ItemStatus, Meeting, Record
from meetings.permissions import can_print_summary, coordinates
from resursrad.models import AccessAction, AccessLog, User
from resursrad.types import AuthenticatedHttpRequest

# --- cal ---


@dataclass(frozen=True)
class Slot:
    """A slot with its computed times (from its place among all the meeting's shown slots)."""

    item: AgendaItem
    starts_at: time
    ends_at: time


def slots_by_meeting(meetings: Iterable[Meeting], items: Iterable[AgendaItem]) -> dict[int, list[Slot]]:
    """The given items, grouped per meeting in agenda order, with their times.

    The times come from every shown slot of the meeting, also those the user
    does not see, so that everyone reads the same time for the same slot. Two
    queries whatever the number of meetings and slots.
    """
    by_pk = {meeting.pk: meeting for meeting in meetings}
    wanted = {item.pk: item for item in items}
    order: dict[int, list[int]] = defaultdict(list)
    rows = (
        AgendaItem.objects.shown()
        .filter(meeting_id__in=list(by_pk))
        .order_by("meeting_id", "position", "pk")
        .values_list("meeting_id", "pk")
    )
    for meeting_id, pk in rows:
        order[meeting_id].append(pk)
    slots: dict[int, list[Slot]] = defaultdict(list)
    for meeting_id, pks in order.items():
        for pk, (start, end) in zip(pks, by_pk[meeting_id].slot_times(len(pks)), strict=True):
            if pk in wanted:
                slots[meeting_id].append(Slot(wanted[pk], start, end))
    return slots


def calendar_slots(user: object, meetings: list[Meeting], today: date | None = None) -> dict[int, list[Slot]]:
    """The slots (case numbers and times) the user's calendar shows for these meetings."""
    items = (
        AgendaItem.objects.in_calendar_of(user, today)
        .filter(meeting_id__in=[meeting.pk for meeting in meetings])
        .select_related("referral")
        .only("pk", "meeting_id", "position", "status", "referral__case_number")
    )
    return slots_by_meeting(meetings, items)


def get_calendar_meeting_for_user(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    """A meeting in the user's calendar, else 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    meeting = Meeting.objects.in_calendar_of(request.user).select_related("council").filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def get_sent_agenda_for_user(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    """A meeting whose agenda has been sent, for its council's members and coordinators; else 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    meeting = (
        Meeting.objects.visible_to(request.user)
        .filter(pk=pk, status__in=AGENDA_SENT_STATES)
        .select_related("council")
        .first()
    )
    if meeting is None:
        raise Http404
    return meeting


def agenda_slots_for_reader(request: AuthenticatedHttpRequest, meeting: Meeting) -> list[Slot]:
    """The slots of a sent agenda the user may read, with times, parties and consents loaded."""
    items = (
        AgendaItem.objects.read_by_council(request.user)
        .filter(meeting=meeting)
        .select_related("referral")
        .prefetch_related("referral__consents", "representatives__member")
    )
    return slots_by_meeting([meeting], items).get(meeting.pk, [])


def get_slot_for_council_reader(request: AuthenticatedHttpRequest, pk: int) -> Slot:
    """A slot's case content for a council member or coordinator, logged; else a logged refusal and 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    item = (
        AgendaItem.objects.read_by_council(request.user)
        .select_related("meeting__council", "referral__participant", "referral__organisation")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        referral_id = AgendaItem.objects.filter(pk=pk).values_list("referral_id", flat=True).first()
        if referral_id is not None:
            record_refusal(request, referral_id)
        raise Http404
    AccessLog.record(request, referral=item.referral, action=AccessAction.VIEW)
    slots = slots_by_meeting([item.meeting], [item])[item.meeting_id]
    return slots[0]


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


# --- plan ---


def get_meeting_for_user(
    request: AuthenticatedHttpRequest, pk: int, *, allowed: Callable[[User, Meeting], bool] | None = None
) -> Meeting:
    """The meeting if the user may see it (and ``allowed`` holds); else 404."""
    meeting = None
    if 0 < pk <= MAX_ID:
        meeting = compiled_agenda.visible_meeting(request.user, pk)
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
