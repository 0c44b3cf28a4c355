"""The invitation and the agenda as they reach people: texts without names, and the .ics."""

from datetime import time

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from meetings.models import AgendaItem
from resursrad.notifications.models import Delivery, Notification
from resursrad.notifications.services import build_message
from tests.factories import accepted_referral


def test_the_invitation_email_carries_the_slots_ics_at_its_time_when_sent(case_worker, coordinator, meeting):
    meeting.remote_link = "https://mote.example.se/rr"
    meeting.save()
    first = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    second = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    # Reordered before the e-mail went: the file shows the slot's time now.
    second.move_within(-1, by=coordinator)
    # The invitation not yet sent, with its old time in the text, gave way to one with the new time.
    row = Notification.objects.get(kind="meetings.invited", object_id=second.pk, status="pending")
    assert row.context["time"] == "09:00"
    message = build_message([row])
    assert message.to == [case_worker.email]
    assert second.referral.case_number in message.subject
    assert "https://mote.example.se/rr" in message.body
    assert "Anna Andersson" not in message.body + message.subject
    [(name, content, mimetype)] = message.attachments
    assert name.endswith(".ics") and mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert f"{event.decoded('dtstart'):%H:%M}" == "09:00"
    assert "Anna" not in str(content)
    assert first.pk != second.pk


def test_an_invitation_for_a_slot_taken_off_before_sending_is_not_sent(case_worker, coordinator, meeting):
    item = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    AgendaItem.objects.get(pk=item.pk).take_off(by=coordinator)
    row = Notification.objects.get(kind="meetings.invited", object_id=item.pk)
    assert row.status == "cancelled"


def test_the_agenda_reaches_every_member_without_case_content(coordinator, meeting, members, case_worker):
    meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    mail.outbox.clear()
    meeting.send_agenda(by=coordinator)
    rows = list(Notification.objects.filter(kind="meetings.agenda_sent"))
    assert {row.recipient.email for row in rows} == {user.email for user in members.values()}
    message = build_message([rows[0]])
    assert "Dagordning" in message.subject
    assert message.attachments == []
    assert "RR-" not in message.body and "Anna" not in message.body


# --- a cancelled meeting ------------------------------------------------------------


def cancelled_notes():
    return Notification.objects.filter(kind="meetings.meeting_cancelled")


def test_cancelling_tells_the_handlaggare_of_its_planned_slots_with_date_time_and_place_only(
    case_worker, colleague, other_case_worker, coordinator, meeting, members
):
    gone = meeting.place_case(accepted_referral(other_case_worker, coordinator), by=coordinator)
    # Taken off before: that case is no longer on the meeting, its handläggare is not told.
    AgendaItem.objects.get(pk=gone.pk).take_off(by=coordinator)
    first = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    meeting.place_case(accepted_referral(colleague, coordinator), by=coordinator)
    meeting.cancel(by=coordinator, reason="Lokalen är inte tillgänglig.")
    notes = list(cancelled_notes().order_by("pk"))
    # The agenda was not sent: the members had not been told of the meeting.
    assert {note.recipient for note in notes} == {case_worker, colleague}
    # One a slot, each with its own calendar file: case_worker had two.
    assert [note.recipient for note in notes].count(case_worker) == 2
    assert notes[0].context == {"date": meeting.date.isoformat(), "time": "09:00", "place": meeting.place}
    message = build_message([notes[0]])
    assert "inställt" in message.subject and meeting.date.isoformat() in message.subject
    assert meeting.place in message.body
    text = message.subject + message.body
    assert first.referral.case_number not in text and "RR-" not in text
    assert "Anna" not in text and "Lokalen" not in text
    [(name, _content, mimetype)] = message.attachments
    assert name == f"resursrad-{first.referral.case_number}.ics" and mimetype == "text/calendar"


