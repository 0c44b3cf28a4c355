"""The record of a slot, on the models: own account first, optimistic locking, versions, finalising."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from cases.models import DomainError, Referral, ReferralEvent, Status
from meetings.models import (
    AgendaItem,
    FollowUpStatus,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    PlanItem,
    Purpose,
    Record,
    RecordConflict,
    RecordFinalised,
    RecordVersion,
    Response,
    ResponseGiven,
)
from tests.factories import make_meeting
from tests.meetings.run_support import draft, plan_row, slot, today

pytestmark = pytest.mark.django_db


def test_a_first_save_creates_the_record_with_its_rows(case_worker, coordinator, council_member):
    item = slot(case_worker, coordinator, council_member)
    record = draft(
        item,
        coordinator,
        attendance=[{"user": case_worker.pk, "party": "kommun", "present": True, "remote": True}],
        perspectives={"kommun": "Försörjningsstöd sedan 2021.", "region": ""},
        gap_note="Remiss mellan vården och kommunen kom inte fram.",
    )
    assert record.version == 1
    assert record.updated_by == coordinator
    assert record.attendance.get().remote is True
    # An empty perspective is not kept as a row.
    assert list(record.perspectives.values_list("party", flat=True)) == ["kommun"]
    assert record.plan_items.get().activity == "Arbetsträning 25 %"
    assert not RecordVersion.objects.exists()
    assert record.status_label == "Utkast"


def test_the_recommendation_needs_the_own_account_first(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    with pytest.raises(DomainError, match="egen berättelse"):
        draft(item, coordinator, own_account="   ")
    assert not Record.objects.exists()
    # Unless the individual chose not to give one.
    record = draft(item, coordinator, own_account="", own_account_declined=True)
    assert record.recommendation


def test_the_database_refuses_a_recommendation_without_own_account(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Record.objects.create(item=item, recommendation="Arbetsträning.")


def test_a_stale_version_is_refused_and_nothing_is_overwritten(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    draft(item, coordinator, version=1, own_account="Andra versionen.")
    with pytest.raises(RecordConflict) as conflict:
        draft(item, coordinator, version=1, own_account="Tredje, från en gammal sida.")
    assert conflict.value.current_version == 2
    assert Record.objects.get().own_account == "Andra versionen."


def test_the_same_save_twice_is_not_a_conflict(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    draft(item, coordinator, version=1, own_account="Samma text.")
    # A double click sends the same content from version 1 again.
    draft(item, coordinator, version=1, own_account="Samma text.")
    assert Record.objects.get().version == 2
    assert RecordVersion.objects.count() == 1


def test_a_second_editor_starting_from_nothing_is_told(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator, version=0)
    with pytest.raises(RecordConflict):
        draft(item, coordinator, version=0, own_account="Någon annans text.")


def test_every_save_keeps_the_previous_content(case_worker, coordinator, council_member):
    item = slot(case_worker, coordinator, council_member)
    draft(item, coordinator, perspectives={"region": "Väntar på neuropsykiatrisk utredning."})
    draft(item, coordinator, own_account="Ny berättelse.", plan=[plan_row(activity="Studiebesök")])
    draft(item, coordinator, own_account="Tredje.", plan=[])
    record = Record.objects.get()
    assert record.version == 3
    versions = list(record.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    first, second = versions[0].content, versions[1].content
    assert first["own_account"].startswith("Jag vill tillbaka")
    assert first["perspectives"] == {"region": "Väntar på neuropsykiatrisk utredning."}
    assert second["own_account"] == "Ny berättelse."
    assert second["plan"][0]["activity"] == "Studiebesök"
    assert versions[0].saved_by == coordinator
    assert record.plan_items.count() == 0


def test_a_plan_item_needs_an_activity_party_and_due_date(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    with pytest.raises(DomainError, match="aktivitet"):
        draft(item, coordinator, plan=[plan_row(activity=" ")])
    with pytest.raises(DomainError, match="ansvarig part"):
        draft(item, coordinator, plan=[plan_row(responsible_party="staten")])
    with pytest.raises(DomainError, match="datum"):
        draft(item, coordinator, plan=[plan_row(due_on=None)])
    assert not Record.objects.exists()


def test_the_follow_up_must_come_after_the_meeting(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    with pytest.raises(DomainError, match="efter mötet"):
        draft(item, coordinator, follow_up_on=item.meeting.date)


def finalise(item, by, outcome=Outcome.HELD, **kwargs):
    record = Record.for_item(AgendaItem.objects.get(pk=item.pk))
    record.finalise(by=by, outcome=outcome, **kwargs)
    return record


def test_finalising_holds_the_case_with_its_follow_up_date(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    record = finalise(item, coordinator)
    assert record.is_final and record.finalised_by == coordinator
    assert record.outcome == Outcome.HELD
    referral = Referral.objects.get(pk=item.referral_id)
    assert referral.status == Status.HELD
    assert referral.follow_up_on == record.follow_up_on
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.DONE
    assert referral.events.filter(to_status=Status.HELD, by=coordinator).count() == 1


def test_finalising_twice_is_refused_and_changes_nothing(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    record = finalise(item, coordinator)
    with pytest.raises(DomainError, match="redan fastställt"):
        finalise(item, coordinator)
    assert Record.objects.get().finalised_at == record.finalised_at
    assert ReferralEvent.objects.filter(referral_id=item.referral_id, to_status=Status.HELD).count() == 1


def test_a_finalised_record_cannot_be_edited(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    record = finalise(item, coordinator)
    with pytest.raises(RecordFinalised):
        draft(item, coordinator, version=record.version, own_account="Ändrad i efterhand.")
    assert Record.objects.get().own_account.startswith("Jag vill")


def test_a_record_cannot_be_finalised_before_the_meeting(case_worker, coordinator):
    item = slot(case_worker, coordinator, days_ahead=3)
    draft(item, coordinator)
    with pytest.raises(DomainError, match="inte ägt rum"):
        finalise(item, coordinator)
    assert Referral.objects.get(pk=item.referral_id).status == Status.SCHEDULED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"individual_attended": None}, "om individen deltog"),
        ({"recommendation": ""}, "rekommendation"),
        ({"follow_up_on": None}, "datum för uppföljningen"),
    ],
)
def test_an_incomplete_record_is_not_finalised(case_worker, coordinator, fields, message):
    item = slot(case_worker, coordinator)
    draft(item, coordinator, **fields)
    with pytest.raises(DomainError, match=message):
        finalise(item, coordinator)
    assert not Record.objects.get().is_final


def test_a_first_meeting_cannot_close_the_case_when_the_individual_came(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)
    with pytest.raises(DomainError, match="utfall"):
        finalise(item, coordinator, Outcome.CLOSED, comment="Klart.")


def test_no_show_sends_the_case_back_to_the_backlog(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator, individual_attended=False, own_account="", recommendation="", plan=[])
    finalise(item, coordinator, Outcome.BACKLOG, comment="Hon var sjuk.")
    referral = Referral.objects.get(pk=item.referral_id)
    assert referral.status == Status.ACCEPTED
    assert referral in Referral.objects.backlog()
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.DONE
    # The case can be placed on a coming meeting again.
    make_meeting(item.meeting.council, days_ahead=14).place_case(referral, by=coordinator)


def test_no_show_can_close_the_case_with_a_reason(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator, individual_attended=False, own_account="", recommendation="", plan=[])
    with pytest.raises(DomainError, match="varför ärendet avslutas"):
        finalise(item, coordinator, Outcome.CLOSED)
    finalise(item, coordinator, Outcome.CLOSED, comment="Individen vill inte längre delta.")
    assert Referral.objects.get(pk=item.referral_id).status == Status.CLOSED


def _follow_up_slot(case_worker, coordinator):
    """A case held at one meeting, its follow-up due and placed on today's meeting."""
    first = slot(case_worker, coordinator)
    draft(first, coordinator, plan=[plan_row(activity="Arbetsträning"), plan_row(activity="Läkarbesök")])
    finalise(first, coordinator)
    referral = Referral.objects.get(pk=first.referral_id)
    referral.perform("start_follow_up", by=None)
    meeting = make_meeting(first.meeting.council, days_ahead=0, starts_at="13:00", ends_at="16:00")
    item = meeting.place_case(referral, by=coordinator)
    assert item.purpose == Purpose.FOLLOW_UP
    return first, item


