"""The styrgrupp's overview pages: steering members only (404 for everyone else), login, methods."""

from datetime import date

import pytest
from django.urls import reverse

from deviations.models import SteeringMeeting

GET_PAGES = ["deviations:all", "deviations:export", "deviations:trends", "deviations:steering_report"]
OTHER_ROLES = ["case_worker", "coordinator", "council_member", "administrator"]


@pytest.fixture
def meeting(steering_member):
    return SteeringMeeting.objects.create(date=date(2026, 1, 15), registered_by=steering_member)


@pytest.mark.parametrize("url_name", [*GET_PAGES, "deviations:steering_meetings"])
def test_steering_member_opens_every_overview_page(client, steering_member, deviation, url_name):
    client.force_login(steering_member)
    assert client.get(reverse(url_name)).status_code == 200


def test_steering_member_removes_a_meeting_date(client, steering_member, meeting):
    client.force_login(steering_member)
    response = client.post(reverse("deviations:steering_meeting_delete", args=[meeting.pk]))
    assert response.status_code == 302
    assert not SteeringMeeting.objects.exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
@pytest.mark.parametrize("url_name", [*GET_PAGES, "deviations:steering_meetings"])
def test_other_roles_get_404(client, cast, deviation, role, url_name):
    client.force_login(cast[role])
    assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_can_neither_register_nor_remove_meetings(client, cast, meeting, role):
    client.force_login(cast[role])
    assert client.post(reverse("deviations:steering_meetings"), {"date": "2026-02-01"}).status_code == 404
    assert client.post(reverse("deviations:steering_meeting_delete", args=[meeting.pk])).status_code == 404
    assert list(SteeringMeeting.objects.values_list("date", flat=True)) == [meeting.date]


def test_a_deviation_contact_gets_404(client, fk_contact):
    client.force_login(fk_contact)
    for url_name in GET_PAGES:
        assert client.get(reverse(url_name)).status_code == 404


@pytest.mark.parametrize("url_name", [*GET_PAGES, "deviations:steering_meetings"])
def test_anonymous_is_sent_to_login(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_anonymous_cannot_remove_a_meeting(client, meeting):
    response = client.post(reverse("deviations:steering_meeting_delete", args=[meeting.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert SteeringMeeting.objects.exists()


@pytest.mark.parametrize("url_name", GET_PAGES)
def test_read_only_pages_refuse_post(client, steering_member, url_name):
    client.force_login(steering_member)
    assert client.post(reverse(url_name)).status_code == 405


def test_meeting_dates_refuse_put_and_removal_refuses_get(client, steering_member, meeting):
    client.force_login(steering_member)
    assert client.put(reverse("deviations:steering_meetings")).status_code == 405
    assert client.get(reverse("deviations:steering_meeting_delete", args=[meeting.pk])).status_code == 405
    assert SteeringMeeting.objects.exists()


def test_removing_a_meeting_that_is_gone_is_404(client, steering_member):
    client.force_login(steering_member)
    assert client.post(reverse("deviations:steering_meeting_delete", args=[999])).status_code == 404
