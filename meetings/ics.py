"""Calendar files (iCalendar, RFC 5545) for meetings and slots: case numbers and times, never names.

``slot_event`` and ``calendar_bytes`` are shared by the invitation sent to the
referring handläggare (and ``slot_cancel_event`` by its withdrawal when the
meeting is cancelled); ``meeting_event`` by the meeting files and the calendar feeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

if TYPE_CHECKING:
    from meetings.access import Slot
    from meetings.models import AgendaItem, Meeting

PRODUCT_ID = "-//Resursråd//Meetings//SV"
ICS_MIMETYPE = "text/calendar"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "resursrad"


def meeting_uid(meeting: Meeting) -> str:
    """The same for the meeting in every file and feed, so that a calendar updates it instead of adding it twice."""
    return f"meeting-{meeting.pk}@{_uid_domain()}"


def meeting_event(meeting: Meeting, items: Sequence[Slot]) -> Event:
    """The whole meeting as one event; its description lists the slots' times and case numbers."""
    zone = _zone()
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", meeting.updated_at or datetime.now(tz=zone))
    event.add("dtstart", datetime.combine(meeting.date, meeting.starts_at, tzinfo=zone))
    event.add("dtend", datetime.combine(meeting.date, meeting.ends_at, tzinfo=zone))
    event.add("summary", _("Resource council meeting: %(council)s") % {"council": meeting.council.name})
    event.add("location", meeting.place)
    if meeting.remote_link:
        event.add("url", meeting.remote_link)
    event.add("sequence", meeting.version)
    from meetings.models import MeetingStatus

    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("description", _description(meeting, items))
    return event


def _description(meeting: Meeting, items: Sequence[Slot]) -> str:
    from meetings.models import MeetingStatus

    lines = []
    if meeting.status == MeetingStatus.CANCELLED:
        lines.append(_("The meeting is cancelled."))
    if meeting.remote_link:
        lines.append(_("Link for remote participation: %(link)s") % {"link": meeting.remote_link})
    if items:
        lines.append(_("Slots:"))
        lines += [
            f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M} {slot.item.referral.case_number}" for slot in items
        ]
    return "\n".join(lines)


def calendar_bytes(events: Iterable[Event], *, name: str = "", method: str = "") -> bytes:
    """A calendar file holding the events, with the time zone they use; ``method`` as in iTIP (RFC 5546)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    days: list[date] = []
    for event in events:
        calendar.add_component(event)
        if "dtstart" in event:
            days.append(event.decoded("dtstart").date())
    if days:
        # Only the time zone's rules for the years the events span: a small file.
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return calendar.to_ical()


def slot_uid(item: AgendaItem) -> str:
    """The same for a slot every time it is sent, so that a calendar updates the event instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "resursrad"
    return f"agenda-item-{item.pk}@{host}"


def slot_location(item: AgendaItem) -> str:
    """Where the individual's slot takes place: the meeting's place, or its link when there is no place."""
    meeting = item.meeting
    return meeting.place or meeting.remote_link


def organizer() -> vCalAddress:
    """Who sends a slot's invitation and its withdrawal: the federation, at the address the e-mails come from.

    The same in every file about a slot (RFC 5546 matches a CANCEL to its
    invitation by UID and ORGANIZER; Outlook ignores a CANCEL without one), so
    not the coordinator who happened to act: another may cancel the meeting.
    """
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = settings.FEDERATION_NAME
    return address


def slot_attendee(item: AgendaItem) -> vCalAddress:
    """The slot's handläggare, invited or withdrawn: the address alone, no name; no reply asked for."""
    address = vCalAddress(f"mailto:{item.referral.handler.email}")
    address.params["role"] = "REQ-PARTICIPANT"
    address.params["rsvp"] = "FALSE"
    return address


def _add_parties(event: Event, item: AgendaItem) -> None:
    event.add("organizer", organizer())
    event.add("attendee", slot_attendee(item))


def slot_event(item: AgendaItem, start: datetime, end: datetime) -> Event:
    """One slot as a calendar event: "Resursråd: <case number>", its times in local time, the place."""
    zone = timezone.get_default_timezone()
    event = Event()
    event.add("uid", slot_uid(item))
    # Raised with each change of time, so that a calendar replaces the earlier invitation.
    event.add("sequence", item.sequence)
    event.add("dtstamp", timezone.now())
    event.add("summary", f"Resursråd: {item.referral.case_number}")
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    location = slot_location(item)
    if location:
        event.add("location", location)
    if item.meeting.remote_link:
        event.add("url", item.meeting.remote_link)
    _add_parties(event, item)
    return event


def invitation_files(item: AgendaItem) -> list[tuple[str, bytes, str]]:
    """The invitation's .ics file for a slot still on its agenda; none once it has been taken off."""
    if not item.is_planned:
        return []
    start, end = item.times()
    content = calendar_bytes([slot_event(item, start, end)])
    return [(f"resursrad-{item.referral.case_number}.ics", content, ICS_MIMETYPE)]


def slot_cancel_event(item: AgendaItem) -> Event:
    """The slot's event withdrawn: the invitation's UID, ORGANIZER and ATTENDEE, a SEQUENCE above every
    invitation's, STATUS:CANCELLED.

    No start or end (RFC 5546 does not require them in a cancellation): once
    the meeting is cancelled the slot has no place in its order, and so no time
    worked out from it. A calendar finds the event by its UID.
    """
    event = Event()
    event.add("uid", slot_uid(item))
    event.add("sequence", item.sequence + 1)
    event.add("dtstamp", timezone.now())
    event.add("status", "CANCELLED")
    event.add("summary", f"Resursråd: {item.referral.case_number}")
    _add_parties(event, item)
    return event


def cancellation_files(item: AgendaItem) -> list[tuple[str, bytes, str]]:
    """The .ics (METHOD:CANCEL) that takes the slot's invitation out of the handläggare's calendar."""
    content = calendar_bytes([slot_cancel_event(item)], method="CANCEL")
    return [(f"resursrad-{item.referral.case_number}.ics", content, ICS_MIMETYPE)]
