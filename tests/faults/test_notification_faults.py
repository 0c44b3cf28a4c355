"""Notifications against a real Redis and a real worker: nothing lost, nothing sent twice.

Each test drives the rig in conftest.py: its own redis-server (stopped,
paused, restarted), a prefork Celery worker process (killed with SIGKILL and
restarted) and an SMTP server that counts what arrives over the wire.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from resursrad.notifications import services
from resursrad.notifications.models import Delivery, Notification
from resursrad.notifications.services import notify
from resursrad.notifications.tasks import send_notifications, sweep_due_notifications
from tests.factories import UserFactory, submitted_referral

pytestmark = pytest.mark.django_db(transaction=True)

REMINDER = "cases.submitted"


def _sent_once_each(faults, people):
    assert faults.smtp.wait_for(len(people)) == len(people), faults.worker.output()[-4000:]
    assert faults.drained()
    time.sleep(0.3)  # anything sent twice would arrive now
    assert faults.smtp.recipients() == sorted(person.email for person in people)


def test_n_due_notifications_give_exactly_n_emails(faults, org_a):
    people = UserFactory.create_batch(12)
    notify(people, REMINDER, _referral_like(org_a))
    _sent_once_each(faults, people)
    assert Notification.objects.sent().count() == 12


def test_the_same_task_delivered_twice_gives_one_email(faults, org_a):
    person = UserFactory()
    notify([person], REMINDER, _referral_like(org_a), due_at=timezone.now() + timedelta(hours=1))
    token, rows = Notification.objects.claim_batch(
        now=timezone.now() + timedelta(hours=1), lease=services.lease(), limit=10
    )
    for _ in range(2):
        send_notifications.apply_async((str(token), [rows[0][0]]))
    _sent_once_each(faults, [person])
    row = Notification.objects.get()
    assert (row.status, row.attempts) == (Delivery.SENT, 1)


def test_two_sweeps_at_once_give_no_duplicates(faults, org_a):
    people = UserFactory.create_batch(40)
    # Due in a moment, so that notify asks no sweep of the worker: the two below race alone.
    due = timezone.now() + timedelta(seconds=1)
    notify(people, REMINDER, _referral_like(org_a), due_at=due)
    time.sleep(max(0.0, (due - timezone.now()).total_seconds()))
    start = threading.Barrier(2)
    claimed = []

    def sweep():
        try:
            start.wait()
            claimed.append(services.sweep(batch_size=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(claimed) == 40 and 0 not in claimed, claimed
    _sent_once_each(faults, people)


def test_a_worker_killed_mid_send_sends_exactly_once_after_the_lease(faults, org_a):
    person = UserFactory()
    faults.smtp.hang.set()
    notify([person], REMINDER, _referral_like(org_a))
    assert faults.smtp.hanging.wait(20), faults.worker.output()[-2000:]
    faults.worker.kill()
    faults.smtp.hang.clear()
    row = Notification.objects.get()
    assert row.status == Delivery.PENDING and row.claim is not None
    # The dead worker's message waits in Redis for the broker's visibility timeout (an hour).
    assert faults.redis.unacked() == 1
    faults.worker.start()
    # Within the lease nothing takes the row again, however often beat sweeps.
    assert services.sweep() == 0
    # Once the lease (minutes) has run out, the next sweep claims it again.
    assert services.sweep(now=row.lease_until + timedelta(seconds=1)) == 1
    assert faults.smtp.wait_for(1) == 1
    assert _wait(lambda: Notification.objects.get().status == Delivery.SENT)
    # An hour later Redis hands the dead worker's message out again: it sends nothing.
    assert faults.redis.redeliver_unacked() == 1
    _sent_once_each(faults, [person])
    assert Notification.objects.get().attempts == 1


def test_redis_stopped_during_a_form_post_saves_and_sends_once_redis_is_back(
    faults, client, case_worker, coordinator
):
    referral = submitted_referral(case_worker)
    assert faults.smtp.wait_for(1) == 1  # the coordinator's "new referral"
    faults.smtp.reset()
    faults.redis.stop()
    client.force_login(coordinator)
    started = time.monotonic()
    response = client.post(
        reverse("cases:decide", args=[referral.pk]),
        {"decision-decision": "request_info", "decision-text": "Vilka insatser har prövats?"},
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 5, f"the POST took {elapsed:.1f} s with Redis stopped"
    referral.refresh_from_db()
    assert referral.status == "info_requested"
    assert Notification.objects.get(kind="cases.info_requested").status == Delivery.PENDING
    faults.redis.start()
    # Beat's next minute: the sweep takes what fell due while Redis was down.
    sweep_due_notifications.apply_async()
    _sent_once_each(faults, [case_worker])


def test_redis_paused_the_post_answers_within_five_seconds(faults, client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    assert faults.smtp.wait_for(1) == 1
    faults.smtp.reset()
    client.force_login(coordinator)
    client.get(reverse("cases:detail", args=[referral.pk]))
    faults.redis.pause()
    try:
        started = time.monotonic()
        response = client.post(
            reverse("cases:decide", args=[referral.pk]),
            {"decision-decision": "request_info", "decision-text": "Vilka insatser har prövats?"},
        )
        elapsed = time.monotonic() - started
    finally:
        faults.redis.resume()
    assert response.status_code == 302
    assert elapsed < 5, f"the POST took {elapsed:.1f} s with Redis paused"
    sweep_due_notifications.apply_async()
    _sent_once_each(faults, [case_worker])


def test_temporary_smtp_errors_are_retried_then_marked_failed(faults, org_a):
    person = UserFactory()
    faults.smtp.refusals.extend([451, 451, 451])
    notify([person], REMINDER, _referral_like(org_a))
    for attempt in (1, 2, 3):
        assert _wait(lambda attempt=attempt: Notification.objects.get().attempts == attempt)
        if attempt < 3:
            row = Notification.objects.get()
            assert row.status == Delivery.PENDING and row.note.startswith("SMTP 451")
            # The retry waits in the database, not on the broker: the next sweep after it.
            assert faults.drained()
            assert services.sweep(now=row.send_after) == 1
    assert _wait(lambda: Notification.objects.get().status == Delivery.FAILED)
    assert faults.smtp.messages == []
    # An administrator presses retry: it goes out.
    Notification.objects.get().retry()
    _sent_once_each(faults, [person])


def test_a_rollback_after_notify_sends_nothing(faults, org_a):
    person = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([person], REMINDER, _referral_like(org_a))
        raise RuntimeError("the caller's change failed")
    sweep_due_notifications.apply_async()
    assert faults.drained()
    time.sleep(0.3)
    assert faults.smtp.messages == []
    assert not Notification.objects.exists()


# --- helpers -------------------------------------------------------------------------


def _referral_like(organisation):
    """A referral to notify about, made through the real domain methods."""
    from tests.factories import CaseWorkerFactory, make_referral

    return make_referral(CaseWorkerFactory(organisation=organisation))


def _wait(condition, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
