"""Planning in the model: placing, ordering, moving, taking off, cancelling and sending the agenda."""

from datetime import time, timedelta

import icalendar
import pytest
from django.utils import timezone

from cases.models import DomainError, Referral, Status
from meetings.ics import invitation_files
from meetings.models import AgendaItem, ItemStatus, Meeting, MeetingStatus, Representative
from meetings.models.meetings import SERIES_LIMIT, AgendaDoesNotFit, MeetingEditConflict, MeetingFull
from resursrad.notifications.models import Notification
from tests.factories import CaseWorkerFactory, accepted_referral, make_meeting

THREE_PARTIES = ["kommun", "region", "af"]


def placed(meeting, referral, coordinator):
    item = meeting.place_case(referral, by=coordinator)
    referral.refresh_from_db()
    return item


def order(meeting):
    return list(
        meeting.items.planned().order_by("position", "pk").values_list("referral__case_number", flat=True)
    )


# --- placing -------------------------------------------------------------------


def test_placing_a_case_gives_it_the_next_slot_and_schedules_it(case_worker, coordinator, meeting):
    first = accepted_referral(case_worker, coordinator)
    second = accepted_referral(case_worker, coordinator, participant=None)
    item_one = placed(meeting, first, coordinator)
    item_two = placed(meeting, second, coordinator)
    assert first.status == Status.SCHEDULED
    assert [item_one.position, item_two.position] == [1, 2]
    start, end = item_two.times()
    assert (timezone.localtime(start).time(), timezone.localtime(end).time()) == (time(10, 0), time(10, 45))


def test_placing_invites_the_referring_case_worker_with_time_and_place_never_a_name(
    case_worker, coordinator, meeting
):
    referral = accepted_referral(case_worker, coordinator)
    item = placed(meeting, referral, coordinator)
    note = Notification.objects.get(kind="meetings.invited")
    assert note.recipient == case_worker
    assert note.context == {
        "case_number": referral.case_number,
        "date": meeting.date.isoformat(),
        "time": "09:00",
        "place": meeting.place,
    }
    assert note.object_id == item.pk
    assert referral.participant.last_name not in str(note.context)


def test_the_same_case_cannot_be_placed_twice(case_worker, coordinator, meeting, later_meeting):
    referral = accepted_referral(case_worker, coordinator)
    placed(meeting, referral, coordinator)
    with pytest.raises(DomainError):
        later_meeting.place_case(referral, by=coordinator)
    assert not later_meeting.items.exists()


def test_a_case_without_consent_in_force_is_not_placed(case_worker, coordinator, meeting):
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "af"])
    # Lapsed yesterday; the nightly check has not yet taken the party out.
    referral.consents.filter(party="af").update(
        given_on=timezone.localdate() - timedelta(days=30),
        valid_until=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(DomainError, match="Arbetsförmedlingen"):
        meeting.place_case(referral, by=coordinator)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert not AgendaItem.objects.exists()


# --- order ---------------------------------------------------------------------


@pytest.fixture
def three_placed(case_worker, coordinator, meeting):
    referrals = [accepted_referral(case_worker, coordinator) for _ in range(3)]
    return [placed(meeting, referral, coordinator) for referral in referrals]


def test_moving_a_slot_up_swaps_it_with_the_one_before_and_the_times_follow(
    coordinator, meeting, three_placed
):
    first, second, third = three_placed
    third.move_within(-1, by=coordinator, seen_position=third.position)
    numbers = [item.referral.case_number for item in (first, third, second)]
    assert order(meeting) == numbers
    third.refresh_from_db()
    assert timezone.localtime(third.times()[0]).time() == time(10, 0)


def test_the_first_slot_cannot_move_up_nor_the_last_down(coordinator, three_placed):
    first, _second, third = three_placed
    with pytest.raises(DomainError):
        first.move_within(-1, by=coordinator)
    with pytest.raises(DomainError):
        third.move_within(1, by=coordinator)


def test_a_second_click_on_a_stale_page_moves_nothing(coordinator, meeting, three_placed):
    _first, _second, third = three_placed
    seen = third.position
    third.move_within(-1, by=coordinator, seen_position=seen)
    after_first = order(meeting)
    with pytest.raises(DomainError, match="Dagordningen har ändrats"):
        AgendaItem.objects.get(pk=third.pk).move_within(-1, by=coordinator, seen_position=seen)
    assert order(meeting) == after_first


# --- move, take off, cancel --------------------------------------------------------


def test_moving_to_another_meeting_puts_the_case_last_there_and_invites_again(
    case_worker, coordinator, meeting, later_meeting
):
    waiting = accepted_referral(case_worker, coordinator)
    placed(later_meeting, waiting, coordinator)
    item = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    moved = item.move_to(later_meeting, by=coordinator)
    item.refresh_from_db()
    assert item.status == ItemStatus.REMOVED
    assert moved.meeting == later_meeting and moved.position == 2
    assert Referral.objects.get(pk=item.referral_id).status == Status.SCHEDULED
    assert Notification.objects.filter(kind="meetings.invited", object_id=moved.pk).exists()


def test_taking_off_returns_the_case_to_the_backlog(case_worker, coordinator, meeting):
    referral = accepted_referral(case_worker, coordinator)
    waiting_since = referral.backlog_since
    item = placed(meeting, referral, coordinator)
    item.take_off(by=coordinator)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.backlog_since == waiting_since
    assert Referral.objects.backlog().filter(pk=referral.pk).exists()


def test_cancelling_a_meeting_returns_its_cases_to_the_backlog_once(
    case_worker, coordinator, meeting, three_placed
):
    with pytest.raises(DomainError):
        meeting.cancel(by=coordinator, reason="  ")
    assert meeting.cancel(by=coordinator, reason="Lokalen är inte tillgänglig.") is True
    assert meeting.status == MeetingStatus.CANCELLED
    assert not meeting.items.planned().exists()
    assert Referral.objects.filter(status=Status.ACCEPTED).count() == 3
    assert meeting.cancel(by=coordinator, reason="Igen.") is False
    assert Meeting.objects.get(pk=meeting.pk).cancel_reason == "Lokalen är inte tillgänglig."
    with pytest.raises(DomainError):
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)


