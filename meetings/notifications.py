"""The meetings' notifications, declared once (collected by resursrad.notifications.kinds).

The texts name a case number, a date, a time and a place (or the meeting's link
for remote participation, as the place), never the individual, and never what
was said in the meeting. The link opens the case page, which shows a 404 to a
reader who may no longer see the case. The reminders that follow from time
passing are planned by ``meetings.services.plan_reminders``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.notifications import REMINDER_TIME
from meetings.ics import cancellation_files, invitation_files
from resursrad.models import Role, User
from resursrad.notifications.kinds import Attachment, Kind
from resursrad.notifications.models import Delivery, Notification
from resursrad.notifications.services import cancel_about, notify

if TYPE_CHECKING:
    from cases.models import Referral
    from meetings.models import AgendaItem, Meeting, PlanItem

COORDINATORS = frozenset({Role.COORDINATOR})
# Whoever the meeting made responsible for a step and uses Resursråd.
RESPONSIBLE = frozenset({Role.CASE_WORKER, Role.COORDINATOR, Role.COUNCIL_MEMBER})


def _case_url(referral: Referral) -> str:
    return reverse("cases:detail", args=[referral.pk])


def _council_coordinators(council_id: int) -> Iterable[User]:
    return User.objects.filter(coordinated_councils=council_id, is_active=True)


# --- a slot whose record is not finalised (about the agenda item) --------------


def _item_context(item: AgendaItem) -> dict[str, str]:
    return {"case_number": item.referral.case_number, "date": item.meeting.date.isoformat()}


RECORD_NOT_FINALISED = Kind(
    name="meetings.record_not_finalised",
    label=_("A meeting record is not finalised"),
    subject=_("The meeting record for %(case_number)s is not finalised"),
    text=_(
        "The meeting on %(date)s about referral %(case_number)s has no finalised record yet. "
        "Finalise the record, so that the case worker and the parties can read the recommendation "
        "and the plan."
    ),
    context=_item_context,
    url=lambda item: reverse("meetings:record", args=[item.pk]),
    reference=lambda item: item.referral.case_number,
    recipients=lambda item: _council_coordinators(item.meeting.council_id),
    audience=COORDINATORS,
)

# --- a step of the plan (about the plan item) ----------------------------------


def _plan_item_context(plan_item: PlanItem) -> dict[str, str]:
    return {
        "case_number": plan_item.record.item.referral.case_number,
        "date": plan_item.due_on.isoformat(),
    }


def _responsible(plan_item: PlanItem) -> list[User]:
    return [plan_item.responsible_user] if plan_item.responsible_user else []


PLAN_ITEM_DUE_SOON = Kind(
    name="meetings.plan_item_due_soon",
    label=_("A step in a plan is due soon"),
    subject=_("A step in the plan for %(case_number)s is due on %(date)s"),
    text=_("You are responsible for a step in the plan for referral %(case_number)s. It is due on %(date)s."),
    context=_plan_item_context,
    url=lambda plan_item: reverse("meetings:record_view", args=[plan_item.record.item_id]),
    reference=lambda plan_item: plan_item.record.item.referral.case_number,
    recipients=_responsible,
    audience=RESPONSIBLE,
)
PLAN_ITEM_OVERDUE = Kind(
    name="meetings.plan_item_overdue",
    label=_("A step in a plan is overdue"),
    subject=_("A step in the plan for %(case_number)s was due on %(date)s"),
    text=_(
        "You are responsible for a step in the plan for referral %(case_number)s. "
        "It was due on %(date)s and is not marked as done."
    ),
    context=_plan_item_context,
    url=lambda plan_item: reverse("meetings:record_view", args=[plan_item.record.item_id]),
    reference=lambda plan_item: plan_item.record.item.referral.case_number,
    recipients=_responsible,
    audience=RESPONSIBLE,
)

# --- a follow-up coming due (about the referral) -------------------------------


def _follow_up_context(referral: Referral) -> dict[str, str]:
    assert referral.follow_up_on is not None
    return {"case_number": referral.case_number, "date": referral.follow_up_on.isoformat()}


def _coordinators_of_case(referral: Referral) -> Iterable[User]:
    """The coordinators of the councils that met the case."""
    return User.objects.filter(
        coordinated_councils__meetings__items__referral=referral, is_active=True
    ).distinct()


FOLLOW_UP_DUE_SOON = Kind(
    name="meetings.follow_up_due_soon",
    label=_("A follow-up is coming due"),
    subject=_("The follow-up of %(case_number)s is due on %(date)s"),
    text=_(
        "The plan for referral %(case_number)s is to be followed up on %(date)s. "
        "The case then returns to the cases waiting for a meeting."
    ),
    context=_follow_up_context,
    url=_case_url,
    reference=lambda referral: referral.case_number,
    recipients=_coordinators_of_case,
    audience=COORDINATORS,
)

REMINDERS = [RECORD_NOT_FINALISED, PLAN_ITEM_DUE_SOON, PLAN_ITEM_OVERDUE, FOLLOW_UP_DUE_SOON]
REMINDER_KINDS = [kind.name for kind in REMINDERS]


# --- fixed due times: a repeated or missed run plans nothing twice -------------


def at_reminder_time(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME))


def record_reminder_due(meeting_date: date) -> datetime:
    """The day after the meeting, in office hours."""
    return at_reminder_time(meeting_date + timedelta(days=1))


def plan_item_due_soon_at(due_on: date) -> datetime:
    return at_reminder_time(due_on - timedelta(days=settings.PLAN_ITEM_REMINDER_DAYS))


def plan_item_overdue_at(due_on: date) -> datetime:
    return at_reminder_time(due_on + timedelta(days=1))


def follow_up_reminder_due(follow_up_on: date) -> datetime:
    return at_reminder_time(follow_up_on - timedelta(days=settings.FOLLOW_UP_REMINDER_DAYS))


def notify_record_not_finalised(item: AgendaItem) -> None:
    notify(None, RECORD_NOT_FINALISED, item, due_at=record_reminder_due(item.meeting.date))


def notify_plan_item_due_soon(plan_item: PlanItem) -> None:
    notify(None, PLAN_ITEM_DUE_SOON, plan_item, due_at=plan_item_due_soon_at(plan_item.due_on))


def notify_plan_item_overdue(plan_item: PlanItem) -> None:
    notify(None, PLAN_ITEM_OVERDUE, plan_item, due_at=plan_item_overdue_at(plan_item.due_on))


def notify_follow_up_due_soon(referral: Referral) -> None:
    assert referral.follow_up_on is not None
    notify(None, FOLLOW_UP_DUE_SOON, referral, due_at=follow_up_reminder_due(referral.follow_up_on))


# --- hooks: what became pointless is not sent ----------------------------------


def after_record_finalised(item: AgendaItem) -> int:
    """The record is final: the reminder to finalise it is not sent (call in the finalising transaction)."""
    return Notification.objects.about(item).filter(kind=RECORD_NOT_FINALISED.name).cancel()


def after_plan_item_done(plan_item: PlanItem) -> int:
    """The step is done: its reminders are not sent."""
    return (
        Notification.objects.about(plan_item)
        .filter(kind__in=[PLAN_ITEM_DUE_SOON.name, PLAN_ITEM_OVERDUE.name])
        .cancel()
    )


# --- invitations and agendas ---

CASE_WORKERS = frozenset({Role.CASE_WORKER})
COUNCIL_MEMBERS = frozenset({Role.COUNCIL_MEMBER})


def meeting_place(meeting: Meeting) -> str:
    """The place, with the link for remote participation when there is one."""
    if meeting.remote_link and meeting.place:
        return gettext("%(place)s, or remotely: %(link)s") % {
            "place": meeting.place,
            "link": meeting.remote_link,
        }
    return meeting.place or meeting.remote_link


# --- plan ---


def _invitation_context(item: AgendaItem) -> dict[str, str]:
    start, _end = item.times()
    return {
        "case_number": item.referral.case_number,
        "date": item.meeting.date.isoformat(),
        "time": f"{start:%H:%M}",
        "place": meeting_place(item.meeting),
    }


def _slot_invitation(*, name: str, label: Promise, subject: Promise, text: Promise) -> Kind:
    """A message to a slot's handläggare with the slot's time, linking to the case, with the slot's .ics.

    The invitation and each new time that follows it differ only in their texts.
    """
    return Kind(
        name=name,
        label=label,
        subject=subject,
        text=text,
        context=_invitation_context,
        url=lambda item: reverse("cases:detail", args=[item.referral_id]),
        reference=lambda item: item.referral.case_number,
        recipients=lambda item: [item.referral.handler],
        audience=CASE_WORKERS,
        attachments=invitation_files,
    )


INVITED = _slot_invitation(
    name="meetings.invited",
    label=_("Your case has a time at a council meeting"),
    subject=_("%(case_number)s: council meeting on %(date)s at %(time)s"),
    text=_(
        "Referral %(case_number)s has a time at the council meeting on %(date)s at %(time)s. "
        "Place: %(place)s. You attend as the individual's support. The calendar invitation is "
        "attached to the e-mail."
    ),
)


def _agenda_context(meeting: Meeting) -> dict[str, str]:
    return {
        "date": meeting.date.isoformat(),
        "time": f"{meeting.starts_at:%H:%M}",
        "place": meeting_place(meeting),
    }


def _council_members(meeting: Meeting) -> list[User]:
    return list(User.objects.filter(council_memberships__council_id=meeting.council_id).distinct())


AGENDA_SENT = Kind(
    name="meetings.agenda_sent",
    label=_("The agenda of a council meeting"),
    subject=_("Agenda for the council meeting on %(date)s"),
    text=_(
        "The agenda for the council meeting on %(date)s at %(time)s has been sent. Place: %(place)s. "
        "Read it in Resursråd."
    ),
    context=_agenda_context,
    # The council members' agendas are read from their start page.
    url=lambda meeting: reverse("meetings:agenda_view", args=[meeting.pk]),
    reference=lambda meeting: meeting.date.isoformat(),
    recipients=_council_members,
    audience=COUNCIL_MEMBERS,
)

TIME_CHANGED = _slot_invitation(
    name="meetings.time_changed",
    label=_("The time of your case at a council meeting has changed"),
    subject=_("%(case_number)s: new time at the council meeting on %(date)s: %(time)s"),
    text=_(
        "The time for referral %(case_number)s at the council meeting on %(date)s has changed. "
        "The new time is %(time)s. Place: %(place)s. The updated calendar invitation is attached "
        "to the e-mail; it replaces the earlier one in your calendar."
    ),
)


def _cancelled_recipients(meeting: Meeting) -> list[User]:
    """Nobody by default: the meeting's cancellation names its recipients (see after_cancelled)."""
    return []


