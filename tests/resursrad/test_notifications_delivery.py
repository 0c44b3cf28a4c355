"""Delivery: the sweep, the lease, the send task's claim, retries, digests and the clock.

The worker's side is exercised here in-process (the publish is captured and
handed to the send service); tests/faults/ runs the same against a real
Redis and a real worker.
"""

import smtplib
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resursrad.notifications import services, tasks
from resursrad.notifications.kinds import Kind, registry
from resursrad.notifications.models import Channel, Delivery, Notification, NotificationPreference
from resursrad.notifications.services import notify
from tests.factories import UserFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")

REMINDER = Kind(
    name="test.reminder",
    label="A test reminder",
    subject="Reminder about %(case_number)s",
    text="Something happened in %(case_number)s.",
    context=lambda obj: {"case_number": f"RR-2026-{obj.pk:04d}"},
    url=lambda obj: f"/cases/{obj.pk}/",
    reference=lambda obj: f"RR-2026-{obj.pk:04d}",
)


@pytest.fixture(autouse=True)
def test_kind():
    with registry.declared(REMINDER):
        yield


class Broker:
    """Stands in for Redis: records what the sweep publishes, and delivers it on demand."""

    def __init__(self):
        self.messages = []

    def deliver(self, messages=None):
        sent = 0
        for task, args in messages if messages is not None else self.messages:
            sent += task.run(*args)
        return sent


@pytest.fixture
def broker(monkeypatch, django_capture_on_commit_callbacks):
    fake = Broker()
    for task in (tasks.send_notifications, tasks.send_digest):
        monkeypatch.setattr(
            task, "apply_async", lambda args, task=task, **kw: fake.messages.append((task, args))
        )
    monkeypatch.setattr(tasks.sweep_due_notifications, "apply_async", lambda **kw: None)
    return fake


def _sweep(django_capture_on_commit_callbacks, **kwargs):
    """A sweep as the worker runs it: published once its claims are committed."""
    with django_capture_on_commit_callbacks(execute=True):
        return services.sweep(**kwargs)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    return lambda **kwargs: _sweep(django_capture_on_commit_callbacks, **kwargs)


def _people(n):
    return UserFactory.create_batch(n)


# --- N due, N e-mails, each once ---------------------------------------------------------


def test_n_due_notifications_give_exactly_n_emails(org_a, broker, sweep):
    people = _people(5)
    notify(people, REMINDER, org_a)
    assert sweep() == 5
    assert broker.deliver() == 5
    assert len(mail.outbox) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Notification.objects.sent().count() == 5
    assert sweep() == 0


def test_the_same_message_delivered_twice_sends_one_email(org_a, case_worker, broker, sweep):
    notify([case_worker], REMINDER, org_a)
    sweep()
    assert broker.deliver(broker.messages * 2) == 1
    assert len(mail.outbox) == 1
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.claim, row.lease_until) == (Delivery.SENT, 1, None, None)
    assert row.sent_at is not None


def test_a_task_with_a_claim_it_does_not_hold_sends_nothing(org_a, case_worker):
    notify([case_worker], REMINDER, org_a)
    row = Notification.objects.get()
    assert tasks.send_notifications.run(str(uuid.uuid4()), [row.pk]) == 0
    assert services.send_claimed(uuid.uuid4()) == 0
    assert mail.outbox == []


def test_claimed_rows_are_not_claimed_again_until_the_lease_runs_out(
    org_a, case_worker, broker, sweep, settings
):
    settings.NOTIFICATION_LEASE_MINUTES = 5
    notify([case_worker], REMINDER, org_a)
    assert sweep() == 1
    first = list(broker.messages)
    # The worker died with the message: nothing happens until the lease runs out.
    assert sweep(now=timezone.now() + timedelta(minutes=4)) == 0
    assert sweep(now=timezone.now() + timedelta(minutes=6)) == 1
    # The lost message turns up after all: its claim is gone, so it sends nothing.
    assert broker.deliver(first) == 0
    assert broker.deliver(broker.messages[1:]) == 1
    assert len(mail.outbox) == 1


