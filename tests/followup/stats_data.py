"""Known data for the statistics tests (tests/followup/test_stats_*.py).

Plain rows as the domain leaves them (referral, participant, meeting, slot,
finalised record, plan items, responses), with chosen dates, so that every
count of a period is known in advance. The Finsam tests build their cases
through the real domain methods instead.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from cases.models import Participant, Referral
from meetings.models import AgendaItem, Meeting, Record
from meetings.models.records import PlanItem, Response
from tests.factories import make_council

_numbers = itertools.count(1)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def referral(
    case_worker: Any,
    *,
    submitted: date,
    sex: str = "kvinna",
    status: str = "closed",
    groups: tuple[str, ...] = ("long_term_sick",),
    organisation: Any = None,
) -> Referral:
    """A submitted referral with its participant (no names needed for counting)."""
    number = next(_numbers)
    participant = Participant.objects.create(first_name="Test", last_name=f"Person {number}", sex=sex)
    return Referral.objects.create(
        case_number=f"RR-T-{number:05d}",
        organisation=organisation or case_worker.organisation,
        created_by=case_worker,
        handler=case_worker,
        participant=participant,
        status=status,
        reason="no_progress",
        current_situation="Sjukskriven sedan tre år.",
        question_to_council="Hur kommer hon vidare?",
        requested_parties=["kommun"],
        submitted_at=at(submitted),
        **{f"tg_{group}": True for group in groups},
    )


def meeting(coordinator: Any, day: date, *, council: Any = None, status: str = "closed") -> Meeting:
    council = council or make_council(coordinators=[coordinator])
    return Meeting.objects.create(
        council=council,
        date=day,
        starts_at=time(9),
        ends_at=time(15),
        place="Kommunhuset",
        status=status,
    )


def slot(
    coordinator: Any,
    case: Referral,
    held: Meeting,
    *,
    attended: bool = True,
    purpose: str = "first",
    outcome: str = "held",
    plan: tuple[str, ...] = (),
) -> Record:
    """A done slot with its finalised record; ``plan`` gives the follow-up status of each plan item."""
    item = AgendaItem.objects.create(
        meeting=held,
        referral=case,
        position=held.items.count() + 1,
        purpose=purpose,
        status="done",
        case_worker=case.handler,
    )
    record = Record.objects.create(
        item=item,
        individual_attended=attended,
        own_account="Min berättelse." if attended else "",
        recommendation="Arbetsträning." if attended else "",
        outcome=outcome if attended else "backlog",
        finalised_at=at(held.date, 16),
        finalised_by=coordinator,
    )
    PlanItem.objects.bulk_create(
        PlanItem(
            record=record,
            position=index,
            activity="Arbetsträning",
            responsible_party="kommun",
            due_on=held.date + timedelta(days=30),
            follow_up_status=status,
        )
        for index, status in enumerate(plan, start=1)
    )
    return record


def respond(record: Record, by: Any, **answers: str) -> None:
    Response.objects.bulk_create(
        Response(record=record, party=party, answer=answer, by=by, at=at(record.item.meeting.date, 17))
        for party, answer in answers.items()
    )
