"""Erasure (gallring) of what the meetings keep about an individual.

Connected to cases.signals.personal_data_erased in MeetingsConfig.ready, so it
runs in the erasure's own transaction. The texts written about the person
go: the own account, the recommendation, the gap note, the parties'
perspectives, the plan's activities, goals and comments, the answers'
comments, the interpreter language, and the earlier versions of the record
(which hold the same texts). The facts the statistics rest on stay:
attendance, outcome, dates, each plan item's party, due day and state, and
each party's answer.
"""

from __future__ import annotations

from typing import Any

from meetings.models import AgendaItem, Record
from meetings.models.records import PartyPerspective, PlanItem, RecordVersion, Response


def erase_meeting_texts(sender: Any, *, referral: Any, **kwargs: Any) -> None:
    AgendaItem.objects.filter(referral=referral).update(interpreter_language="")
    records = Record.objects.filter(item__referral=referral)
    records.update(own_account="", recommendation="", gap_note="")
    PartyPerspective.objects.filter(record__in=records).update(note="")
    PlanItem.objects.filter(record__in=records).update(
        activity="", goal="", responsible_note="", follow_up_comment=""
    )
    Response.objects.filter(record__in=records).update(comment="")
    RecordVersion.objects.filter(record__in=records).delete()
