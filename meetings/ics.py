"""Calendar files (iCalendar, RFC 5545) for meetings: case numbers and times, never names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from meetings.models import Meeting, MeetingStatus

if TYPE_CHECKING:
    from meetings.access import Slot

PRODUCT_ID = "-//Resursråd//Meetings//SV"


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
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("description", _description(meeting, items))
    return event


def _description(meeting: Meeting, items: Sequence[Slot]) -> str:
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


def calendar_bytes(events: Iterable[Event], *, name: str = "") -> bytes:
    """A calendar file holding the events, with the time zone they use."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    days: list[date] = []
    for event in events:
        calendar.add_component(event)
        days.append(event.decoded("dtstart").date())
    if days:
        # Only the time zone's rules for the years the events span: a small file.
        calendar.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return calendar.to_ical()