def _cancelled_meeting(about: Meeting | AgendaItem) -> Meeting:
    """A cancellation is about the meeting (to its members) or one of its slots (to the slot's handläggare)."""
    from meetings.models import AgendaItem

    return about.meeting if isinstance(about, AgendaItem) else about


def _cancelled_context(about: Meeting | AgendaItem) -> dict[str, str]:
    return _agenda_context(_cancelled_meeting(about))


def _cancelled_reference(about: Meeting | AgendaItem) -> str:
    day: date = _cancelled_meeting(about).date
    return day.isoformat()


def _cancellation_files(about: Meeting | AgendaItem) -> list[Attachment]:
    """A slot's handläggare gets the .ics that withdraws the slot's invitation; a member has no event to withdraw."""
    from meetings.models import AgendaItem

    return cancellation_files(about) if isinstance(about, AgendaItem) else []


MEETING_CANCELLED = Kind(
    name="meetings.meeting_cancelled",
    label=_("A council meeting is cancelled"),
    subject=_("The council meeting on %(date)s is cancelled"),
    text=_(
        "The council meeting on %(date)s at %(time)s is cancelled. Place: %(place)s. "
        "The cases that had a time at it wait for a new meeting; the coordinator plans them again."
    ),
    context=_cancelled_context,
    # Case workers and members alike have the calendar; the meeting itself is no longer shown.
    url=lambda about: reverse("meetings:calendar"),
    reference=_cancelled_reference,
    recipients=_cancelled_recipients,
    audience=CASE_WORKERS | COUNCIL_MEMBERS,
    attachments=_cancellation_files,
)

