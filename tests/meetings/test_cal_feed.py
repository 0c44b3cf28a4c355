"""The personal calendar feed: a secret, revocable address; case numbers, never names."""

import logging
import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.models import CalendarFeed
from meetings.models.calendar import token_hash
from resursrad.models import AccessLog
from tests.meetings.cal_setup import NAME, NUMBER, fill_meeting, make_agenda, many_meetings


@pytest.fixture
def agenda(cast):
    return make_agenda(cast)


def _create_address(client, user):
    client.force_login(user)
    response = client.post(reverse("meetings:feed_settings"), {"action": "issue"})
    assert response.status_code == 200
    address = response.context["address"]
    assert address in response.content.decode()
    return address


def _path(address):
    return re.sub(r"^https?://[^/]+", "", address)


def test_creating_an_address_shows_it_once_and_stores_only_its_hash(client, cast, agenda):
    address = _create_address(client, cast["council_member"])
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    feed = CalendarFeed.objects.get(user=cast["council_member"])
    assert feed.token_hash == token_hash(token)
    assert token not in feed.token_hash
    # Shown once: the settings page no longer holds it.
    content = client.get(reverse("meetings:feed_settings")).content.decode()
    assert token not in content
    assert "Du har en adress" in content


def test_feed_answers_without_login_with_the_users_meetings(client, cast, agenda):
    address = _create_address(client, cast["council_member"])
    client.logout()
    response = client.get(_path(address))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(event["uid"]).split("@")[0] for event in events] == [f"meeting-{agenda.meeting.pk}"]
    assert agenda.referral.case_number in str(events[0]["description"])


def test_feed_carries_case_numbers_and_no_names_or_personal_numbers(client, cast, agenda):
    address = _create_address(client, cast["case_worker"])
    client.logout()
    body = client.get(_path(address)).content.decode()
    unfolded = body.replace("\r\n ", "")
    assert agenda.referral.case_number in unfolded
    for secret in (*NAME, NUMBER, NUMBER[2:], "850312-2387", "19850312-2387"):
        assert secret not in unfolded


def test_replacing_the_address_stops_the_old_one(client, cast, agenda):
    old = _create_address(client, cast["coordinator"])
    new = _create_address(client, cast["coordinator"])
    assert old != new
    client.logout()
    assert client.get(_path(old)).status_code == 404
    assert client.get(_path(new)).status_code == 200
    assert CalendarFeed.objects.active().filter(user=cast["coordinator"]).count() == 1


def test_revoking_the_address_stops_it(client, cast, agenda):
    address = _create_address(client, cast["coordinator"])
    response = client.post(reverse("meetings:feed_settings"), {"action": "revoke"})
    assert response.status_code == 200
    assert "Adressen är stoppad." in response.content.decode()
    client.logout()
    assert client.get(_path(address)).status_code == 404


def test_revoking_twice_changes_nothing_the_second_time(client, cast):
    CalendarFeed.issue(cast["coordinator"])
    assert CalendarFeed.revoke_for(cast["coordinator"]) == 1
    assert CalendarFeed.revoke_for(cast["coordinator"]) == 0


@pytest.mark.parametrize("token", ["x" * 43, "a" * 500, "..", "ö"])
def test_unknown_token_is_404_and_says_nothing(client, db, token):
    response = client.get(f"/meetings/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.content == b""


def test_feed_of_a_deactivated_user_is_404(client, cast, agenda):
    address = _create_address(client, cast["coordinator"])
    client.logout()
    cast["coordinator"].is_active = False
    cast["coordinator"].save()
    assert client.get(_path(address)).status_code == 404


def test_feed_follows_what_the_calendar_shows_when_consent_ends(client, cast, agenda):
    address = _create_address(client, cast["council_member"])
    client.logout()
    region = agenda.referral.consents.get(party="region")
    region.withdraw(by=cast["case_worker"], on=region.given_on)
    body = client.get(_path(address)).content.decode().replace("\r\n ", "")
    assert f"meeting-{agenda.meeting.pk}@" in body
    assert agenda.referral.case_number not in body


def test_feed_logs_nothing_personal(client, cast, agenda, caplog):
    address = _create_address(client, cast["case_worker"])
    client.logout()
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    before = AccessLog.objects.count()
    with caplog.at_level(logging.DEBUG):
        client.get(_path(address))
        client.get(_path(address).replace(token, "x" * 43))
    assert AccessLog.objects.count() == before
    assert token not in caplog.text
    assert "x" * 43 not in caplog.text
    assert agenda.referral.case_number not in caplog.text


def test_settings_page_refuses_an_unknown_action_with_a_swedish_message(client, cast):
    client.force_login(cast["case_worker"])
    response = client.post(reverse("meetings:feed_settings"), {"action": "steal"})
    assert response.status_code == 400
    assert "Välj en av knapparna nedan." in response.content.decode()
    assert not CalendarFeed.objects.exists()


def test_feed_uses_a_constant_number_of_queries(client, cast, agenda, django_assert_max_num_queries):
    many_meetings(agenda.council, 110)
    fill_meeting(cast, agenda.meeting, 11)
    address = _create_address(client, cast["coordinator"])
    client.logout()
    with django_assert_max_num_queries(5):
        response = client.get(_path(address))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 111
