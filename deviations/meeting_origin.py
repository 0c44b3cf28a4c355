"""Reporting from a meeting slot: the council, the meeting date and the parties present, never the individual.

The slot is used only to fill in the form. What the deviation keeps is the
council, the date and the parties: no case number, no referral, no slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from meetings.access import get_agenda_item_for_user
from meetings.models import AgendaItem, Council, Record
from meetings.models.records import attendance_people
from meetings.permissions import coordinates
from resursrad.models import AccessAction, Party
from resursrad.types import AuthenticatedHttpRequest


@dataclass(frozen=True)
class MeetingOrigin:
    """Where a deviation was seen, as the report form shows it (read-only) and the report keeps it."""

    council: Council
    meeting_date: date
    parties_present: list[str]
    # The record's note on gaps between the parties, if the user may read it: prefills the description.
    gap_note: str = ""

    def parties_present_display(self) -> str:
        return ", ".join(str(Party(code).label) for code in self.parties_present)

    def report_fields(self) -> dict[str, Any]:
        """What Deviation.report keeps of the meeting: never the slot, the case or the individual."""
        return {
            "council": self.council,
            "meeting_date": self.meeting_date,
            "parties_present": self.parties_present,
        }

    def initial(self, today: date) -> dict[str, Any]:
        """The form's first values: the gap note, and the meeting's date unless it is still to come."""
        return {"description": self.gap_note, "observed_on": min(self.meeting_date, today)}


def origin_for_slot(request: AuthenticatedHttpRequest, slot_id: int) -> MeetingOrigin:
    """The meeting facts of a slot the user may see (logged as a read); else a logged refusal and 404.

    The gap note comes from the slot's record as the record page would show
    it: always to the council's coordinators, to everyone else once finalised.
    """
    item = get_agenda_item_for_user(request, slot_id, action=AccessAction.VIEW)
    record = Record.objects.filter(item=item).first()
    readable = record is not None and (record.is_final or coordinates(request.user, item.meeting))
    return MeetingOrigin(
        council=item.meeting.council,
        meeting_date=item.meeting.date,
        parties_present=_parties_present(item, record),
        gap_note=record.gap_note if record is not None and readable else "",
    )


def _parties_present(item: AgendaItem, record: Record | None) -> list[str]:
    """The parties of those who took part, once attendance is recorded; else the parties invited to the slot."""
    if record is not None and record.attendance.exists():
        codes = set(record.attendance.filter(present=True).exclude(party="").values_list("party", flat=True))
    else:
        codes = {party for _user, party in attendance_people(item) if party}
    return [code for code in Party.values if code in codes]