def test_a_follow_up_records_how_the_previous_plan_went_and_continues(case_worker, coordinator):
    first, item = _follow_up_slot(case_worker, coordinator)
    record = Record.for_item(item)
    previous = record.previous_plan()
    assert [p.activity for p in previous] == ["Arbetsträning", "Läkarbesök"]
    draft(item, coordinator, previous_plan={str(previous[0].pk): {"status": "done", "comment": "Gick bra."}})
    with pytest.raises(DomainError, match="förra planen"):
        finalise(item, coordinator)
    draft(
        item,
        coordinator,
        previous_plan={
            str(previous[0].pk): {"status": "done", "comment": "Gick bra."},
            str(previous[1].pk): {"status": "under_way", "comment": ""},
        },
    )
    finalise(item, coordinator, Outcome.HELD)
    assert PlanItem.objects.get(pk=previous[0].pk).follow_up_status == FollowUpStatus.DONE
    assert PlanItem.objects.get(pk=previous[1].pk).follow_up_status == FollowUpStatus.UNDER_WAY
    referral = Referral.objects.get(pk=item.referral_id)
    assert referral.status == Status.HELD
    assert referral.follow_up_on == Record.objects.get(item=item).follow_up_on


def test_a_follow_up_can_close_the_case(case_worker, coordinator):
    _first, item = _follow_up_slot(case_worker, coordinator)
    previous = Record.for_item(item).previous_plan()
    draft(item, coordinator, previous_plan={str(p.pk): {"status": "done"} for p in previous}, plan=[])
    finalise(item, coordinator, Outcome.CLOSED, comment="Planen är genomförd, hon arbetar.")
    assert Referral.objects.get(pk=item.referral_id).status == Status.CLOSED


