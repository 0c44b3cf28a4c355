"""The meetings' notifications, declared once (collected by resursrad.notifications.kinds).

The texts carry a case number, a date, a time and a place (or the meeting's
link for remote participation, as the place), never the individual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from meetings.ics import invitation_files
from resursrad.models import Role, User
from resursrad.notifications.kinds import Kind
from resursrad.notifications.services import cancel_about, notify

if TYPE_CHECKING:
    from meetings.models import AgendaItem, Meeting

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


INVITED = Kind(
    name="meetings.invited",
    label=_("Your case has a time at a council meeting"),
    subject=_("%(case_number)s: council meeting on %(date)s at %(time)s"),
    text=_(
        "Referral %(case_number)s has a time at the council meeting on %(date)s at %(time)s. "
        "Place: %(place)s. You attend as the individual's support. The calendar invitation is "
        "attached to the e-mail."
    ),
    context=_invitation_context,
    url=lambda item: reverse("cases:detail", args=[item.referral_id]),
    reference=lambda item: item.referral.case_number,
    recipients=lambda item: [item.referral.handler],
    audience=CASE_WORKERS,
    attachments=invitation_files,
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
    url=lambda meeting: reverse("home"),
    reference=lambda meeting: meeting.date.isoformat(),
    recipients=_council_members,
    audience=COUNCIL_MEMBERS,
)

KINDS = [INVITED, AGENDA_SENT]


def after_placed(item: AgendaItem, *, by: Any) -> None:
    """The referring handläggare is invited to the slot (with the .ics when the e-mail goes)."""
    notify(None, INVITED, item, actor=by)


def after_taken_off(item: AgendaItem) -> None:
    """An invitation still waiting for a slot no longer on the agenda is not sent."""
    cancel_about(item)


def after_agenda_sent(meeting: Meeting, *, by: Any) -> None:
    notify(None, AGENDA_SENT, meeting, actor=by)
