"""Calendar events (iCalendar) for slots on an agenda: the case number, the time and the place, never a name.

``slot_event`` and ``calendar_bytes`` are shared by the invitation sent to the
referring handläggare and by the calendar feeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

if TYPE_CHECKING:
    from meetings.models import AgendaItem

PRODUCT_ID = "-//Resursråd//Möten//SV"
ICS_MIMETYPE = "text/calendar"


def slot_uid(item: AgendaItem) -> str:
    """The same for a slot every time it is sent, so that a calendar updates the event instead of adding one."""
    host = urlsplit(settings.SITE_URL).hostname or "resursrad"
    return f"agenda-item-{item.pk}@{host}"


def slot_location(item: AgendaItem) -> str:
    """Where the individual's slot takes place: the meeting's place, or its link when there is no place."""
    meeting = item.meeting
    return meeting.place or meeting.remote_link


def slot_event(item: AgendaItem, start: datetime, end: datetime) -> icalendar.Event:
    """One slot as a calendar event: "Resursråd: <case number>", its times in local time, the place."""
    zone = timezone.get_default_timezone()
    event = icalendar.Event()
    event.add("uid", slot_uid(item))
    event.add("dtstamp", timezone.now())
    event.add("summary", f"Resursråd: {item.referral.case_number}")
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    location = slot_location(item)
    if location:
        event.add("location", location)
    if item.meeting.remote_link:
        event.add("url", item.meeting.remote_link)
    return event


def calendar_bytes(events: Iterable[icalendar.Event]) -> bytes:
    """A calendar holding the events, with the time zones they use, as the bytes of an .ics file."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    for event in events:
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def invitation_files(item: AgendaItem) -> list[tuple[str, bytes, str]]:
    """The invitation's .ics file for a slot still on its agenda; none once it has been taken off."""
    if not item.is_planned:
        return []
    start, end = item.times()
    content = calendar_bytes([slot_event(item, start, end)])
    return [(f"resursrad-{item.referral.case_number}.ics", content, ICS_MIMETYPE)]
