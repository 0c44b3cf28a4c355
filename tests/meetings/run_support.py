"""Shared data for the tests of running a meeting (tests/meetings/test_run_*.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from meetings.models import AgendaItem, Record
from tests.factories import make_council, make_meeting, scheduled_referral


def slot(
    case_worker, coordinator, council_member=None, *, meeting=None, days_ahead=0, **fields
) -> AgendaItem:
    """A case with kommun and region consent, placed on a meeting (today by default) of the coordinator's council."""
    members = [(council_member, "region")] if council_member is not None else []
    council = make_council(coordinators=[coordinator], members=members)
    meeting = meeting or make_meeting(council, days_ahead=days_ahead)
    fields.setdefault("parties", ["kommun", "region"])
    referral = scheduled_referral(case_worker, coordinator, meeting=meeting, **fields)
    return AgendaItem.objects.select_related("meeting", "referral").get(referral=referral, meeting=meeting)


def plan_row(**fields: Any) -> dict[str, Any]:
    row = {
        "activity": "Arbetsträning 25 %",
        "goal": "Pröva arbetsförmåga",
        "responsible_party": "kommun",
        "responsible_user": None,
        "responsible_note": "Handläggaren",
        "due_on": timezone.localdate() + timedelta(days=30),
    }
    row.update(fields)
    return row


def draft(item: AgendaItem, by, *, version: int | None = None, **fields: Any) -> Record:
    """Save a draft of the slot's record, from the version it has now unless told."""
    record = Record.for_item(item)
    values: dict[str, Any] = {
        "individual_attended": True,
        "own_account": "Jag vill tillbaka till arbete men orkar inte heltid.",
        "recommendation": "Arbetsträning med stöd, och en läkarkontakt.",
        "follow_up_on": item.meeting.date + timedelta(days=60),
        "plan": [plan_row()],
    }
    values.update(fields)
    record.save_draft(by=by, version=record.version if version is None else version, **values)
    return record


def today() -> date:
    return timezone.localdate()