def test_a_send_that_never_finished_is_retried_after_the_lease_and_sent_once(
    org_a, case_worker, broker, sweep
):
    notify([case_worker], REMINDER, org_a)
    sweep()
    row = Notification.objects.get()
    # The send took the row and died before sending (killed mid-send).
    own, taken = Notification.objects.take(
        uuid.UUID(broker.messages[0][1][0]), now=timezone.now(), lease=services.lease(), pks=[row.pk]
    )
    assert [r.pk for r in taken] == [row.pk]
    assert broker.deliver() == 0
    later = timezone.now() + services.lease() + timedelta(seconds=1)
    assert sweep(now=later) == 1
    assert broker.deliver(broker.messages[1:]) == 1
    assert len(mail.outbox) == 1


def test_two_sweeps_claim_disjoint_rows(org_a, broker, sweep):
    notify(_people(7), REMINDER, org_a)
    assert sweep(batch_size=3, max_batches=1) == 3
    assert sweep(batch_size=3) == 4
    pks = [pk for _, args in broker.messages for pk in args[1]]
    assert sorted(pks) == sorted(Notification.objects.values_list("pk", flat=True))
    assert broker.deliver() == 7


def test_a_sweep_takes_everything_due_not_only_the_last_minute(org_a, broker, sweep):
    people = _people(3)
    now = timezone.now()
    for days in (1, 3, 30):
        notify(people[:1], REMINDER, org_a, due_at=now - timedelta(days=days))
    notify(people[1:], REMINDER, org_a, due_at=now + timedelta(hours=1))
    assert sweep(batch_size=2) == 3
    assert broker.deliver() == 3
    assert sweep(now=now + timedelta(hours=1)) == 2


def test_the_queries_per_sweep_batch_are_constant(org_a, broker, django_capture_on_commit_callbacks):
    notify(_people(3), REMINDER, org_a)
    with CaptureQueriesContext(connection) as few:
        _sweep(django_capture_on_commit_callbacks)
    notify(_people(40), REMINDER, org_a)
    with CaptureQueriesContext(connection) as many:
        _sweep(django_capture_on_commit_callbacks)
    assert len(few) == len(many) <= 6


def test_a_broker_failure_while_publishing_releases_the_rest_for_the_next_sweep(
    org_a, monkeypatch, broker, sweep, caplog
):
    monkeypatch.setattr(services, "SEND_GROUP", 1)
    notify(_people(3), REMINDER, org_a)
    published = []

    def fail_on_second(args, **kwargs):
        if published:
            raise ConnectionError("Redis went away")
        published.append(args)

    monkeypatch.setattr(tasks.send_notifications, "apply_async", fail_on_second)
    assert sweep() == 3
    assert "publishing stopped" in caplog.text
    released = Notification.objects.filter(claim__isnull=True, status=Delivery.PENDING)
    assert released.count() == 3
    # The one message that got out before the failure finds its claim gone.
    assert tasks.send_notifications.run(*published[0]) == 0
    monkeypatch.undo()


def test_cancelled_before_the_send_task_runs_sends_nothing(org_a, case_worker, broker, sweep):
    notify([case_worker], REMINDER, org_a)
    sweep()
    services.cancel_about(org_a)
    assert broker.deliver() == 0
    assert mail.outbox == []
    assert Notification.objects.get().status == Delivery.CANCELLED


def test_a_recipient_made_inactive_before_sending_gets_no_email(org_a, case_worker, broker, sweep):
    notify([case_worker], REMINDER, org_a)
    case_worker.is_active = False
    case_worker.save()
    sweep()
    assert broker.deliver() == 0
    assert Notification.objects.get().status == Delivery.NOT_EMAILED


# --- failures ------------------------------------------------------------------------