KINDS = [INVITED, TIME_CHANGED, AGENDA_SENT, MEETING_CANCELLED, *REMINDERS]
INVITATIONS = [INVITED.name, TIME_CHANGED.name]


def after_placed(item: AgendaItem, *, by: Any) -> None:
    """The referring handläggare is invited to the slot (with the .ics when the e-mail goes)."""
    notify(None, INVITED, item, actor=by)


def after_taken_off(item: AgendaItem) -> None:
    """An invitation still waiting for a slot no longer on the agenda is not sent."""
    cancel_about(item)


def after_agenda_sent(meeting: Meeting, *, by: Any) -> None:
    notify(None, AGENDA_SENT, meeting, actor=by)


def after_time_changed(item: AgendaItem, *, by: Any) -> None:
    """The slot's start time changed: its handläggare gets the new time and the updated .ics.

    An invitation not yet gone out (its text names the old time) is withdrawn;
    if one has already reached the handläggare (by e-mail or in the app), a
    "time changed" follows it, otherwise the invitation is sent afresh.
    """
    invitations = Notification.objects.about(item).filter(kind__in=INVITATIONS)
    invitations.cancel()
    reached = invitations.exclude(status=Delivery.CANCELLED).exists()
    notify(None, TIME_CHANGED if reached else INVITED, item, actor=by)


def after_cancelled(meeting: Meeting, slots: Iterable[AgendaItem], *, agenda_was_sent: bool, by: Any) -> None:
    """Call in the cancelling transaction, with the slots that were planned.

    Each slot's handläggare is told about that slot, with the .ics that takes
    its invitation out of the calendar (one e-mail a slot: one calendar event
    a file); the council's members too if the agenda had been sent. An agenda
    still waiting to go out is not sent.
    """
    from meetings.models import AgendaItem

    Notification.objects.about(meeting).filter(kind=AGENDA_SENT.name).cancel()
    told: set[int] = set()
    planned = AgendaItem.objects.filter(pk__in=[slot.pk for slot in slots]).select_related(
        "meeting", "referral__handler"
    )
    for slot in planned.order_by("position", "pk"):
        notify([slot.referral.handler], MEETING_CANCELLED, slot, actor=by)
        told.add(slot.referral.handler_id)
    if agenda_was_sent:
        members = [member for member in _council_members(meeting) if member.pk not in told]
        notify(members, MEETING_CANCELLED, meeting, actor=by)
