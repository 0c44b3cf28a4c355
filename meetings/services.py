"""Operations of the meetings over many objects, and what they do when a case changes under them."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from cases import workflow
from cases.models import Referral
from cases.workflow import DomainError, Status
from meetings import notifications
from meetings.models import (
    AgendaItem,
    FollowUpStatus,
    ItemStatus,
    Meeting,
    MeetingStatus,
    PlanItem,
    Representative,
)
from meetings.models.meetings import times_changed
from resursrad.notifications.models import Delivery, Notification

logger = logging.getLogger(__name__)

# How far back a run looks for reminders that fell due: runs missed for up to
# this long (a broker or database outage) are caught up; older ones are not
# sent late.
MISSED_RUN_LOOKBACK_DAYS = 14


# --- called by cases ------------------------------------------------------------


def lock_agenda_of(referral_id: int) -> None:
    """Lock the meetings, then the slots, a case is planned on: call BEFORE locking its referral.

    The meetings lock meeting, then slot, then referral (Meeting.place_case,
    AgendaItem.take_off, move_to). A change that locks the referral and then
    frees its slots (consent withdrawn, the case closed) would wait for a slot
    that a coordinator holds while the coordinator waits for the referral: a
    deadlock. Taking the meeting and slot locks first keeps the one order.
    A slot planned meanwhile (a move) is locked on the next round.
    """
    locked: set[int] = set()
    for _round in range(3):
        planned = AgendaItem.objects.filter(referral_id=referral_id, status=ItemStatus.PLANNED)
        meetings = set(planned.values_list("meeting_id", flat=True)) - locked
        if not meetings:
            return
        list(Meeting.objects.select_for_update().filter(pk__in=meetings).order_by("pk").only("pk"))
        list(planned.select_for_update().order_by("pk").only("pk"))
        locked |= meetings


# --- called by cases on the locked referral -------------------------------------


def release_planned_items(referral: Referral) -> int:
    """A case that ended leaves every coming agenda; its slots are freed.

    What is still waiting about its slots and its plan (invitations,
    reminders) is not sent: the case has ended.
    """
    items = list(AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED))
    # The slots after a freed one move up: their handläggare hear the new times.
    later = [pk for item in items for pk in item.later_slots()]
    for item in items:
        item.representatives.all().delete()
    released = AgendaItem.objects.filter(pk__in=[item.pk for item in items]).update(status=ItemStatus.REMOVED)
    _waiting_about(AgendaItem, AgendaItem.objects.filter(referral=referral).values("pk")).cancel()
    _waiting_about(PlanItem, PlanItem.objects.filter(record__item__referral=referral).values("pk")).cancel()
    times_changed(later, by=None)
    return released


def parties_left_case(referral: Referral, parties: list[str]) -> int:
    """Parties whose consent ended are no longer invited to the case's coming slots.

    What is still waiting for their representatives about those slots is not sent.
    """
    removed = 0
    for item in AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED):
        leaving = list(
            Representative.objects.filter(item=item, member__party__in=parties).values_list(
                "member__user_id", flat=True
            )
        )
        removed += item.withdraw_parties(parties)
        if leaving:
            Notification.objects.about(item).filter(recipient_id__in=leaving).cancel()
    return removed


def _waiting_about(model: type[models.Model], pks: Any) -> Any:
    """Notifications about these objects of one model (pks: a list or a subquery)."""
    content_type = ContentType.objects.get_for_model(model)
    return Notification.objects.filter(content_type=content_type, object_id__in=pks)


# --- time passing ------------------------------------------------------------------


def return_follow_ups_to_backlog(today: date | None = None) -> int:
    """Every held case whose follow-up date has come returns to the backlog; returns how many moved.

    All that are due, not only today's: a missed run is caught up. Each case
    moves in its own transaction, so one that fails does not hold back the
    others (it is tried again next run); a case another run or a person moved
    meanwhile is refused by the workflow and left alone.
    """
    today = today or timezone.localdate()
    moved = 0
    for pk in list(Referral.objects.follow_ups_due(today).order_by("pk").values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                Referral.objects.get(pk=pk).perform("start_follow_up", by=None, today=today)
        except DomainError:
            continue
        except Exception:  # noqa: BLE001 - one case's failure must not stop the others
            logger.exception("Meetings: the follow-up of referral id %s could not return to the backlog.", pk)
            continue
        moved += 1
    return moved


def plan_reminders(now: datetime | None = None) -> int:
    """Plan the meetings' reminders that fell due, and cancel those that became pointless.

    Records not finalised the day after their meeting, plan steps due soon or
    overdue, follow-ups coming due. Each reminder has a fixed due time (from
    the meeting's date, the due date, the follow-up date), so running this
    again, or after a missed run, adds nothing twice. Returns the number of
    objects reminded of.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = today - timedelta(days=MISSED_RUN_LOOKBACK_DAYS)
    looked_at = 0
    with transaction.atomic():
        cancel_pointless_reminders(now)
        for item in unfinalised_items(today, since):
            notifications.notify_record_not_finalised(item)
            looked_at += 1
        steps = open_plan_items()
        soon = today + timedelta(days=settings.PLAN_ITEM_REMINDER_DAYS)
        for plan_item in steps.filter(due_on__gte=today, due_on__lte=soon):
            notifications.notify_plan_item_due_soon(plan_item)
            looked_at += 1
        for plan_item in steps.filter(due_on__lt=today, due_on__gte=since):
            notifications.notify_plan_item_overdue(plan_item)
            looked_at += 1
        horizon = today + timedelta(days=settings.FOLLOW_UP_REMINDER_DAYS)
        for referral in Referral.objects.filter(
            status=Status.HELD, follow_up_on__gte=today, follow_up_on__lte=horizon
        ):
            notifications.notify_follow_up_due_soon(referral)
            looked_at += 1
    return looked_at


def unfinalised_items(today: date, since: date) -> Iterable[AgendaItem]:
    """Slots of past meetings whose record is not finalised: a draft record, or none for a planned slot."""
    return (
        AgendaItem.objects.filter(meeting__date__lt=today, meeting__date__gte=since - timedelta(days=1))
        .exclude(meeting__status=MeetingStatus.CANCELLED)
        .filter(referral__status__in=workflow.OPEN_STATES)
        .filter(
            Q(record__isnull=False, record__finalised_at__isnull=True)
            | Q(record__isnull=True, status=ItemStatus.PLANNED)
        )
        .exclude(status=ItemStatus.REMOVED)
        .select_related("meeting", "referral")
    )


def open_plan_items() -> models.QuerySet[PlanItem]:
    """Steps of finalised plans that someone in Resursråd is responsible for, not done, of open cases."""
    return (
        PlanItem.objects.filter(
            responsible_user__isnull=False,
            record__finalised_at__isnull=False,
            record__item__referral__status__in=workflow.OPEN_STATES,
        )
        .exclude(follow_up_status=FollowUpStatus.DONE)
        .select_related("record__item__referral", "responsible_user")
    )


def cancel_pointless_reminders(now: datetime) -> int:
    """Reminders still waiting whose reason has gone: a record finalised, a step done, a case ended.

    The hooks in meetings.notifications cancel at once when the change is
    made; this catches whatever changed another way. Looks only at what still
    waits, which is little.
    """
    waiting = Notification.objects.filter(kind__in=notifications.REMINDER_KINDS).filter(
        Q(status=Delivery.PENDING) | Q(status=Delivery.NOT_EMAILED, due_at__gt=now)
    )
    by_kind: dict[str, list[tuple[int, int, datetime]]] = {}
    for pk, kind, object_id, due_at in waiting.values_list("pk", "kind", "object_id", "due_at"):
        by_kind.setdefault(kind, []).append((pk, object_id, due_at))
    pointless: list[int] = []

    def check(kind: str, queryset: models.QuerySet[Any], still_due: Callable[[Any], datetime | None]) -> None:
        rows = by_kind.get(kind, [])
        if not rows:
            return
        objects = queryset.in_bulk([object_id for _, object_id, _ in rows])
        for pk, object_id, due_at in rows:
            obj = objects.get(object_id)
            if obj is None or still_due(obj) != due_at:
                pointless.append(pk)

    check(
        notifications.RECORD_NOT_FINALISED.name,
        AgendaItem.objects.select_related("meeting", "referral", "record"),
        _record_reminder_due,
    )
    for kind, due in [
        (notifications.PLAN_ITEM_DUE_SOON.name, notifications.plan_item_due_soon_at),
        (notifications.PLAN_ITEM_OVERDUE.name, notifications.plan_item_overdue_at),
    ]:
        check(
            kind,
            PlanItem.objects.select_related("record__item__referral"),
            functools.partial(_plan_item_reminder_due, due=due),
        )
    check(notifications.FOLLOW_UP_DUE_SOON.name, Referral.objects.all(), _follow_up_reminder_due)
    return Notification.objects.filter(pk__in=pointless).cancel() if pointless else 0


def _record_reminder_due(item: AgendaItem) -> datetime | None:
    record = getattr(item, "record", None)
    if (
        (record is not None and record.finalised_at is not None)
        or item.status == ItemStatus.REMOVED
        or item.meeting.status == MeetingStatus.CANCELLED
        or item.referral.status not in workflow.OPEN_STATES
    ):
        return None
    return notifications.record_reminder_due(item.meeting.date)


def _plan_item_reminder_due(plan_item: PlanItem, *, due: Callable[[date], datetime]) -> datetime | None:
    if (
        plan_item.follow_up_status == FollowUpStatus.DONE
        or plan_item.record.item.referral.status not in workflow.OPEN_STATES
    ):
        return None
    return due(plan_item.due_on)


def _follow_up_reminder_due(referral: Referral) -> datetime | None:
    if referral.status != Status.HELD or referral.follow_up_on is None:
        return None
    return notifications.follow_up_reminder_due(referral.follow_up_on)