class RefusingBackend:
    """An SMTP server's reply to each message in turn, e.g. 451 (try later) or 550 (never); None accepts."""

    replies = []
    opened = 0

    def __init__(self, *args, **kwargs):
        self.is_open = False

    def open(self):
        if not self.is_open:
            RefusingBackend.opened += 1
            self.is_open = True

    def close(self):
        self.is_open = False

    def send_messages(self, messages):
        code = RefusingBackend.replies.pop(0) if RefusingBackend.replies else None
        if code is None:
            mail.outbox.extend(messages)
            return len(messages)
        if code == "slow":
            from celery.exceptions import SoftTimeLimitExceeded

            raise SoftTimeLimitExceeded()
        raise smtplib.SMTPDataError(code, b"Mailbox busy" if code < 500 else b"Relaying denied")


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.replies = []
    RefusingBackend.opened = 0
    return RefusingBackend


def test_one_task_sends_a_group_over_one_connection_and_records_each_email(org_a, broker, sweep, smtp):
    people = _people(25)
    notify(people, REMINDER, org_a)
    sweep()
    assert [len(args[1]) for _, args in broker.messages] == [20, 5]
    assert broker.deliver() == 25
    assert smtp.opened == 2
    assert len(mail.outbox) == 25


def test_a_refused_email_in_a_group_does_not_stop_the_others(org_a, broker, sweep, smtp):
    people = _people(4)
    notify(people, REMINDER, org_a)
    sweep()
    smtp.replies = [None, 451, 550, None]
    assert broker.deliver() == 2
    statuses = list(Notification.objects.order_by("pk").values_list("status", "attempts"))
    assert statuses == [
        (Delivery.SENT, 1),
        (Delivery.PENDING, 1),
        (Delivery.FAILED, 1),
        (Delivery.SENT, 1),
    ]
    # A fresh connection after each failure.
    assert smtp.opened == 3


def test_near_the_time_limit_the_rest_of_the_group_goes_back_to_the_sweep(org_a, broker, sweep, smtp):
    notify(_people(4), REMINDER, org_a)
    sweep()
    smtp.replies = [None, "slow"]
    assert broker.deliver() == 1
    rows = list(Notification.objects.order_by("pk"))
    assert [row.status for row in rows] == [
        Delivery.SENT,
        Delivery.PENDING,
        Delivery.PENDING,
        Delivery.PENDING,
    ]
    assert rows[1].note == "SoftTimeLimitExceeded" and rows[1].attempts == 1
    assert [row.claim for row in rows[2:]] == [None, None]
    # The released rows are due at once: the next sweep takes them, the retried one waits.
    broker.messages.clear()
    assert sweep() == 2


def test_temporary_smtp_errors_are_retried_with_a_growing_wait_then_marked_failed(
    org_a, case_worker, broker, sweep, smtp, settings
):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    smtp.replies = [451, 451, 451]
    notify([case_worker], REMINDER, org_a)
    start = timezone.now()
    waits = []
    for attempt in (1, 2, 3):
        broker.messages.clear()
        assert sweep(now=start + timedelta(hours=attempt * 2)) == 1
        assert broker.deliver() == 0
        row = Notification.objects.get()
        assert row.attempts == attempt
        if attempt < 3:
            assert row.status == Delivery.PENDING
            assert row.note == "SMTP 451 Mailbox busy"
            waits.append(row.send_after - timezone.now())
    assert row.status == Delivery.FAILED
    assert timedelta(seconds=25) < waits[0] <= timedelta(minutes=1)
    assert timedelta(minutes=1) - timedelta(seconds=5) < waits[1] <= timedelta(minutes=2)
    assert Notification.objects.failed().count() == 1
    # The administrators' retry: due at once, sent on the next sweep.
    row.retry()
    broker.messages.clear()
    sweep()
    assert broker.deliver() == 1
    assert len(mail.outbox) == 1


def test_a_permanent_refusal_fails_at_once(org_a, case_worker, broker, sweep, smtp):
    smtp.replies = [550]
    notify([case_worker], REMINDER, org_a)
    sweep()
    assert broker.deliver() == 0
    row = Notification.objects.get()
    assert (row.status, row.attempts, row.note) == (Delivery.FAILED, 1, "SMTP 550 Relaying denied")


