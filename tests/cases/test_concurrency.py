"""What two (or six) people can do at the same moment, with threads started together.

These need real row locks, so they run on PostgreSQL (mandatory in CI); on
SQLite, which serialises every writer, they are skipped.
"""

import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Consent, DomainError, Participant, Referral, ReferralEvent, Status
from tests.cases.test_views import create_data
from tests.factories import CaseWorkerFactory, give_consent, submitted_referral

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_together(*calls):
    """Start every call at the same moment in its own thread and connection; return results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the test looks at what each thread met
            results[index] = error
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_consents_withdrawn_at_the_same_moment_are_both_recorded(case_worker):
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    af, fk = referral.consents.get(party="af"), referral.consents.get(party="fk")
    today = timezone.localdate()
    results = run_together(
        lambda: Consent.objects.get(pk=af.pk).withdraw(by=case_worker, on=today),
        lambda: Consent.objects.get(pk=fk.pk).withdraw(by=case_worker, on=today),
    )
    assert results == [None, None]
    assert not Consent.objects.filter(pk__in=[af.pk, fk.pk], withdrawn_on__isnull=True).exists()
    referral.refresh_from_db()
    assert referral.events.filter(kind="consent_withdrawn").count() == 2
    # The first took its party out; the second left no party but the referring
    # one, so it ended the referral: both are recorded, neither is lost.
    assert referral.removed_parties in (["af"], ["fk"])
    assert referral.status == Status.CONSENT_ENDED


def test_six_parallel_registrations_of_one_party_give_one_consent(case_worker):
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    results = run_together(*[lambda: give_consent(referral, case_worker, "region") for _ in range(6)])
    assert sum(isinstance(r, Consent) for r in results) == 1
    assert all(isinstance(r, (Consent, DomainError)) for r in results), results
    in_force = Consent.objects.filter(referral=referral, party="region", withdrawn_on__isnull=True)
    assert in_force.count() == 1
    assert referral.events.filter(kind="consent_registered", comment__contains="Region").count() == 1


def test_four_parallel_take_overs_give_one_history_entry_each_that_succeeded(case_worker):
    referral = submitted_referral(case_worker)
    colleague = CaseWorkerFactory(organisation=case_worker.organisation)
    results = run_together(
        *[lambda: Referral.objects.get(pk=referral.pk).take_over(by=colleague) for _ in range(4)]
    )
    assert results.count(None) == 1
    assert all(isinstance(r, DomainError) for r in results if r is not None), results
    assert ReferralEvent.objects.filter(referral=referral, kind="taken_over").count() == 1
    referral.refresh_from_db()
    assert referral.handler == colleague


def test_the_same_create_form_posted_five_times_at_once_gives_one_referral_and_no_500(case_worker):
    data = create_data(form_token=str(uuid.uuid4()))

    def post():
        client = Client()
        client.force_login(case_worker)
        return client.post(reverse("cases:create"), data)

    responses = run_together(*[post for _ in range(5)])
    assert [getattr(r, "status_code", r) for r in responses] == [302] * 5
    assert Referral.objects.count() == 1
    assert Participant.objects.count() == 1
    assert len({r.url for r in responses}) == 1


def test_two_coordinators_deciding_at_once_make_one_decision(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    results = run_together(
        lambda: Referral.objects.get(pk=referral.pk).accept(by=coordinator),
        lambda: Referral.objects.get(pk=referral.pk).decline(by=coordinator, reason="Nej."),
    )
    assert results.count(None) == 1
    referral.refresh_from_db()
    assert referral.status in (Status.ACCEPTED, Status.DECLINED)
    assert referral.events.filter(kind="transition", from_status=Status.SUBMITTED).count() == 1


def test_two_erasure_runs_at_once_erase_each_case_once(case_worker, coordinator, settings):
    from cases.services import erase_due_personal_data

    settings.ERASURE_AFTER_CLOSED_DAYS = 0
    for _ in range(3):
        submitted_referral(case_worker).decline(by=coordinator, reason="Nej.")
    results = run_together(erase_due_personal_data, erase_due_personal_data)
    assert sum(r.get("declined", 0) for r in results) == 3
    assert ReferralEvent.objects.filter(kind="erased").count() == 3


def test_two_colleagues_registering_overlapping_parties_at_once_save_one_whole_registration(case_worker):
    from datetime import timedelta

    referral = Referral.objects.get(pk=submitted_referral(case_worker, parties=["kommun"]).pk)
    Referral.objects.filter(pk=referral.pk).update(requested_parties=["kommun", "region", "af", "fk"])
    colleague = CaseWorkerFactory(organisation=case_worker.organisation)
    today = timezone.localdate()

    def rows(*parties):
        return [
            {
                "party": party,
                "categories": ["work"],
                "given_on": today,
                "method": "signed",
                "documented_by": "",
                "record_reference": "Pappersakt",
                "valid_until": today + timedelta(days=30),
            }
            for party in parties
        ]

    results = run_together(
        lambda: Consent.register_many(referral=referral, by=case_worker, rows=rows("region", "af")),
        lambda: Consent.register_many(referral=referral, by=colleague, rows=rows("af", "fk")),
    )
    winners = [r for r in results if isinstance(r, list)]
    assert len(winners) == 1, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results
    # The loser saved nothing at all, not even its party the winner did not take.
    parties = sorted(
        Consent.objects.filter(referral=referral).exclude(party="kommun").values_list("party", flat=True)
    )
    assert parties == sorted(c.party for c in winners[0])