# --- sending the agenda ------------------------------------------------------------


def test_sending_the_agenda_twice_tells_each_member_once(coordinator, meeting, members, three_placed):
    assert meeting.send_agenda(by=coordinator) is True
    assert meeting.status == MeetingStatus.AGENDA_SENT and meeting.agenda_sent_at is not None
    notes = Notification.objects.filter(kind="meetings.agenda_sent")
    assert {note.recipient for note in notes} == set(members.values())
    assert notes[0].context == {"date": meeting.date.isoformat(), "time": "09:00", "place": meeting.place}
    assert meeting.send_agenda(by=coordinator) is False
    assert notes.count() == len(members)


def test_an_empty_agenda_is_not_sent(coordinator, meeting):
    with pytest.raises(DomainError, match="Dagordningen är tom"):
        meeting.send_agenda(by=coordinator)
    assert Meeting.objects.get(pk=meeting.pk).status == MeetingStatus.PLANNED


# --- the slot's details --------------------------------------------------------------


def test_representatives_are_invited_only_for_parties_with_consent(
    case_worker, coordinator, meeting, members, council
):
    referral = accepted_referral(case_worker, coordinator, parties=THREE_PARTIES)
    item = placed(meeting, referral, coordinator)
    assert {r.member.party for r in item.representatives.all()} == set(THREE_PARTIES)
    fk = council.members.get(party="fk")
    with pytest.raises(DomainError, match="Försäkringskassan"):
        item.set_details(
            by=coordinator, case_worker=None, members=[fk], interpreter_language="", participation="on_site"
        )
    region = council.members.get(party="region")
    item.set_details(
        by=coordinator,
        case_worker=case_worker,
        members=[region],
        interpreter_language=" arabiska ",
        participation="remote",
    )
    item.refresh_from_db()
    assert [r.member for r in item.representatives.all()] == [region]
    assert (item.case_worker, item.interpreter_language, item.participation) == (
        case_worker,
        "arabiska",
        "remote",
    )


def test_the_attending_case_worker_comes_from_the_referring_organisation(
    case_worker, other_case_worker, coordinator, meeting
):
    item = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    with pytest.raises(DomainError):
        item.set_details(
            by=coordinator,
            case_worker=other_case_worker,
            members=[],
            interpreter_language="",
            participation="on_site",
        )


def test_consent_withdrawn_for_a_party_takes_its_representatives_off_the_slot(
    case_worker, coordinator, meeting
):
    referral = accepted_referral(case_worker, coordinator, parties=THREE_PARTIES)
    item = placed(meeting, referral, coordinator)
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    assert not Representative.objects.filter(item=item, member__party="af").exists()
    assert Representative.objects.filter(item=item, member__party="region").exists()
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.PLANNED