def test_a_lost_connection_is_temporary_and_a_rejected_address_permanent():
    assert services.is_temporary(smtplib.SMTPServerDisconnected("gone"))
    assert services.is_temporary(TimeoutError())
    assert services.is_temporary(smtplib.SMTPRecipientsRefused({"a@b.se": (450, b"greylisted")}))
    assert not services.is_temporary(smtplib.SMTPRecipientsRefused({"a@b.se": (550, b"no such user")}))
    assert services.describe(smtplib.SMTPRecipientsRefused({"a@b.se": (550, b"x")})) == (
        "SMTP 550 recipient refused"
    )


def test_a_row_of_a_kind_no_longer_declared_fails_without_retrying(org_a, case_worker, broker, sweep):
    notify([case_worker], REMINDER, org_a)
    Notification.objects.update(kind="test.removed")
    sweep()
    assert broker.deliver() == 0
    row = Notification.objects.get()
    assert (row.status, row.note) == (Delivery.FAILED, "UnknownKind")


def test_the_retry_wait_grows_with_jitter_and_stops_at_an_hour():
    for attempt, ceiling in [(1, 60), (2, 120), (3, 240), (7, 3600), (20, 3600)]:
        waits = {services.retry_wait(attempt).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1


# --- the e-mail ----------------------------------------------------------------------


def test_the_email_is_swedish_names_the_case_and_links_into_the_app(
    org_a, case_worker, broker, sweep, settings
):
    settings.SITE_URL = "https://resursrad.example.se"
    notify([case_worker], REMINDER, org_a)
    sweep()
    broker.deliver()
    message = mail.outbox[0]
    assert message.subject == f"Resursråd: Reminder about RR-2026-{org_a.pk:04d}"
    assert f"https://resursrad.example.se/cases/{org_a.pk}/" in message.body
    assert "Öppna i Resursråd:" in message.body
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert case_worker.first_name not in message.body


# --- the daily digest and the clock ------------------------------------------------------


@pytest.mark.parametrize(
    "after,digest_time,expected_utc",
    [
        # Winter time (UTC+1): 07:00 is 06:00 UTC.
        (datetime(2026, 3, 27, 12, 0, tzinfo=STOCKHOLM), time(7, 0), datetime(2026, 3, 28, 6, 0)),
        # The night the clocks go forward (29 March 2026): 07:00 is 05:00 UTC.
        (datetime(2026, 3, 28, 12, 0, tzinfo=STOCKHOLM), time(7, 0), datetime(2026, 3, 29, 5, 0)),
        # 02:30 does not exist that night: it comes at 03:30 summer time.
        (datetime(2026, 3, 28, 12, 0, tzinfo=STOCKHOLM), time(2, 30), datetime(2026, 3, 29, 1, 30)),
        # The night the clocks go back (25 October 2026): 07:00 is 06:00 UTC again.
        (datetime(2026, 10, 24, 12, 0, tzinfo=STOCKHOLM), time(7, 0), datetime(2026, 10, 25, 6, 0)),
        # 02:30 exists twice that night: the first time, still summer time.
        (datetime(2026, 10, 24, 12, 0, tzinfo=STOCKHOLM), time(2, 30), datetime(2026, 10, 25, 0, 30)),
        # Due exactly at the digest time: that digest; a minute later: the next day's.
        (datetime(2026, 6, 1, 7, 0, tzinfo=STOCKHOLM), time(7, 0), datetime(2026, 6, 1, 5, 0)),
        (datetime(2026, 6, 1, 7, 1, tzinfo=STOCKHOLM), time(7, 0), datetime(2026, 6, 2, 5, 0)),
    ],
)
def test_the_digest_goes_at_the_local_time_across_daylight_saving(settings, after, digest_time, expected_utc):
    settings.NOTIFICATION_DIGEST_TIME = digest_time
    assert services.next_digest_at(after) == expected_utc.replace(tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    "evening,morning_utc",
    [
        (datetime(2026, 3, 28, 22, 0, tzinfo=STOCKHOLM), datetime(2026, 3, 29, 5, 0, tzinfo=ZoneInfo("UTC"))),
        (
            datetime(2026, 10, 24, 22, 0, tzinfo=STOCKHOLM),
            datetime(2026, 10, 25, 6, 0, tzinfo=ZoneInfo("UTC")),
        ),
    ],
)
def test_one_digest_with_the_days_notifications_goes_at_seven_on_the_switch_mornings(
    org_a, org_b, case_worker, colleague, broker, sweep, settings, evening, morning_utc
):
    settings.NOTIFICATION_DIGEST_TIME = time(7, 0)
    NotificationPreference.choose(case_worker, REMINDER, Channel.DIGEST)
    with time_machine.travel(evening, tick=False) as clock:
        notify([case_worker, colleague], REMINDER, org_a)
        notify([case_worker], REMINDER, org_b)
        assert sweep() == 1  # the colleague's, at once
        broker.deliver()
        broker.messages.clear()
        clock.move_to(morning_utc - timedelta(minutes=1))
        assert sweep() == 0
        clock.move_to(morning_utc)
        assert sweep() == 2
        assert len(broker.messages) == 1  # one digest for the two rows
        assert broker.deliver() == 2
    digest = mail.outbox[-1]
    assert digest.to == [case_worker.email]
    assert digest.subject == "Resursråd: 2 nya notiser"
    assert f"RR-2026-{org_a.pk:04d}" in digest.body and f"RR-2026-{org_b.pk:04d}" in digest.body
    assert len(mail.outbox) == 2


def test_a_recipients_digest_is_claimed_whole_even_past_the_batch_size(
    org_a, org_b, case_worker, colleague, broker, sweep
):
    NotificationPreference.choose(case_worker, REMINDER, Channel.DIGEST)
    now = timezone.now()
    for minutes in (1, 2, 3):
        notify([case_worker], REMINDER, org_a, due_at=now - timedelta(minutes=minutes))
    notify([colleague], REMINDER, org_b, due_at=now - timedelta(minutes=4))
    later = services.next_digest_at(now)
    assert sweep(now=later, batch_size=2) == 4
    digests = [args for task, args in broker.messages if task is tasks.send_digest]
    assert digests == [(digests[0][0], case_worker.pk)]
    assert broker.deliver() == 4
    assert len(mail.outbox) == 2


def test_a_digest_message_delivered_twice_sends_one_digest(org_a, case_worker, broker, sweep, settings):
    NotificationPreference.choose(case_worker, REMINDER, Channel.DIGEST)
    notify([case_worker], REMINDER, org_a)
    later = services.next_digest_at(timezone.now())
    assert sweep(now=later) == 1
    assert broker.deliver(broker.messages * 2) == 1
    assert len(mail.outbox) == 1


# --- the weekly digest ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "after,expected_utc",
    [
        # A Wednesday: the coming Monday at 07:00 (summer time, 05:00 UTC).
        (datetime(2026, 6, 3, 12, 0, tzinfo=STOCKHOLM), datetime(2026, 6, 8, 5, 0)),
        # A Monday at the digest time: that digest; a minute later: the next Monday's.
        (datetime(2026, 6, 8, 7, 0, tzinfo=STOCKHOLM), datetime(2026, 6, 8, 5, 0)),
        (datetime(2026, 6, 8, 7, 1, tzinfo=STOCKHOLM), datetime(2026, 6, 15, 5, 0)),
        # Across the night the clocks go forward (29 March 2026): 07:00 summer time on Monday.
        (datetime(2026, 3, 27, 12, 0, tzinfo=STOCKHOLM), datetime(2026, 3, 30, 5, 0)),
        # Winter time: 07:00 is 06:00 UTC.
        (datetime(2026, 11, 25, 12, 0, tzinfo=STOCKHOLM), datetime(2026, 11, 30, 6, 0)),
    ],
)
def test_the_weekly_digest_goes_on_monday_at_the_digest_time(settings, after, expected_utc):
    settings.NOTIFICATION_DIGEST_TIME = time(7, 0)
    assert services.next_weekly_digest_at(after) == expected_utc.replace(tzinfo=ZoneInfo("UTC"))


