"""The invitation and the agenda as they reach people: texts without names, and the .ics."""

import icalendar
from django.core import mail

from meetings.models import AgendaItem
from resursrad.notifications.models import Notification
from resursrad.notifications.services import build_message
from tests.factories import accepted_referral


def test_the_invitation_email_carries_the_slots_ics_at_its_time_when_sent(case_worker, coordinator, meeting):
    meeting.remote_link = "https://mote.example.se/rr"
    meeting.save()
    first = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    second = meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    # Reordered before the e-mail went: the file shows the slot's time now.
    second.move_within(-1, by=coordinator)
    row = Notification.objects.get(kind="meetings.invited", object_id=second.pk)
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
