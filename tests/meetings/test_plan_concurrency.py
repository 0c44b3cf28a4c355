"""Two coordinators planning at the same moment, with threads started together (PostgreSQL row locks)."""

from datetime import time

import pytest
from django.db import connection

from cases.models import DomainError, Referral, Status
from meetings.models import AgendaItem, ItemStatus, Meeting
from meetings.models.meetings import MeetingFull
from tests.cases.test_concurrency import run_together
from tests.factories import UserFactory, accepted_referral

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_coordinators_placing_one_case_in_two_meetings_place_it_once(
    case_worker, coordinator, council, meeting, later_meeting
):
    colleague = UserFactory(email="kim@forbund.test", is_coordinator=True)
    council.coordinators.add(colleague)
    referral = accepted_referral(case_worker, coordinator)
    results = run_together(
        lambda: Meeting.objects.get(pk=meeting.pk).place_case(
            Referral.objects.get(pk=referral.pk), by=coordinator
        ),
        lambda: Meeting.objects.get(pk=later_meeting.pk).place_case(
            Referral.objects.get(pk=referral.pk), by=colleague
        ),
    )
    assert sum(isinstance(result, AgendaItem) for result in results) == 1
    assert sum(isinstance(result, DomainError) for result in results) == 1, results
    assert AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED).count() == 1
    referral.refresh_from_db()
    assert referral.status == Status.SCHEDULED
    assert referral.events.filter(kind="transition", to_status=Status.SCHEDULED).count() == 1


def test_cases_placed_at_once_in_one_meeting_get_distinct_positions(case_worker, coordinator, meeting):
    meeting.ends_at = time(13, 0)  # room for four slots
    meeting.save(update_fields=["ends_at"])
    referrals = [accepted_referral(case_worker, coordinator) for _ in range(4)]
    results = run_together(
        *[
            (
                lambda r=r: Meeting.objects.get(pk=meeting.pk).place_case(
                    Referral.objects.get(pk=r.pk), by=coordinator
                )
            )
            for r in referrals
        ]
    )
    assert all(isinstance(result, AgendaItem) for result in results), results
    assert sorted(meeting.items.planned().values_list("position", flat=True)) == [1, 2, 3, 4]


def test_two_reorders_at_once_keep_every_slot_once(case_worker, coordinator, meeting):
    items = [
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator) for _ in range(3)
    ]
    last = items[-1]
    results = run_together(
        lambda: AgendaItem.objects.get(pk=last.pk).move_within(-1, by=coordinator, seen_position=3),
        lambda: AgendaItem.objects.get(pk=last.pk).move_within(-1, by=coordinator, seen_position=3),
    )
    # The second saw the first's result under the meeting's lock and moved nothing.
    assert results.count(None) == 1
    positions = list(meeting.items.planned().order_by("position").values_list("pk", "position"))
    assert positions == [(items[0].pk, 1), (last.pk, 2), (items[1].pk, 3)]


@pytest.mark.parametrize("attempt", range(3))
def test_two_coordinators_placing_two_cases_in_the_last_slot_place_one(
    case_worker, coordinator, council, meeting, attempt
):
    # 09:00–12:00 holds three slots (09:00, 10:00, 11:00); two are taken.
    colleague = UserFactory(email="kim@forbund.test", is_coordinator=True)
    council.coordinators.add(colleague)
    for _ in range(2):
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    first, second = accepted_referral(case_worker, coordinator), accepted_referral(case_worker, coordinator)
    results = run_together(
        lambda: Meeting.objects.get(pk=meeting.pk).place_case(
            Referral.objects.get(pk=first.pk), by=coordinator
        ),
        lambda: Meeting.objects.get(pk=meeting.pk).place_case(
            Referral.objects.get(pk=second.pk), by=colleague
        ),
    )
    assert sum(isinstance(result, AgendaItem) for result in results) == 1, results
    assert sum(isinstance(result, MeetingFull) for result in results) == 1, results
    assert meeting.items.planned().count() == 3
    statuses = set(Referral.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    # The refused case still waits for a meeting: nothing is lost.
    assert statuses == {Status.SCHEDULED, Status.ACCEPTED}


def test_two_moves_into_the_last_slot_at_once_move_one(case_worker, coordinator, meeting, later_meeting):
    for _ in range(2):
        later_meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator)
    items = [
        meeting.place_case(accepted_referral(case_worker, coordinator), by=coordinator) for _ in range(2)
    ]
    results = run_together(
        *[
            (lambda pk=item.pk: AgendaItem.objects.get(pk=pk).move_to(later_meeting, by=coordinator))
            for item in items
        ]
    )
    assert sum(isinstance(result, AgendaItem) for result in results) == 1, results
    assert sum(isinstance(result, MeetingFull) for result in results) == 1, results
    assert later_meeting.items.planned().count() == 3
    assert meeting.items.planned().count() == 1