def test_a_weekly_row_waits_for_monday_and_goes_with_that_days_digest_as_one_email(
    org_a, org_b, case_worker, broker, sweep, settings
):
    settings.NOTIFICATION_DIGEST_TIME = time(7, 0)
    weekly = Kind(
        name="test.weekly",
        label="A weekly test",
        subject="Week %(case_number)s",
        text="Weekly %(case_number)s.",
        context=lambda obj: {"case_number": f"RR-2026-{obj.pk:04d}"},
        url=lambda obj: f"/cases/{obj.pk}/",
        reference=lambda obj: f"RR-2026-{obj.pk:04d}",
    )
    tuesday = datetime(2026, 6, 2, 12, 0, tzinfo=STOCKHOLM)
    monday = datetime(2026, 6, 8, 7, 0, tzinfo=STOCKHOLM)
    with registry.declared(weekly), time_machine.travel(tuesday, tick=False) as clock:
        NotificationPreference.choose(case_worker, weekly, Channel.WEEKLY)
        NotificationPreference.choose(case_worker, REMINDER, Channel.DIGEST)
        notify([case_worker], weekly, org_a)
        row = Notification.objects.get(kind="test.weekly")
        assert (row.channel, row.status, row.send_after) == (Channel.WEEKLY, Delivery.PENDING, monday)
        # The daily digests of the week do not take it.
        clock.move_to(datetime(2026, 6, 3, 7, 0, tzinfo=STOCKHOLM))
        assert sweep() == 0
        clock.move_to(datetime(2026, 6, 7, 22, 0, tzinfo=STOCKHOLM))
        notify([case_worker], REMINDER, org_b)
        clock.move_to(monday)
        assert sweep() == 2
        assert [task for task, _ in broker.messages] == [tasks.send_digest]
        assert broker.deliver() == 2
    [digest] = mail.outbox
    assert digest.subject == "Resursråd: 2 nya notiser"
    assert f"RR-2026-{org_a.pk:04d}" in digest.body and f"RR-2026-{org_b.pk:04d}" in digest.body


