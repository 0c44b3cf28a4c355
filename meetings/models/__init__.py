"""The meetings app's models, one module per concern."""

from meetings.models.calendar import CalendarFeed
from meetings.models.councils import Council, CouncilMember, MemberRole
from meetings.models.meetings import (
    AGENDA_SENT_STATES,
    OPEN_MEETING_STATES,
    AgendaItem,
    ItemStatus,
    Meeting,
    MeetingStatus,
    ParticipationMode,
    Purpose,
    Representative,
)
from meetings.models.records import (
    Answer,
    Attendance,
    FollowUpStatus,
    Outcome,
    PartyPerspective,
    PlanItem,
    Record,
    RecordConflict,
    RecordFinalised,
    RecordVersion,
    Response,
    ResponseGiven,
)

__all__ = [
    "AGENDA_SENT_STATES",
    "OPEN_MEETING_STATES",
    "AgendaItem",
    "Answer",
    "Attendance",
    "CalendarFeed",
    "Council",
    "CouncilMember",
    "FollowUpStatus",
    "ItemStatus",
    "Meeting",
    "MeetingStatus",
    "MemberRole",
    "Outcome",
    "ParticipationMode",
    "PartyPerspective",
    "PlanItem",
    "Purpose",
    "Record",
    "RecordConflict",
    "RecordFinalised",
    "RecordVersion",
    "Representative",
    "Response",
    "ResponseGiven",
]
