"""Reads and periodic work over many deviations: the styrgrupp's inbox, link choices, and the reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from deviations import notifications
from deviations.models import Deviation, StatementRequest
from deviations.workflow import ANSWERED, Status
from resursrad.notifications.models import Delivery, Notification

# How far back a run looks for reminders that fell due: runs missed for up to
# this long are caught up; older ones are not sent late.
MISSED_RUN_LOOKBACK_DAYS = 14
# How many deviations of the same category are offered to link to.
LINK_CHOICES = 50
# The annotation of DeviationQuerySet.with_is_overdue, overdue rows first.
OVERDUE_FIRST = F("is_overdue").desc()


# --- the styrgrupp's inbox -------------------------------------------------------


@dataclass
class Inbox:
    """What a styrgrupp member has to handle; every list has its overdue rows first."""

    new: list[Deviation]
    # [(status label, [deviations])] in the workflow's order.
    mine: list[tuple[Any, list[Deviation]]]
    answered: list[StatementRequest]
    overdue_count: int = field(default=0)


def inbox_for(user: Any, today: date | None = None) -> Inbox:
    """The inbox in a fixed number of queries, however many deviations there are."""
    today = today or timezone.localdate()
    visible = Deviation.objects.visible_to(user).with_is_overdue(today).prefetch_related("party_rows")
    new = list(visible.filter(status=Status.REPORTED).order_by(OVERDUE_FIRST, "answer_due_on", "pk"))
    handled = list(visible.filter(handler=user).open().order_by(OVERDUE_FIRST, "answer_due_on", "pk"))
    order = list(Status.values)
    mine = [
        (Status(status).label, [d for d in handled if d.status == status])
        for status in order
        if any(d.status == status for d in handled)
    ]
    # Statements answered while the handler has still to decide: the news to read first.
    answered = list(
        StatementRequest.objects.filter(
            deviation__handler=user,
            deviation__status__in=[Status.RECEIVED, Status.INVESTIGATING],
            answered_at__isnull=False,
        )
        .select_related("deviation", "organisation")
        .order_by("-answered_at", "-pk")
    )
    overdue = sum(1 for d in [*new, *handled] if d.is_overdue_on(today))
    return Inbox(new=new, mine=mine, answered=answered, overdue_count=overdue)


def statements_for_contact(user: Any, today: date | None = None) -> tuple[list[Any], list[Any]]:
    """The requests to the contact's organisation: (waiting, overdue first; answered, newest first)."""
    today = today or timezone.localdate()
    requests = StatementRequest.objects.for_contact(user).select_related("deviation", "answered_by")
    # A closed deviation's unanswered request waits for nothing any more.
    waiting = list(requests.waiting().exclude(deviation__status=Status.CLOSED).order_by("due_on", "pk"))
    for request in waiting:
        request.is_overdue = request.is_overdue_on(today)  # type: ignore[attr-defined]
    answered = list(requests.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")[:100])
    return waiting, answered


def link_candidates(deviation: Deviation) -> QuerySet[Deviation]:
    """Recent deviations of the same category, to link a system fault to (the linked ones stay choosable)."""
    recent = (
        Deviation.objects.filter(category=deviation.category)
        .exclude(pk=deviation.pk)
        .order_by("-reported_at", "-pk")
        .values("pk")[:LINK_CHOICES]
    )
    return Deviation.objects.filter(Q(pk__in=recent) | Q(pk__in=deviation.related.values("pk"))).order_by(
        "-reported_at", "-pk"
    )


# --- reminders ------------------------------------------------------------------------


def plan_reminders(now: datetime | None = None) -> int:
    """Plan the reminders that fell due, and cancel those that became pointless.

    A statement's deadline near and passed (to the organisation's contacts);
    the answer deadline near and passed (to the handler, or the whole
    styrgrupp while nobody has taken it). Each has a fixed due time from its
    date, so running this again, or after a missed run, adds nothing twice.
    Returns the number of objects reminded of.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    since = today - timedelta(days=MISSED_RUN_LOOKBACK_DAYS)
    soon = today + timedelta(days=settings.DEVIATION_REMINDER_DAYS)
    looked_at = 0
    with transaction.atomic():
        cancel_pointless_reminders(now)
        waiting = (
            StatementRequest.objects.waiting()
            .exclude(deviation__status=Status.CLOSED)
            .select_related("deviation")
        )
        for request in waiting.filter(due_on__gte=today, due_on__lte=soon):
            # Asked with less time than the reminder's lead: the request itself said the date.
            if notifications.due_soon_at(request.due_on) > request.requested_at:
                notifications.notify_statement_due_soon(request)
                looked_at += 1
        for request in waiting.filter(due_on__lt=today, due_on__gte=since):
            notifications.notify_statement_overdue(request)
            looked_at += 1
        unanswered = (
            Deviation.objects.exclude(status__in=ANSWERED)
            .select_related("handler")
            .prefetch_related("party_rows")
        )
        for deviation in unanswered.filter(answer_due_on__gte=today, answer_due_on__lte=soon):
            notifications.notify_answer_due_soon(deviation)
            looked_at += 1
        for deviation in unanswered.filter(answer_due_on__lt=today, answer_due_on__gte=since):
            notifications.notify_answer_overdue(deviation)
            looked_at += 1
    return looked_at


def cancel_pointless_reminders(now: datetime) -> int:
    """Reminders still waiting whose reason has gone: a statement given, a deviation answered or closed.

    The hooks in deviations.notifications cancel at once when the change is
    made; this catches whatever changed another way. Answer reminders to
    styrgrupp members other than a handler who has since taken it go too.
    """
    waiting = Notification.objects.filter(kind__in=notifications.REMINDER_KINDS).filter(
        Q(status=Delivery.PENDING) | Q(status=Delivery.NOT_EMAILED, due_at__gt=now)
    )
    rows = list(waiting.values_list("pk", "kind", "object_id", "recipient_id"))
    if not rows:
        return 0
    statement_ids = [oid for _, kind, oid, _ in rows if kind in notifications.STATEMENT_REMINDERS]
    deviation_ids = [oid for _, kind, oid, _ in rows if kind in notifications.ANSWER_REMINDERS]
    requests = StatementRequest.objects.select_related("deviation").in_bulk(statement_ids)
    deviations = Deviation.objects.in_bulk(deviation_ids)
    pointless = []
    for pk, kind, object_id, recipient_id in rows:
        if kind in notifications.STATEMENT_REMINDERS:
            request = requests.get(object_id)
            if request is None or request.answered_at or request.deviation.status == Status.CLOSED:
                pointless.append(pk)
        else:
            deviation = deviations.get(object_id)
            if (
                deviation is None
                or deviation.status in ANSWERED
                or (deviation.handler_id and deviation.handler_id != recipient_id)
            ):
                pointless.append(pk)
    return Notification.objects.filter(pk__in=pointless).cancel() if pointless else 0
