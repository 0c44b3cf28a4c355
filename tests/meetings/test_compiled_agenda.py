"""The agenda's queries from compiled shapes (meetings.compiled_agenda): the same rows as the ORM's, for every user."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import compiled_agenda
from meetings.models import Meeting, MeetingStatus, Representative
from tests.cases.test_concurrency import run_together
from tests.factories import UserFactory, accepted_referral, make_council, make_meeting

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THREE_PARTIES = ["kommun", "region", "af"]
CASE_NUMBER = re.compile(r"RR-\d{4}-\d+")


@pytest.fixture
def planned(case_worker, coordinator, meeting, later_meeting, other_coordinator):
    """Three cases on the meeting's agenda, one on the later one; the other council's meeting."""
    for _ in range(3):
        meeting.place_case(accepted_referral(case_worker, coordinator, parties=THREE_PARTIES), by=coordinator)
    later_meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    make_meeting(meeting.council, days_ahead=14, status=MeetingStatus.CANCELLED)
    # The other coordinator's council (conftest's other_coordinator).
    other = make_meeting(make_council(name="Resursrådet Norr"), days_ahead=10)
    return {"meeting": meeting, "later": later_meeting, "other": other}


def orm_meeting(user, pk):
    return Meeting.objects.visible_to(user).select_related("council").filter(pk=pk).first()


def test_each_user_loads_the_meetings_the_orm_gives_them(
    planned, coordinator, other_coordinator, council_member, case_worker, org_a
):
    both = UserFactory(
        email="bada@forbund.test", is_coordinator=True, is_council_member=True, organisation=org_a
    )
    for user in (coordinator, other_coordinator, council_member, case_worker, both):
        for meeting in planned.values():
            ours, theirs = compiled_agenda.visible_meeting(user, meeting.pk), orm_meeting(user, meeting.pk)
            assert (ours and (ours.pk, ours.council.name)) == (theirs and (theirs.pk, theirs.council.name))
        assert compiled_agenda.visible_meeting(user, 10**9) is None
    assert compiled_agenda.visible_meeting(coordinator, planned["meeting"].pk) is not None
    assert compiled_agenda.visible_meeting(council_member, planned["meeting"].pk) is not None
    assert compiled_agenda.visible_meeting(other_coordinator, planned["meeting"].pk) is None
    assert compiled_agenda.visible_meeting(case_worker, planned["meeting"].pk) is None
    coordinator.is_active = False
    assert compiled_agenda.visible_meeting(coordinator, planned["meeting"].pk) is None
    assert compiled_agenda.visible_meeting(AnonymousUser(), planned["meeting"].pk) is None


def test_planned_items_and_their_representatives_are_the_orms(planned):
    meeting = planned["meeting"]
    items = compiled_agenda.planned_items(meeting)
    expected = list(meeting.items.planned().for_agenda())
    with CaptureQueriesContext(connection) as queries:
        ours = [(i.pk, i.position, i.referral.case_number, i.meeting is meeting) for i in items]
    assert len(queries) == 0
    assert ours == [(i.pk, i.position, i.referral.case_number, True) for i in expected]
    assert len(items) == 3
    names = compiled_agenda.representative_names(items)
    assert names == Representative.names_by_item(expected)
    assert all(len(names[item.pk]) == 3 for item in items)
    assert compiled_agenda.representative_names([]) == {}


def test_other_coming_meetings_are_the_orms(planned, coordinator, other_coordinator, council_member):
    meeting = planned["meeting"]
    for user in (coordinator, other_coordinator, council_member):
        ours = compiled_agenda.other_coming_meetings(user, meeting, today=TODAY, limit=30)
        theirs = list(
            Meeting.objects.coming_choices(user, TODAY, council=meeting.council, exclude=meeting.pk)[:30]
        )
        assert [(m.pk, m.planned_count) for m in ours] == [(m.pk, m.planned_count) for m in theirs]
    # The later meeting with its one case; never the meeting itself, a cancelled one or another council's.
    assert [
        (m.pk, m.planned_count)
        for m in compiled_agenda.other_coming_meetings(coordinator, meeting, today=TODAY, limit=30)
    ] == [(planned["later"].pk, 1)]
    assert compiled_agenda.other_coming_meetings(coordinator, meeting, today=TODAY, limit=0) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
def test_two_councils_coordinators_open_agendas_at_the_same_moment(planned, coordinator, other_coordinator):
    def agenda_of(user, meeting):
        def open_agenda():
            client = Client()
            client.force_login(user)
            response = client.get(reverse("meetings:agenda", args=[meeting.pk]))
            return response.status_code, set(CASE_NUMBER.findall(response.content.decode()))

        return open_agenda

    own = [agenda_of(coordinator, planned["meeting"]), agenda_of(other_coordinator, planned["other"])] * 3
    theirs = [agenda_of(coordinator, planned["other"]), agenda_of(other_coordinator, planned["meeting"])] * 3
    results = run_together(*own, *theirs)
    case_numbers = {item.referral.case_number for item in planned["meeting"].items.all()}
    for number, (status, shown) in enumerate(results[: len(own)]):
        assert status == 200
        assert shown == (case_numbers if number % 2 == 0 else set())
    assert all(status == 404 for status, _ in results[len(own) :])
