"""Referral states, consent rules and history, through the domain methods."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import workflow
from cases.models import (
    DomainError,
    EditConflict,
    Participant,
    Referral,
    ReferralEvent,
    Status,
)
from cases.services import end_referrals_with_lapsed_consent
from cases.tasks import end_referrals_with_lapsed_consent as end_task
from tests.factories import give_consent, make_participant, make_referral, submitted_referral


def test_case_numbers_are_sequential_per_year(case_worker):
    first = make_referral(case_worker)
    second = make_referral(case_worker)
    year = timezone.localdate().year
    assert first.case_number == f"RR-{year}-0001"
    assert second.case_number == f"RR-{year}-0002"


def test_referral_takes_organisation_and_handler_from_the_user(case_worker):
    referral = make_referral(case_worker)
    assert referral.organisation == case_worker.organisation
    assert referral.handler == referral.created_by == case_worker
    assert referral.status == Status.DRAFT
    assert referral.events.get().kind == "created"


def test_submit_requires_consent_for_every_requested_party(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    give_consent(referral, case_worker, "kommun")
    with pytest.raises(DomainError, match="Arbetsförmedlingen"):
        referral.submit(by=case_worker)
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    give_consent(referral, case_worker, "af")
    referral.submit(by=case_worker)
    assert referral.status == Status.SUBMITTED
    assert referral.submitted_at is not None


def test_expired_or_future_consent_does_not_count(case_worker):
    referral = make_referral(case_worker)
    today = timezone.localdate()
    give_consent(
        referral,
        case_worker,
        "kommun",
        given_on=today - timedelta(days=30),
        valid_until=today - timedelta(days=1),
    )
    with pytest.raises(DomainError):
        referral.submit(by=case_worker)


def test_full_workflow_records_every_transition(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Vilka insatser har prövats?")
    referral.refresh_from_db()
    assert referral.latest_exchange["question"].comment == "Vilka insatser har prövats?"
    assert referral.latest_exchange["answer"] is None
    referral.resubmit(by=case_worker, answer="Arbetsträning hösten 2025.")
    referral.accept(by=coordinator)
    referral.close(by=coordinator, reason="Planen är genomförd.")
    moves = list(
        referral.events.filter(kind="transition").values_list("from_status", "to_status", "by", "comment")
    )
    assert moves == [
        ("draft", "submitted", case_worker.pk, ""),
        ("submitted", "info_requested", coordinator.pk, "Vilka insatser har prövats?"),
        ("info_requested", "submitted", case_worker.pk, "Arbetsträning hösten 2025."),
        ("submitted", "accepted", coordinator.pk, ""),
        ("accepted", "closed", coordinator.pk, "Planen är genomförd."),
    ]


def test_decline_records_the_reason(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.decline(by=coordinator, reason="Ärendet hör hemma i ordinarie samverkan.")
    assert referral.status == Status.DECLINED
    assert referral.events.last().comment == "Ärendet hör hemma i ordinarie samverkan."


@pytest.mark.parametrize("action", ["accept", "decline", "request_info"])
def test_deciding_a_draft_is_refused(case_worker, coordinator, action):
    referral = make_referral(case_worker)
    kwargs = {"accept": {}, "decline": {"reason": "x"}, "request_info": {"question": "x"}}[action]
    with pytest.raises(DomainError, match="kan inte bli"):
        getattr(referral, action)(by=coordinator, **kwargs)
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_accepting_twice_changes_nothing_the_second_time(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.accept(by=coordinator)
    events = referral.events.count()
    stale = Referral.objects.get(pk=referral.pk)
    stale.status = Status.SUBMITTED  # as a second browser tab still believes
    with pytest.raises(DomainError):
        stale.accept(by=coordinator)
    assert referral.events.count() == events
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_closed_and_declined_are_final():
    assert {Status.CLOSED, Status.DECLINED, Status.DISCARDED} == workflow.FINAL_STATES


def test_withdrawn_consent_of_the_referring_party_ends_the_referral_and_queues_erasure(
    case_worker, coordinator, settings
):
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    consent = referral.consents.get(party="kommun")
    consent.withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert referral.erasure_due_on == timezone.localdate() + timedelta(
        days=settings.ERASURE_AFTER_CONSENT_ENDED_DAYS
    )
    assert "Kommun" in referral.events.filter(kind="transition").last().comment
    with pytest.raises(DomainError):
        referral.accept(by=coordinator)


def test_withdrawn_consent_of_another_party_takes_only_that_party_out(case_worker, coordinator):
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.requested_parties == ["kommun", "fk"]
    assert referral.removed_parties == ["af"]
    assert referral.parties_with_consent(timezone.localdate()) == ["kommun", "fk"]
    removed = referral.events.get(kind="party_removed")
    assert "Arbetsförmedlingen" in removed.comment and "bjuds inte in" in removed.comment
    referral.accept(by=coordinator)  # the case goes on for the others
    assert referral.status == Status.ACCEPTED


def test_the_referral_ends_when_no_other_requested_party_remains(db):
    from tests.factories import CaseWorkerFactory, OrganisationFactory

    af_worker = CaseWorkerFactory(organisation=OrganisationFactory(name="AF Test", party="af"))
    referral = submitted_referral(af_worker, parties=["region", "af", "fk"])
    referral.consents.get(party="fk").withdraw(by=af_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED and referral.requested_parties == ["region", "af"]
    # Only the referring party would be left after the region goes: nobody to coordinate with.
    referral.consents.get(party="region").withdraw(by=af_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED


def test_withdrawing_twice_is_refused(case_worker):
    referral = make_referral(case_worker)
    consent = give_consent(referral, case_worker, "kommun")
    consent.withdraw(by=case_worker, on=timezone.localdate())
    with pytest.raises(DomainError):
        consent.withdraw(by=case_worker, on=timezone.localdate())
    assert referral.events.filter(kind="consent_withdrawn").count() == 1


def test_withdrawn_consent_on_a_draft_only_blocks_submission(case_worker):
    referral = make_referral(case_worker)
    give_consent(referral, case_worker, "kommun").withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    with pytest.raises(DomainError):
        referral.submit(by=case_worker)


def test_expired_consent_ends_referrals_once(case_worker):
    referral = submitted_referral(case_worker)
    later = timezone.localdate() + timedelta(days=400)
    assert end_referrals_with_lapsed_consent(today=later) == 1
    assert end_referrals_with_lapsed_consent(today=later) == 0
    referral.refresh_from_db()
    assert referral.status == Status.CONSENT_ENDED
    assert referral.events.filter(to_status=Status.CONSENT_ENDED).count() == 1
    assert referral.events.filter(to_status=Status.CONSENT_ENDED).get().by is None


def test_expiry_task_runs_and_is_idempotent(case_worker):
    import time_machine

    today = timezone.localdate()
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    referral.consents.filter(party="af").update(valid_until=today + timedelta(days=10))
    referral.consents.filter(party="kommun").update(valid_until=today + timedelta(days=20))
    assert end_task.apply().get() == 0  # nothing has expired today
    with time_machine.travel(timezone.now() + timedelta(days=11)):
        assert end_task.apply().get() == 1  # AF is taken out
        assert end_task.apply().get() == 0  # and only once
        referral.refresh_from_db()
        assert referral.status == Status.SUBMITTED and referral.removed_parties == ["af"]
    with time_machine.travel(timezone.now() + timedelta(days=21)):
        assert end_task.apply().get() == 1  # the referring party's consent ends the case
        assert end_task.apply().get() == 0
        referral.refresh_from_db()
        assert referral.status == Status.CONSENT_ENDED
    assert referral.events.filter(to_status=Status.CONSENT_ENDED).count() == 1
    assert referral.events.filter(kind="party_removed").count() == 1


def test_take_over_by_a_colleague_is_in_the_history(case_worker, colleague, other_case_worker):
    referral = make_referral(case_worker)
    with pytest.raises(DomainError):
        referral.take_over(by=other_case_worker)
    referral.take_over(by=colleague)
    referral.refresh_from_db()
    assert referral.handler == colleague
    event = referral.events.get(kind="taken_over")
    assert event.by == colleague
    assert case_worker.get_full_name() in event.comment
    with pytest.raises(DomainError):
        referral.take_over(by=colleague)


def test_edit_with_a_stale_version_is_a_conflict(case_worker, colleague):
    referral = make_referral(case_worker)
    referral.save_edit(
        by=case_worker, expected_version=1, participant_fields={}, referral_fields={"tried_so_far": "A"}
    )
    assert referral.version == 2
    with pytest.raises(EditConflict) as conflict:
        referral.save_edit(
            by=colleague, expected_version=1, participant_fields={}, referral_fields={"tried_so_far": "B"}
        )
    assert conflict.value.current_version == 2
    referral.refresh_from_db()
    assert referral.tried_so_far == "A"


def test_edit_after_submission_is_refused(case_worker):
    referral = submitted_referral(case_worker)
    with pytest.raises(DomainError):
        referral.save_edit(
            by=case_worker,
            expected_version=referral.version,
            participant_fields={},
            referral_fields={"tried_so_far": "x"},
        )


def test_protected_identity_cannot_store_a_name(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(protected_identity=True, pseudonym="Person A", first_name="Anna")


def test_protected_identity_needs_a_pseudonym(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(protected_identity=True)


def test_personal_number_must_be_12_digits_in_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(first_name="A", last_name="B", personal_number="850312-2387")


def test_consent_cannot_end_before_it_was_given(case_worker):
    referral = make_referral(case_worker)
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        give_consent(referral, case_worker, "kommun", given_on=today, valid_until=today - timedelta(days=1))


class TestVisibility:
    def test_case_worker_sees_own_organisation_only(self, case_worker, colleague, other_case_worker):
        mine = make_referral(case_worker)
        theirs = make_referral(other_case_worker)
        assert list(Referral.objects.visible_to(colleague)) == [mine]
        assert list(Referral.objects.visible_to(other_case_worker)) == [theirs]

    def test_coordinator_sees_from_submitted_on(self, case_worker, coordinator):
        draft = make_referral(case_worker)
        submitted = submitted_referral(case_worker)
        visible = set(Referral.objects.visible_to(coordinator))
        assert submitted in visible
        assert draft not in visible

    def test_steering_group_and_council_see_no_referrals(self, case_worker, steering_member, council_member):
        submitted_referral(case_worker)
        assert not Referral.objects.visible_to(steering_member).exists()
        assert not Referral.objects.visible_to(council_member).exists()

    def test_consent_ended_is_seen_by_referring_org_and_coordinator_only(
        self, case_worker, coordinator, other_case_worker, council_member
    ):
        referral = submitted_referral(case_worker)
        referral.consents.get().withdraw(by=case_worker, on=timezone.localdate())
        for user, sees in [
            (case_worker, True),
            (coordinator, True),
            (other_case_worker, False),
            (council_member, False),
        ]:
            assert Referral.objects.visible_to(user).filter(pk=referral.pk).exists() is sees


def test_search_by_number_name_and_case_number(case_worker):
    anna = make_referral(case_worker)
    bo = make_referral(
        case_worker, participant=make_participant(first_name="Bo", last_name="Ek", personal_number="")
    )
    visible = Referral.objects.visible_to(case_worker)
    assert list(visible.search("850312-2387")) == [anna]
    assert list(visible.search("ek")) == [bo]
    assert list(visible.search(bo.case_number)) == [bo]


def test_history_is_ordered(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    times = list(ReferralEvent.objects.filter(referral=referral).values_list("at", flat=True))
    assert times == sorted(times)