def test_a_case_that_ends_leaves_the_agenda(case_worker, coordinator, meeting):
    referral = accepted_referral(case_worker, coordinator)
    item = placed(meeting, referral, coordinator)
    referral.close(by=case_worker, reason="Personen har fått arbete.")
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED
    assert meeting.items.planned().count() == 0


# --- creating and editing meetings ---------------------------------------------------


def meeting_fields(**overrides):
    fields = {
        "date": timezone.localdate() + timedelta(days=14),
        "starts_at": time(13, 0),
        "ends_at": time(16, 0),
        "place": "Kommunhuset, rum 3",
        "slot_minutes": 45,
        "break_minutes": 15,
    }
    fields.update(overrides)
    return fields


def test_creating_the_same_meeting_twice_gives_one(council):
    first, created = Meeting.plan(council=council, **meeting_fields())
    again, created_again = Meeting.plan(council=council, **meeting_fields())
    assert (created, created_again) == (True, False)
    assert first == again
    with pytest.raises(DomainError, match="Rådet har redan ett möte"):
        Meeting.plan(council=council, **meeting_fields(starts_at=time(15, 0), ends_at=time(17, 0)))
    with pytest.raises(DomainError, match="sluta efter"):
        Meeting.plan(council=council, **meeting_fields(starts_at=time(15, 0), ends_at=time(14, 0)))


def test_a_series_is_created_once_on_the_councils_defaults(council):
    first = timezone.localdate() + timedelta(days=7)
    series = {
        "first": first,
        "last": first + timedelta(weeks=6),
        "every_weeks": 2,
        "starts_at": time(9),
        "ends_at": time(12),
    }
    meetings, created = Meeting.plan_series(council=council, **series)
    assert created and [m.date for m in meetings] == [first + timedelta(weeks=n) for n in (0, 2, 4, 6)]
    assert {m.place for m in meetings} == {council.default_place}
    again, created_again = Meeting.plan_series(council=council, **series)
    assert not created_again and len(again) == 4
    with pytest.raises(DomainError, match="Inget möte har skapats"):
        Meeting.plan_series(council=council, **{**series, "every_weeks": 1})
    assert Meeting.objects.count() == 4


def test_a_series_holds_at_most_sixty_meetings_one_to_eight_weeks_apart(council):
    first = timezone.localdate() + timedelta(days=7)
    assert len(Meeting.series_days(first, first + timedelta(weeks=59), 1)) == SERIES_LIMIT == 60
    assert Meeting.series_days(first, first, 8) == [first]
    for last, every_weeks, message in [
        (first + timedelta(weeks=60), 1, "högst 60"),
        (first - timedelta(days=1), 1, "före"),
        (first + timedelta(weeks=9), 9, "åttonde"),
        (first + timedelta(weeks=1), 0, "åttonde"),
    ]:
        with pytest.raises(DomainError, match=message):
            Meeting.series_days(first, last, every_weeks)
        # Both ways of making a series refuse it, and make nothing.
        for make in (Meeting.plan_series, Meeting.create_series):
            with pytest.raises(DomainError, match=message):
                make(
                    council=council,
                    first=first,
                    last=last,
                    every_weeks=every_weeks,
                    starts_at=time(9),
                    ends_at=time(12),
                )
    assert not Meeting.objects.exists()


def test_the_second_editor_is_told_not_overwritten(council):
    meeting, _ = Meeting.plan(council=council, **meeting_fields())
    version = meeting.version
    assert meeting.update_details(expected_version=version, place="Rum 4") is True
    stale = Meeting.objects.get(pk=meeting.pk)
    with pytest.raises(MeetingEditConflict) as conflict:
        stale.update_details(expected_version=version, place="Rum 5")
    assert conflict.value.current.place == "Rum 4"
    # The same edit arriving twice is no conflict.
    assert stale.update_details(expected_version=version, place="Rum 4") is False
    assert Meeting.objects.get(pk=meeting.pk).place == "Rum 4"


# --- the calendar invitation ---------------------------------------------------------