def test_a_follow_up_no_show_goes_back_as_a_follow_up(case_worker, coordinator):
    _first, item = _follow_up_slot(case_worker, coordinator)
    draft(item, coordinator, individual_attended=False, own_account="", recommendation="", plan=[])
    finalise(item, coordinator, Outcome.BACKLOG)
    assert Referral.objects.get(pk=item.referral_id).status == Status.FOLLOW_UP


def test_previous_plan_statuses_must_belong_to_the_previous_plan(case_worker, coordinator):
    _first, item = _follow_up_slot(case_worker, coordinator)
    with pytest.raises(DomainError, match="förra planen har ändrats"):
        draft(item, coordinator, previous_plan={"999999": {"status": "done"}})


def test_the_meeting_is_held_with_its_first_record_and_closed_with_its_last(
    case_worker, colleague, coordinator
):
    first = slot(case_worker, coordinator)
    second = slot(colleague, coordinator, meeting=first.meeting)
    draft(first, coordinator)
    draft(second, coordinator)
    finalise(first, coordinator)
    assert Meeting.objects.get(pk=first.meeting_id).status == MeetingStatus.HELD
    finalise(second, coordinator)
    assert Meeting.objects.get(pk=first.meeting_id).status == MeetingStatus.CLOSED


def test_a_slot_taken_off_the_agenda_cannot_be_recorded(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    item.take_off(by=coordinator)
    with pytest.raises(DomainError, match="tagits bort"):
        draft(AgendaItem.objects.get(pk=item.pk), coordinator)


def test_a_cancelled_meeting_cannot_be_recorded(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    Meeting.objects.filter(pk=item.meeting_id).update(status=MeetingStatus.CANCELLED)
    with pytest.raises(DomainError, match="inställt"):
        draft(item, coordinator)


def test_each_party_responds_once(case_worker, coordinator, council_member):
    item = slot(case_worker, coordinator, council_member)
    draft(item, coordinator)
    with pytest.raises(DomainError, match="när protokollet är fastställt"):
        Record.objects.get().respond(party="kommun", answer="follows", comment="", by=case_worker)
    record = finalise(item, coordinator)
    record.respond(party="kommun", answer="follows", comment="Vi beviljar arbetsträning.", by=case_worker)
    with pytest.raises(ResponseGiven, match="redan svarat"):
        record.respond(party="kommun", answer="does_not_follow", comment="", by=case_worker)
    with pytest.raises(DomainError, match="omfattas av individens samtycke"):
        record.respond(party="fk", answer="follows", comment="", by=case_worker)
    assert Response.objects.get().answer == "follows"


def test_a_record_version_timeline_uses_the_saved_times(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    first = draft(item, coordinator)
    saved_at = first.updated_at
    draft(item, coordinator, own_account="Andra.")
    assert RecordVersion.objects.get().saved_at == saved_at
    assert RecordVersion.objects.get().saved_at < Record.objects.get().updated_at + timedelta(seconds=1)
    assert today() == item.meeting.date
