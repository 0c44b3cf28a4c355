"""Cases at the meeting stages, built through the domain, for the tests of time passing and consent."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from meetings.models import ItemStatus, MeetingStatus, PlanItem, Record
from tests.factories import accepted_referral, make_council, make_meeting


def met_case(case_worker, coordinator, *, days_ago=1, council=None, **fields):  # type: ignore[no-untyped-def]
    """An accepted case placed on a meeting held ``days_ago`` days ago; its slot still planned."""
    council = council or make_council(coordinators=[coordinator])
    # Placed while the meeting was still to come; then the days pass.
    meeting = make_meeting(council, days_ahead=1)
    referral = accepted_referral(case_worker, coordinator, **fields)
    item = meeting.place_case(referral, by=coordinator)
    type(meeting).objects.filter(pk=meeting.pk).update(date=timezone.localdate() - timedelta(days=days_ago))
    item.refresh_from_db()
    item.meeting.refresh_from_db()
    referral.refresh_from_db()
    return referral, item


def draft_record(item, **fields):  # type: ignore[no-untyped-def]
    values = {"own_account": "Vill komma tillbaka till arbete.", "recommendation": "Arbetsträning."}
    values.update(fields)
    return Record.objects.create(item=item, **values)


def finalise(record, by, *, follow_up_on: date | None = None):  # type: ignore[no-untyped-def]
    """Finalise as the meeting view will: the record locked, the slot done, the referral held."""
    record.finalised_at = timezone.now()
    record.finalised_by = by
    record.follow_up_on = follow_up_on or timezone.localdate() + timedelta(days=60)
    record.save(update_fields=["finalised_at", "finalised_by", "follow_up_on"])
    item = record.item
    item.status = ItemStatus.DONE
    item.save(update_fields=["status"])
    item.meeting.status = MeetingStatus.HELD
    item.meeting.save(update_fields=["status"])
    item.referral.perform("hold", by=by, fields={"follow_up_on": record.follow_up_on})
    return record


def held_case(case_worker, coordinator, *, follow_up_on=None, council=None, responsible=None, due_on=None):  # type: ignore[no-untyped-def]
    """A case whose meeting was held yesterday, with a finalised record and one plan step."""
    referral, item = met_case(case_worker, coordinator, council=council)
    record = draft_record(item)
    step = PlanItem.objects.create(
        record=record,
        activity="Arbetsträning fyra timmar om dagen",
        responsible_party="af",
        responsible_user=responsible,
        due_on=due_on or timezone.localdate() + timedelta(days=30),
    )
    finalise(record, coordinator, follow_up_on=follow_up_on)
    referral.refresh_from_db()
    return referral, item, record, step