def test_the_invitation_file_names_the_case_and_its_time_never_the_person(case_worker, coordinator, meeting):
    meeting.remote_link = "https://mote.example.se/rr"
    meeting.save()
    first = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    second = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    [(name, content, mimetype)] = invitation_files(second)
    assert name == f"resursrad-{second.referral.case_number}.ics" and mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]) == f"Resursråd: {second.referral.case_number}"
    assert event.decoded("dtstart").astimezone(timezone.get_default_timezone()).time() == time(10, 0)
    assert event.decoded("dtend").astimezone(timezone.get_default_timezone()).time() == time(10, 45)
    assert str(event["dtstart"].params["TZID"]) == "Europe/Stockholm"
    assert str(event["location"]) == meeting.place
    assert b"Andersson" not in content and b"Anna" not in content
    # The same slot keeps its UID; another slot has its own.
    assert invitation_files(second)[0][1].count(str(event["uid"]).encode()) == 1
    assert str(event["uid"]) not in invitation_files(first)[0][1].decode()
    first.take_off(by=coordinator)
    assert invitation_files(AgendaItem.objects.get(pk=first.pk)) == []


def test_a_case_worker_elsewhere_is_not_a_choice_for_attending(case_worker, coordinator, meeting):
    colleague = CaseWorkerFactory(organisation=case_worker.organisation)
    CaseWorkerFactory()
    item = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    assert set(item.case_worker_choices()) == {case_worker, colleague}


def test_a_meeting_of_the_past_takes_no_case(case_worker, coordinator, council):
    past = make_meeting(council, days_ahead=-1)
    with pytest.raises(DomainError):
        past.place_case(accepted_referral(case_worker, coordinator), by=coordinator)


# --- room before the meeting's end ----------------------------------------------------

FULL = "Mötet är fullt: det finns ingen tid kvar före mötets slut"


def test_a_slot_may_start_before_the_end_and_run_past_it_but_not_start_at_the_end(
    case_worker, coordinator, council
):
    # 09:00–11:30: slots at 09:00, 10:00 and 11:00 (11:00–11:45 runs past the end, with a warning).
    meeting = make_meeting(council, ends_at="11:30")
    for _ in range(3):
        placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    assert meeting.overruns(3)
    referral = accepted_referral(case_worker, coordinator)
    with pytest.raises(MeetingFull, match=FULL):
        meeting.place_case(referral, by=coordinator)
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert meeting.items.planned().count() == 3
    assert not AgendaItem.objects.filter(referral=referral).exists()


def test_a_slot_that_would_start_exactly_at_the_end_is_refused(case_worker, coordinator, meeting):
    # 09:00–12:00 with 45 + 15 minutes: the fourth slot would start at 12:00.
    for _ in range(3):
        placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    assert meeting.has_room_after(2) and not meeting.has_room_after(3)
    with pytest.raises(MeetingFull):
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)


def test_a_case_placed_twice_is_told_so_even_when_the_meeting_is_full(case_worker, coordinator, meeting):
    referrals = [accepted_referral(case_worker, coordinator) for _ in range(3)]
    for referral in referrals:
        placed(meeting, referral, coordinator)
    with pytest.raises(DomainError, match="redan en tid"):
        meeting.place_case(referrals[0], by=coordinator)


def test_a_slot_taken_off_makes_room_again(case_worker, coordinator, meeting):
    items = [placed(meeting, accepted_referral(case_worker, coordinator), coordinator) for _ in range(3)]
    items[0].take_off(by=coordinator)
    placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    assert meeting.items.planned().count() == 3


def test_moving_to_a_full_meeting_is_refused_and_the_slot_stays(
    case_worker, coordinator, meeting, later_meeting
):
    for _ in range(3):
        placed(later_meeting, accepted_referral(case_worker, coordinator), coordinator)
    item = placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    with pytest.raises(MeetingFull, match=FULL):
        item.move_to(later_meeting, by=coordinator)
    item.refresh_from_db()
    assert item.status == ItemStatus.PLANNED and item.meeting == meeting
    assert later_meeting.items.planned().count() == 3
    assert Referral.objects.get(pk=item.referral_id).status == Status.SCHEDULED


def test_shortening_a_meeting_below_its_slots_is_refused(case_worker, coordinator, meeting):
    for _ in range(3):
        placed(meeting, accepted_referral(case_worker, coordinator), coordinator)
    version = meeting.version
    with pytest.raises(AgendaDoesNotFit, match="sista av de 3 ärendena"):
        meeting.update_details(expected_version=version, ends_at=time(11, 0))
    with pytest.raises(AgendaDoesNotFit):
        meeting.update_details(expected_version=version, slot_minutes=90)
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.ends_at, fresh.slot_minutes, fresh.version) == (time(12, 0), 45, version)
    # Ending just after the last slot starts is allowed: it runs past the end, with the warning.
    assert meeting.update_details(expected_version=version, ends_at=time(11, 1)) is True
    assert meeting.overruns(3)
