"""Consent withdrawn while a coordinator plans the case: no deadlock, and a consistent end state.

The meetings lock meeting, then slot, then referral. A withdrawal locks the
referral and then frees the slots. These run on PostgreSQL (real row locks).
"""

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import Consent, DomainError, Referral, Status
from meetings.models import AgendaItem, ItemStatus, Meeting, Representative
from tests.cases.test_concurrency import run_together
from tests.factories import UserFactory, accepted_referral, make_council, make_meeting

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture
def council(coordinator):  # type: ignore[no-untyped-def]
    members = [(UserFactory(is_council_member=True), party) for party in ["kommun", "region", "af", "fk"]]
    return make_council(coordinators=[coordinator], members=members)


def _place(meeting, referral, coordinator):  # type: ignore[no-untyped-def]
    return lambda: Meeting.objects.get(pk=meeting.pk).place_case(
        Referral.objects.get(pk=referral.pk), by=coordinator
    )


def _withdraw(consent, by):  # type: ignore[no-untyped-def]
    return lambda: Consent.objects.get(pk=consent.pk).withdraw(by=by, on=timezone.localdate())


@pytest.mark.parametrize("attempt", range(4))
def test_consent_that_ends_the_case_withdrawn_while_it_is_placed_leaves_it_on_no_agenda(
    case_worker, coordinator, council, attempt
):
    meeting = make_meeting(council)
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "af"])
    own = referral.consents.get(party="kommun")
    results = run_together(_place(meeting, referral, coordinator), _withdraw(own, case_worker))
    placed, withdrawn = results
    assert withdrawn is None
    assert isinstance(placed, (AgendaItem, DomainError)), placed
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    # Either never placed, or placed and then released: never left on the agenda.
    assert not AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED).exists()
    assert not Representative.objects.filter(item__referral=referral).exists()
    if isinstance(placed, AgendaItem):
        assert AgendaItem.objects.get(pk=placed.pk).status == ItemStatus.REMOVED


@pytest.mark.parametrize("attempt", range(4))
def test_a_party_whose_consent_is_withdrawn_while_the_case_is_placed_is_not_invited(
    case_worker, coordinator, council, attempt
):
    meeting = make_meeting(council)
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "af", "fk"])
    af = referral.consents.get(party="af")
    placed, withdrawn = run_together(_place(meeting, referral, coordinator), _withdraw(af, case_worker))
    assert withdrawn is None
    assert isinstance(placed, AgendaItem), placed
    item = AgendaItem.objects.get(referral=referral, status=ItemStatus.PLANNED)
    invited = set(Representative.objects.filter(item=item).values_list("member__party", flat=True))
    assert invited == {"kommun", "fk"}
    referral.refresh_from_db()
    assert (referral.status, referral.removed_parties) == (Status.SCHEDULED, ["af"])


@pytest.mark.parametrize("attempt", range(4))
def test_consent_withdrawn_while_the_coordinator_takes_the_case_off_does_not_deadlock(
    case_worker, coordinator, council, attempt
):
    meeting = make_meeting(council)
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "af"])
    item = meeting.place_case(referral, by=coordinator)
    own = referral.consents.get(party="kommun")
    taken_off, withdrawn = run_together(
        lambda: AgendaItem.objects.get(pk=item.pk).take_off(by=coordinator),
        _withdraw(own, case_worker),
    )
    assert withdrawn is None
    assert taken_off is None or isinstance(taken_off, DomainError), taken_off
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED


@pytest.mark.parametrize("attempt", range(4))
def test_consent_withdrawn_while_the_case_moves_to_another_meeting_does_not_deadlock(
    case_worker, coordinator, council, attempt
):
    meeting, later = make_meeting(council), make_meeting(council, days_ahead=21)
    referral = accepted_referral(case_worker, coordinator, parties=["kommun", "af"])
    item = meeting.place_case(referral, by=coordinator)
    own = referral.consents.get(party="kommun")
    moved, withdrawn = run_together(
        lambda: AgendaItem.objects.get(pk=item.pk).move_to(Meeting.objects.get(pk=later.pk), by=coordinator),
        _withdraw(own, case_worker),
    )
    assert withdrawn is None
    assert isinstance(moved, (AgendaItem, DomainError)), moved
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert not AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED).exists()


@pytest.mark.parametrize("attempt", range(3))
def test_closing_the_case_while_the_coordinator_takes_it_off_does_not_deadlock(
    case_worker, coordinator, council, attempt
):
    meeting = make_meeting(council)
    referral = accepted_referral(case_worker, coordinator)
    item = meeting.place_case(referral, by=coordinator)
    taken_off, closed = run_together(
        lambda: AgendaItem.objects.get(pk=item.pk).take_off(by=coordinator),
        lambda: Referral.objects.get(pk=referral.pk).close(by=case_worker, reason="Har fått arbete."),
    )
    assert closed is None
    assert taken_off is None or isinstance(taken_off, DomainError), taken_off
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert AgendaItem.objects.get(pk=item.pk).status == ItemStatus.REMOVED
