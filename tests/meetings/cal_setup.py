"""Shared data for the calendar and council member tests (tests/meetings/test_cal_*.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from django.utils import timezone

from meetings.models import AgendaItem, Meeting, MeetingStatus
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    make_council,
    make_meeting,
    make_participant,
    scheduled_referral,
)

NAME = ("Vilhelmina", "Qvarnström")
NUMBER = "198503122387"


@dataclass
class Agenda:
    council: Any
    meeting: Any
    referral: Any
    item: Any
    other_member: Any


def send(meeting: Meeting) -> None:
    """Mark the agenda sent (the planning part owns the real action)."""
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.AGENDA_SENT, agenda_sent_at=timezone.now()
    )
    meeting.refresh_from_db()


def make_agenda(cast: dict[str, Any], *, sent: bool = True) -> Agenda:
    """A council of the coordinator with the council member (region), one meeting and the case worker's case on it."""
    council = make_council(coordinators=[cast["coordinator"]], members=[(cast["council_member"], "region")])
    meeting = make_meeting(council)
    referral = scheduled_referral(
        cast["case_worker"],
        cast["coordinator"],
        meeting=meeting,
        parties=["kommun", "region"],
        participant=make_participant(first_name=NAME[0], last_name=NAME[1], personal_number=NUMBER),
    )
    item = AgendaItem.objects.get(referral=referral)
    # A member of another council, from the same party.
    other_member = UserFactory(
        is_council_member=True, organisation=OrganisationFactory(name="Region Uppsala", party="region")
    )
    make_council(name="Resursrådet Norr", members=[(other_member, "region")])
    if sent:
        send(meeting)
    return Agenda(council, meeting, referral, item, other_member)


def many_meetings(council: Any, count: int = 110) -> list[Meeting]:
    today = timezone.localdate()
    return Meeting.objects.bulk_create(
        [
            Meeting(
                council=council,
                date=today + timedelta(days=1 + index % 60),
                starts_at=timezone.datetime(2000, 1, 1, 9).time(),
                ends_at=timezone.datetime(2000, 1, 1, 16).time(),
                place="Kommunhuset",
            )
            for index in range(count)
        ]
    )


def fill_meeting(cast: dict[str, Any], meeting: Meeting, count: int = 12) -> list[Any]:
    """``count`` cases of the case worker's organisation on the meeting, each with its own participant.

    The meeting is made long enough first: a slot must start before the meeting ends.
    """
    meeting.ends_at = time(21, 0)
    meeting.save(update_fields=["ends_at"])
    return [
        scheduled_referral(
            cast["case_worker"],
            cast["coordinator"],
            meeting=meeting,
            parties=["kommun", "region"],
            participant=make_participant(first_name=f"Person{index}", personal_number=""),
        )
        for index in range(count)
    ]
