"""The council member's side: "Mina dagordningar", the sent agenda, and a slot's case material."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from resursrad.models import AccessAction, AccessLog
from tests.factories import make_meeting
from tests.meetings.cal_setup import NAME, NUMBER, fill_meeting, make_agenda, many_meetings


@pytest.fixture
def agenda(cast):
    return make_agenda(cast)


def test_council_member_starts_on_my_agendas(client, cast, agenda):
    client.force_login(cast["council_member"])
    response = client.get(reverse("home"))
    assert response.url == reverse("meetings:agendas")
    content = client.get(response.url).content.decode()
    assert "Mina dagordningar" in content
    assert agenda.council.name in content
    assert "Dagordningen skickades" in content
    assert reverse("meetings:agenda_view", args=[agenda.meeting.pk]) in content


def test_my_agendas_says_when_an_agenda_is_not_sent_and_lists_recent_meetings(client, cast, agenda):
    coming = make_meeting(agenda.council, days_ahead=14)
    held = make_meeting(agenda.council, days_ahead=-7, place="Förra mötets rum", status=MeetingStatus.HELD)
    client.force_login(cast["council_member"])
    content = client.get(reverse("meetings:agendas")).content.decode()
    assert "Dagordningen är inte utskickad än" in content
    assert reverse("meetings:agenda_view", args=[coming.pk]) not in content
    assert "Förra mötets rum" in content
    assert reverse("meetings:agenda_view", args=[held.pk]) in content


def test_my_agendas_shows_only_the_members_councils(client, agenda):
    client.force_login(agenda.other_member)
    content = client.get(reverse("meetings:agendas")).content.decode()
    assert agenda.meeting.place not in content
    assert "Inga kommande möten" in content


def test_agenda_lists_times_case_numbers_parties_and_participation_never_names(client, cast, agenda):
    client.force_login(cast["council_member"])
    response = client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk]))
    content = response.content.decode()
    assert "09:00–09:45" in content
    assert agenda.referral.case_number in content
    assert "Region" in content and "Kommun" in content
    assert "På plats" in content or "Plats" in content
    assert NAME[0] not in content and NAME[1] not in content and NUMBER not in content
    assert reverse("meetings:slot_view", args=[agenda.item.pk]) in content
    # The agenda shows no individual's record: nothing is logged.
    assert not AccessLog.objects.filter(user=cast["council_member"]).exists()


def test_slot_view_shows_the_case_material_and_logs_the_read(client, cast, agenda):
    client.force_login(cast["council_member"])
    response = client.get(reverse("meetings:slot_view", args=[agenda.item.pk]))
    content = response.content.decode()
    assert f"{NAME[0]} {NAME[1]}" in content
    assert "Hur kommer hon vidare mot arbete?" in content
    assert "Sjukskriven sedan tre år." in content
    assert NUMBER not in content
    entry = AccessLog.objects.get(user=cast["council_member"])
    assert (entry.referral_id, entry.action) == (agenda.referral.pk, AccessAction.VIEW)


def test_consent_ended_for_the_members_party_hides_the_slot(client, cast, agenda):
    region = agenda.referral.consents.get(party="region")
    region.withdraw(by=cast["case_worker"], on=timezone.localdate())
    client.force_login(cast["council_member"])
    assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 404
    content = client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk])).content.decode()
    assert agenda.referral.case_number not in content
    assert "inga ärenden på dagordningen som du får se" in content
    # The refusal is in the access log.
    assert AccessLog.objects.filter(
        user=cast["council_member"], referral_id=agenda.referral.pk, action=AccessAction.REFUSED
    ).exists()


def test_consent_expired_for_the_members_party_hides_the_slot(client, cast, agenda):
    region = agenda.referral.consents.get(party="region")
    today = timezone.localdate()
    type(region).objects.filter(pk=region.pk).update(
        given_on=today - timedelta(days=30), valid_until=today - timedelta(days=1)
    )
    client.force_login(cast["council_member"])
    assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 404


def test_other_councils_member_gets_404_and_a_logged_refusal(client, agenda):
    client.force_login(agenda.other_member)
    assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 404
    entry = AccessLog.objects.get(user=agenda.other_member)
    assert entry.action == AccessAction.REFUSED


def test_coordinator_reads_every_slot_of_the_sent_agenda(client, cast, agenda):
    client.force_login(cast["coordinator"])
    assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 200


def test_cancelled_or_planned_meeting_has_no_agenda_to_read(client, cast, agenda):
    Meeting.objects.filter(pk=agenda.meeting.pk).update(status=MeetingStatus.CANCELLED)
    client.force_login(cast["council_member"])
    assert client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk])).status_code == 404


def test_times_count_the_slots_the_member_does_not_see(client, cast, agenda):
    from tests.factories import make_participant, scheduled_referral

    # A case without the region: the member does not see it, but it takes the first slot.
    Meeting.objects.filter(pk=agenda.meeting.pk).update(status=MeetingStatus.PLANNED)
    agenda.item.take_off(by=cast["coordinator"])
    scheduled_referral(
        cast["case_worker"],
        cast["coordinator"],
        meeting=agenda.meeting,
        parties=["kommun"],
        participant=make_participant(personal_number=""),
    )
    agenda.referral.refresh_from_db()
    agenda.meeting.place_case(agenda.referral, by=cast["coordinator"])
    Meeting.objects.filter(pk=agenda.meeting.pk).update(status=MeetingStatus.AGENDA_SENT)
    client.force_login(cast["council_member"])
    content = client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk])).content.decode()
    assert "10:00–10:45" in content
    assert "09:00–09:45" not in content


def test_pages_use_a_constant_number_of_queries(client, cast, agenda, django_assert_max_num_queries):
    many_meetings(agenda.council, 110)
    fill_meeting(cast, agenda.meeting, 11)
    client.force_login(cast["council_member"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("meetings:agendas"))
    assert len(response.context["coming"]) == 25
    with django_assert_max_num_queries(10):
        response = client.get(reverse("meetings:agenda_view", args=[agenda.meeting.pk]))
    assert len(response.context["rows"]) == 12
    with django_assert_max_num_queries(12):
        assert client.get(reverse("meetings:slot_view", args=[agenda.item.pk])).status_code == 200