def test_the_cancellation_takes_the_slots_invitation_out_of_the_calendar(
    case_worker, colleague, coordinator, meeting, members, settings
):
    settings.DEFAULT_FROM_EMAIL = "Resursråd <resursrad@forbund.test>"
    settings.FEDERATION_NAME = "Samordningsförbundet Test"
    first = meeting.place_case(accepted_referral(colleague, coordinator), by=coordinator)
    slot = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    went_out(first, slot)
    # The first slot leaves: the second's time changes, and the calendar has its event at SEQUENCE 1.
    AgendaItem.objects.get(pk=first.pk).take_off(by=coordinator)
    latest = ics_event(invitations(slot).get(kind="meetings.time_changed"))
    assert latest["sequence"] == 1
    meeting.send_agenda(by=coordinator)
    meeting.cancel(by=coordinator, reason="Lokalen är inte tillgänglig för Anna Andersson.")
    [note] = cancelled_notes().filter(recipient=case_worker)
    assert note.object_id == slot.pk
    [(_name, content, mimetype)] = build_message([note]).attachments
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    assert calendar["method"] == "CANCEL"
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == str(latest["uid"])
    assert event["sequence"] == latest["sequence"] + 1
    assert event["status"] == "CANCELLED"
    # The invitation's organizer (Outlook ignores a CANCEL without one) and the handläggare withdrawn.
    assert str(event["organizer"]) == str(latest["organizer"]) == "mailto:resursrad@forbund.test"
    assert event["organizer"].params["cn"] == latest["organizer"].params["cn"] == "Samordningsförbundet Test"
    assert str(event["attendee"]) == str(latest["attendee"]) == f"mailto:{case_worker.email}"
    assert "cn" not in event["attendee"].params
    # The case number, as in the invitation; never the individual.
    participant = slot.referral.participant
    text = str(content)
    for personal in (
        participant.first_name,
        participant.last_name,
        participant.personal_number,
        participant.personal_number[2:8],
        case_worker.last_name,
        "Lokalen",
    ):
        assert personal not in text
    # The members had no invitation to withdraw; their e-mails carry no file.
    member_notes = list(cancelled_notes().exclude(recipient=case_worker))
    assert {note.recipient for note in member_notes} == set(members.values())
    assert all(build_message([note]).attachments == [] for note in member_notes)


def test_cancelling_after_the_agenda_was_sent_tells_the_members_too_once(
    case_worker, coordinator, meeting, members
):
    meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    meeting.send_agenda(by=coordinator)
    agenda = Notification.objects.filter(kind="meetings.agenda_sent")
    assert agenda.filter(status="pending").count() == len(members)
    meeting.cancel(by=coordinator, reason="Sjukdom.")
    assert {note.recipient for note in cancelled_notes()} == {case_worker, *members.values()}
    # The agenda e-mails still waiting are not sent for a cancelled meeting.
    assert set(agenda.values_list("status", flat=True)) == {"cancelled"}
    assert meeting.cancel(by=coordinator, reason="Igen.") is False
    assert cancelled_notes().count() == 1 + len(members)


def test_cancelling_an_empty_meeting_tells_nobody(coordinator, meeting, members):
    meeting.cancel(by=coordinator, reason="Inga ärenden.")
    assert not cancelled_notes().exists()


# --- a slot's time changes after the invitation ------------------------------------------


def invitations(item):
    return Notification.objects.filter(
        kind__in=["meetings.invited", "meetings.time_changed"], object_id=item.pk
    ).order_by("pk")


def went_out(*items):
    """The invitations' e-mails have been sent."""
    for item in items:
        invitations(item).filter(status=Delivery.PENDING).update(status=Delivery.SENT, sent_at=timezone.now())


def ics_event(row):
    [(_name, content, _mimetype)] = build_message([row]).attachments
    return icalendar.Calendar.from_ical(content).walk("VEVENT")[0]


@pytest.fixture
def three(case_worker, colleague, other_case_worker, coordinator, meeting):
    return [
        meeting.place_case(accepted_referral(by, coordinator), by=coordinator)
        for by in (case_worker, colleague, other_case_worker)
    ]