def test_choosing_the_weekly_digest_moves_a_waiting_email_to_monday(org_a, case_worker, settings):
    settings.NOTIFICATION_DIGEST_TIME = time(7, 0)
    wednesday = datetime(2026, 6, 3, 12, 0, tzinfo=STOCKHOLM)
    with time_machine.travel(wednesday, tick=False):
        notify([case_worker], REMINDER, org_a, due_at=timezone.now() + timedelta(days=1))
        NotificationPreference.choose(case_worker, REMINDER, Channel.WEEKLY)
    row = Notification.objects.get(recipient=case_worker)
    assert (row.channel, row.status) == (Channel.WEEKLY, Delivery.PENDING)
    assert row.send_after == datetime(2026, 6, 8, 7, 0, tzinfo=STOCKHOLM)


# --- the tasks' settings -------------------------------------------------------------------


def test_delivery_tasks_acknowledge_late_with_limits_below_lease_and_visibility(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    for task in (tasks.sweep_due_notifications, tasks.send_notifications, tasks.send_digest):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.soft_time_limit < task.time_limit < visibility
    # A row is claimed again only after its lease: a send still running by then was killed.
    assert tasks.SEND_TIME_LIMIT < 60 * 1 <= settings.NOTIFICATION_LEASE_MINUTES * 60


def test_the_minute_sweep_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-due-notifications"]
    assert entry == {"task": "resursrad.notifications.tasks.sweep_due_notifications", "schedule": 60.0}
