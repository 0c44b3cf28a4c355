"""Who reaches the calendar and agenda pages: everyone else gets a 404, anonymous the login."""

import pytest
from django.urls import reverse

from tests.meetings.cal_setup import make_agenda

EVERYONE = [
    "case_worker",
    "other_case_worker",
    "coordinator",
    "council_member",
    "other_member",
    "steering_member",
    "administrator",
]
CALENDAR_USERS = {"case_worker", "other_case_worker", "coordinator", "council_member", "other_member"}

# url name -> (arguments, roles answered 200)
MATRIX = {
    "meetings:calendar": (lambda a: [], CALENDAR_USERS),
    "meetings:calendar_month": (lambda a: [], CALENDAR_USERS),
    "meetings:feed_settings": (lambda a: [], CALENDAR_USERS),
    "meetings:meeting_ics": (lambda a: [a.meeting.pk], {"case_worker", "coordinator", "council_member"}),
    "meetings:agendas": (lambda a: [], {"council_member", "other_member"}),
    "meetings:agenda_view": (lambda a: [a.meeting.pk], {"coordinator", "council_member"}),
    "meetings:slot_view": (lambda a: [a.item.pk], {"coordinator", "council_member"}),
}


@pytest.fixture
def agenda(cast):
    return make_agenda(cast)


@pytest.fixture
def people(cast, agenda):
    return {**cast, "other_member": agenda.other_member}


@pytest.mark.parametrize("name", MATRIX)
@pytest.mark.parametrize("role", EVERYONE)
def test_each_page_answers_its_roles_and_404_to_everyone_else(client, people, agenda, name, role):
    args, allowed = MATRIX[name]
    client.force_login(people[role])
    response = client.get(reverse(name, args=args(agenda)))
    assert response.status_code == (200 if role in allowed else 404), (name, role)


@pytest.mark.parametrize("name", MATRIX)
def test_anonymous_is_sent_to_login(client, agenda, name):
    url = reverse(name, args=MATRIX[name][0](agenda))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", [name for name in MATRIX if name != "meetings:feed_settings"])
def test_read_only_pages_refuse_post(client, cast, agenda, name):
    client.force_login(cast["coordinator"])
    assert client.post(reverse(name, args=MATRIX[name][0](agenda))).status_code == 405


def test_feed_settings_refuse_other_methods(client, cast):
    client.force_login(cast["case_worker"])
    assert client.put(reverse("meetings:feed_settings")).status_code == 405
    assert client.delete(reverse("meetings:feed_settings")).status_code == 405


def test_feed_refuses_post(client, db):
    assert client.post(reverse("meetings:feed", args=["x" * 43])).status_code == 405


@pytest.mark.parametrize("name", ["meetings:meeting_ics", "meetings:agenda_view", "meetings:slot_view"])
def test_an_id_past_the_largest_is_simply_not_found(client, cast, name):
    client.force_login(cast["coordinator"])
    assert client.get(f"{reverse(name, args=[1])}".replace("/1/", f"/{2**63}/")).status_code == 404


def test_agenda_not_yet_sent_is_not_shown_to_members(client, cast):
    agenda = make_agenda(cast, sent=False)
    client.force_login(cast["council_member"])
    assert client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk])).status_code == 404
    assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 404


def test_meeting_of_a_council_not_coordinated_is_404_for_another_coordinator(client, agenda):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_coordinator=True))
    for name, args in [
        ("meetings:meeting_ics", [agenda.meeting.pk]),
        ("meetings:agenda_view", [agenda.meeting.pk]),
        ("meetings:slot_view", [agenda.item.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