def test_a_reorder_after_the_invitations_went_out_sends_the_new_times_with_the_same_uid(
    case_worker, colleague, coordinator, three
):
    first, second, third = three
    went_out(*three)
    uid = str(ics_event(invitations(second).get()).get("uid"))
    second.move_within(-1, by=coordinator)
    [moved_up] = invitations(second).filter(kind="meetings.time_changed")
    [moved_down] = invitations(first).filter(kind="meetings.time_changed")
    assert (moved_up.recipient, moved_up.context["time"]) == (colleague, "09:00")
    assert (moved_down.recipient, moved_down.context["time"]) == (case_worker, "10:00")
    # The third slot keeps its time: nothing new.
    assert invitations(third).count() == 1
    message = build_message([moved_up])
    assert "ny tid" in message.subject and "09:00" in message.subject
    assert "Anna" not in message.body
    event = ics_event(moved_up)
    assert str(event["uid"]) == uid
    assert event["sequence"] == 1
    assert f"{event.decoded('dtstart'):%H:%M}" == "09:00"
    # Back again: the same UID, a higher SEQUENCE.
    went_out(first, second)
    AgendaItem.objects.get(pk=second.pk).move_within(1, by=coordinator)
    latest = invitations(second).last()
    assert ics_event(latest)["sequence"] == 2 and str(ics_event(latest)["uid"]) == uid
    assert latest.context["time"] == "10:00"


def test_a_reorder_before_the_invitation_went_out_sends_one_invitation_with_the_new_time(
    colleague, coordinator, three
):
    _first, second, _third = three
    second.move_within(-1, by=coordinator)
    rows = list(invitations(second))
    assert [(row.kind, row.status) for row in rows] == [
        ("meetings.invited", "cancelled"),
        ("meetings.invited", "pending"),
    ]
    assert rows[1].context["time"] == "09:00" and rows[1].recipient == colleague


def test_a_slot_taken_off_moves_the_later_ones_up_and_tells_their_handlaggare(
    other_case_worker, coordinator, three
):
    first, second, third = three
    went_out(*three)
    AgendaItem.objects.get(pk=second.pk).take_off(by=coordinator)
    [note] = invitations(third).filter(kind="meetings.time_changed")
    assert (note.recipient, note.context["time"]) == (other_case_worker, "10:00")
    assert not invitations(first).filter(kind="meetings.time_changed").exists()
    assert AgendaItem.objects.get(pk=third.pk).sequence == 1
    assert AgendaItem.objects.get(pk=first.pk).sequence == 0


def test_a_slot_moved_to_another_meeting_moves_the_later_ones_up(coordinator, meeting, later_meeting, three):
    first, _second, third = three
    went_out(*three)
    AgendaItem.objects.get(pk=first.pk).move_to(later_meeting, by=coordinator)
    assert [note.context["time"] for note in invitations(third).filter(kind="meetings.time_changed")] == [
        "10:00"
    ]


def test_a_case_that_ends_moves_the_later_slots_up(case_worker, coordinator, three):
    first, second, _third = three
    went_out(*three)
    first.referral.close(by=case_worker, reason="Personen har fått arbete.")
    assert [note.context["time"] for note in invitations(second).filter(kind="meetings.time_changed")] == [
        "09:00"
    ]


def test_a_new_start_time_tells_every_slot_but_a_new_place_or_end_does_not(coordinator, meeting, three):
    went_out(*three)
    meeting.update_details(
        expected_version=meeting.version, by=coordinator, place="Rum 9", ends_at=time(13, 0)
    )
    assert not Notification.objects.filter(kind="meetings.time_changed").exists()
    meeting.update_details(expected_version=meeting.version, by=coordinator, starts_at=time(8, 0))
    notes = Notification.objects.filter(kind="meetings.time_changed")
    assert sorted(note.context["time"] for note in notes) == ["08:00", "09:00", "10:00"]
    assert {note.context["place"] for note in notes} == {"Rum 9"}
