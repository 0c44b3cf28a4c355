"""The calendar: coming meetings as a list and a month view, and an .ics file per meeting."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings.models import Meeting, MeetingStatus
from tests.factories import make_meeting
from tests.meetings.cal_setup import NAME, NUMBER, fill_meeting, make_agenda, many_meetings, send


@pytest.fixture
def agenda(cast):
    return make_agenda(cast)


def test_list_shows_coming_meetings_with_place_council_and_slot_count(client, cast, agenda):
    client.force_login(cast["council_member"])
    content = client.get(reverse("meetings:calendar")).content.decode()
    assert agenda.council.name in content
    assert agenda.meeting.place in content
    assert "09:00–12:00" in content
    assert reverse("meetings:meeting_ics", args=[agenda.meeting.pk]) in content
    assert reverse("meetings:agenda_view", args=[agenda.meeting.pk]) in content


def test_case_worker_sees_own_slot_with_its_time_and_never_a_name(client, cast, agenda):
    client.force_login(cast["case_worker"])
    content = client.get(reverse("meetings:calendar")).content.decode()
    assert f"09:00–09:45 {agenda.referral.case_number}" in content
    assert NAME[1] not in content
    # The case worker reads the case on the case page, not the council's agenda.
    assert reverse("meetings:agenda_view", args=[agenda.meeting.pk]) not in content


def test_case_worker_of_another_organisation_does_not_see_the_meeting(client, cast, agenda):
    client.force_login(cast["other_case_worker"])
    content = client.get(reverse("meetings:calendar")).content.decode()
    assert agenda.council.name not in content
    assert agenda.referral.case_number not in content


def test_case_worker_sees_only_own_organisations_case_numbers(client, cast, agenda, other_case_worker):
    from tests.factories import make_participant, scheduled_referral

    theirs = scheduled_referral(
        other_case_worker,
        cast["coordinator"],
        meeting=agenda.meeting,
        participant=make_participant(personal_number=""),
    )
    client.force_login(cast["case_worker"])
    content = client.get(reverse("meetings:calendar")).content.decode()
    assert agenda.referral.case_number in content
    assert theirs.case_number not in content
    client.force_login(other_case_worker)
    content = client.get(reverse("meetings:calendar")).content.decode()
    # The other case's slot is the second: its time counts the first slot it does not show.
    assert f"10:00–10:45 {theirs.case_number}" in content
    assert agenda.referral.case_number not in content


def test_member_sees_case_numbers_only_once_the_agenda_is_sent(client, cast):
    agenda = make_agenda(cast, sent=False)
    client.force_login(cast["council_member"])
    assert agenda.referral.case_number not in client.get(reverse("meetings:calendar")).content.decode()
    send(agenda.meeting)
    assert agenda.referral.case_number in client.get(reverse("meetings:calendar")).content.decode()


def test_past_and_cancelled_meetings_are_not_in_the_list(client, cast, agenda):
    make_meeting(agenda.council, days_ahead=-3, place="Förra veckans rum")
    make_meeting(agenda.council, days_ahead=10, place="Inställda rummet", status=MeetingStatus.CANCELLED)
    client.force_login(cast["coordinator"])
    content = client.get(reverse("meetings:calendar")).content.decode()
    assert "Förra veckans rum" not in content
    assert "Inställda rummet" not in content


def test_month_view_shows_the_meetings_of_the_month_with_links_to_the_others(client, cast, agenda):
    month = f"{agenda.meeting.date:%Y-%m}"
    client.force_login(cast["coordinator"])
    response = client.get(reverse("meetings:calendar_month"), {"month": month})
    assert response.status_code == 200
    content = response.content.decode()
    assert agenda.council.name in content
    assert "1 tid" in content
    assert "Föregående månad" in content and "Nästa månad" in content
    assert '<th scope="col">Måndag</th>' in content or '<th scope="col">måndag</th>' in content


def test_month_view_of_another_month_does_not_show_the_meeting(client, cast, agenda):
    other = agenda.meeting.date + timedelta(days=70)
    client.force_login(cast["coordinator"])
    content = client.get(reverse("meetings:calendar_month"), {"month": f"{other:%Y-%m}"}).content.decode()
    assert agenda.meeting.place not in content
    assert "Inga möten den här månaden." in content


@pytest.mark.parametrize(
    "bad", ["2025-13", "juni", "1999-01", "2025-1", "99999-01", "2025-00", "<script>", "2025-01-01"]
)
def test_bad_month_gives_a_swedish_message_and_this_month(client, cast, agenda, bad):
    client.force_login(cast["coordinator"])
    response = client.get(reverse("meetings:calendar_month"), {"month": bad})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Skriv månaden som ÅÅÅÅ-MM" in content
    assert "Visar den här månaden i stället." in content
    assert response.context["month"] == timezone.localdate().replace(day=1)
    assert "<script>" not in content.split("<main", 1)[1]


def test_ics_holds_the_meeting_as_one_event_with_case_numbers_and_no_names(client, cast, agenda):
    Meeting.objects.filter(pk=agenda.meeting.pk).update(remote_link="https://mote.example/abc")
    client.force_login(cast["council_member"])
    response = client.get(reverse("meetings:meeting_ics", args=[agenda.meeting.pk]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert NAME[0] not in body and NAME[1] not in body and NUMBER not in body and "8503122387" not in body
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == f"meeting-{agenda.meeting.pk}@127.0.0.1" or str(event["uid"]).startswith(
        f"meeting-{agenda.meeting.pk}@"
    )
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/Stockholm"
    assert (start.date(), start.hour, start.minute) == (agenda.meeting.date, 9, 0)
    description = str(event["description"])
    assert f"09:00–09:45 {agenda.referral.case_number}" in description
    assert "https://mote.example/abc" in description
    assert calendar.walk("VTIMEZONE")


def test_ics_uid_is_stable(client, cast, agenda):
    client.force_login(cast["coordinator"])
    url = reverse("meetings:meeting_ics", args=[agenda.meeting.pk])
    first = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]["uid"]
    Meeting.objects.filter(pk=agenda.meeting.pk).update(place="Nytt rum")
    second = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]["uid"]
    assert first == second


def test_ics_of_case_worker_lists_only_own_case_numbers(client, cast, agenda, other_case_worker):
    from tests.factories import make_participant, scheduled_referral

    theirs = scheduled_referral(
        other_case_worker,
        cast["coordinator"],
        meeting=agenda.meeting,
        participant=make_participant(personal_number=""),
    )
    client.force_login(cast["case_worker"])
    body = client.get(reverse("meetings:meeting_ics", args=[agenda.meeting.pk])).content.decode()
    assert agenda.referral.case_number in body
    assert theirs.case_number not in body


def _many(cast, agenda):
    many_meetings(agenda.council, 110)
    fill_meeting(cast, agenda.meeting, 11)  # 12 slots with the agenda's own


@pytest.mark.parametrize("role", ["coordinator", "council_member", "case_worker"])
def test_list_and_month_use_a_constant_number_of_queries(
    client, cast, agenda, role, django_assert_max_num_queries
):
    _many(cast, agenda)
    client.force_login(cast[role])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:calendar"))
    # The case worker's calendar holds only the meetings with their organisation's slots.
    assert len(response.context["page"].object_list) == (1 if role == "case_worker" else 25)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:calendar_month"), {"month": f"{agenda.meeting.date:%Y-%m}"})
    assert response.status_code == 200


def test_ics_of_a_full_meeting_uses_a_constant_number_of_queries(
    client, cast, agenda, django_assert_max_num_queries
):
    _many(cast, agenda)
    client.force_login(cast["coordinator"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("meetings:meeting_ics", args=[agenda.meeting.pk]))
    description = str(Calendar.from_ical(response.content).walk("VEVENT")[0]["description"])
    assert description.count("\n") == 12  # "Tider:" and twelve slots
