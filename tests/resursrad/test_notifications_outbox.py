"""The outbox: notify(), the declared kinds, preferences and the in-app reads."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from resursrad.notifications import services
from resursrad.notifications.kinds import Kind, UnknownKind, registry
from resursrad.notifications.models import (
    NOTE_IN_APP_CHOSEN,
    NOTE_NO_ADDRESS,
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
)
from resursrad.notifications.services import notify
from resursrad.notifications.tasks import sweep_due_notifications
from tests.factories import UserFactory


def _kind(name="test.reminder", **fields):
    values = {
        "label": "A test reminder",
        "subject": "Reminder about %(case_number)s",
        "text": "Something happened in %(case_number)s.",
        "context": lambda obj: {"case_number": obj.name},
        "url": lambda obj: f"/organisations/{obj.pk}/",
        "reference": lambda obj: obj.name,
    }
    values.update(fields)
    return Kind(name=name, **values)


REMINDER = _kind()
URGENT = _kind("test.urgent", urgent=True)
TO_COORDINATORS = _kind(
    "test.to_coordinators",
    recipients=lambda obj: list(
        type(obj)._meta.apps.get_model("resursrad", "User").objects.filter(is_coordinator=True)
    ),
)


@pytest.fixture(autouse=True)
def test_kinds():
    with registry.declared(REMINDER, URGENT, TO_COORDINATORS):
        yield


@pytest.fixture
def kicks(monkeypatch):
    """The sweeps asked of the broker (nothing reaches a broker)."""
    published = []
    monkeypatch.setattr(sweep_due_notifications, "apply_async", lambda **kw: published.append(kw))
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    return published


def test_notify_records_one_row_per_recipient_with_the_kinds_texts(org_a, case_worker, colleague):
    notify([case_worker, colleague], REMINDER, org_a)
    rows = Notification.objects.order_by("recipient_id")
    assert [row.recipient for row in rows] == sorted([case_worker, colleague], key=lambda u: u.pk)
    row = rows[0]
    assert (row.kind, row.reference, row.url) == ("test.reminder", org_a.name, f"/organisations/{org_a.pk}/")
    assert row.context == {"case_number": org_a.name}
    assert (row.status, row.channel) == (Delivery.PENDING, Channel.EMAIL)
    assert row.send_after == row.due_at
    assert row.subject == f"Reminder about {org_a.name}"


def test_the_same_recipient_kind_object_and_due_time_is_recorded_once(org_a, case_worker):
    due = timezone.now() + timedelta(hours=1)
    notify([case_worker], REMINDER, org_a, due_at=due)
    notify([case_worker, case_worker], REMINDER, org_a, due_at=due)
    assert Notification.objects.count() == 1
    notify([case_worker], REMINDER, org_a, due_at=due + timedelta(days=1))
    assert Notification.objects.count() == 2


def test_the_database_refuses_a_second_row_for_the_same_due_time(org_a, case_worker):
    notify([case_worker], REMINDER, org_a)
    row = Notification.objects.get()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_declared_recipients_are_used_when_none_are_named(org_a, coordinator, case_worker):
    notify(None, TO_COORDINATORS, org_a)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [coordinator.pk]


def test_the_actor_and_inactive_users_are_not_notified(org_a, case_worker, colleague, coordinator):
    colleague.is_active = False
    colleague.save()
    notify([case_worker, colleague, coordinator], REMINDER, org_a, actor=coordinator)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [case_worker.pk]


def test_an_unknown_kind_is_refused(org_a, case_worker):
    with pytest.raises(UnknownKind, match="test.nobody"):
        notify([case_worker], "test.nobody", org_a)
    with pytest.raises(UnknownKind):
        notify([case_worker], _kind("test.undeclared"), org_a)
    assert not Notification.objects.exists()


def test_a_kind_may_use_only_placeholders_that_name_no_individual():
    with (
        pytest.raises(ValueError, match="first_name"),
        registry.declared(_kind("test.named", text="Hello %(first_name)s")),
    ):
        pass
    assert "test.named" not in registry


def test_notify_refuses_a_context_with_other_placeholders(org_a, case_worker):
    with pytest.raises(ValueError, match="personal_number"):
        notify([case_worker], REMINDER, org_a, context={"personal_number": "x"})


def test_a_kind_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"), registry.declared(_kind()):
        pass


# --- channels ---------------------------------------------------------------------


def test_each_user_gets_the_kind_by_the_channel_they_chose(org_a, case_worker, colleague, coordinator):
    NotificationPreference.choose(colleague, REMINDER, Channel.DIGEST)
    NotificationPreference.choose(coordinator, REMINDER, Channel.IN_APP)
    notify([case_worker, colleague, coordinator], REMINDER, org_a)
    rows = {row.recipient_id: row for row in Notification.objects.all()}
    assert rows[case_worker.pk].channel == Channel.EMAIL
    assert rows[colleague.pk].status == Delivery.PENDING
    assert rows[colleague.pk].send_after == services.next_digest_at(rows[colleague.pk].due_at)
    assert rows[coordinator.pk].status == Delivery.NOT_EMAILED
    assert rows[coordinator.pk].note == NOTE_IN_APP_CHOSEN
    assert rows[coordinator.pk].send_after is None


def test_urgent_kinds_always_go_by_email_at_once(org_a, case_worker):
    NotificationPreference.objects.create(user=case_worker, kind=URGENT.name, channel=Channel.IN_APP)
    notify([case_worker], URGENT, org_a)
    row = Notification.objects.get()
    assert (row.channel, row.status, row.send_after) == (Channel.EMAIL, Delivery.PENDING, row.due_at)


def test_an_urgent_kind_cannot_be_chosen_away_from_email(case_worker):
    with pytest.raises(ValueError, match="urgent"):
        NotificationPreference.choose(case_worker, URGENT, Channel.DIGEST)
    with pytest.raises(ValueError, match="channel"):
        NotificationPreference.choose(case_worker, REMINDER, "pigeon")
    assert not NotificationPreference.objects.exists()


def test_a_recipient_without_an_address_gets_it_in_the_app_only_and_the_row_says_so(org_a):
    nobody = UserFactory(email="")
    notify([nobody], URGENT, org_a)
    row = Notification.objects.get()
    assert (row.status, row.note, row.has_no_address) == (Delivery.NOT_EMAILED, NOTE_NO_ADDRESS, True)
    assert Notification.objects.for_user(nobody).get() == row


def test_a_new_preference_moves_what_is_still_waiting(org_a, case_worker):
    later = timezone.now() + timedelta(days=2)
    notify([case_worker], REMINDER, org_a)
    notify([case_worker], REMINDER, org_a, due_at=later)
    NotificationPreference.choose(case_worker, REMINDER, Channel.IN_APP)
    assert set(Notification.objects.values_list("status", flat=True)) == {Delivery.NOT_EMAILED}
    NotificationPreference.choose(case_worker, REMINDER, Channel.EMAIL)
    # The one already shown in the app is not e-mailed afterwards; the one to come is.
    future = Notification.objects.get(due_at=later)
    assert (future.status, future.send_after) == (Delivery.PENDING, later)
    assert Notification.objects.exclude(pk=future.pk).get().status == Delivery.NOT_EMAILED
    assert NotificationPreference.objects.for_user(case_worker)[0][1] in Channel.values


def test_preferences_for_a_user_list_every_kind_urgent_ones_by_email(case_worker):
    NotificationPreference.choose(case_worker, REMINDER, Channel.DIGEST)
    chosen = {kind.name: channel for kind, channel in NotificationPreference.objects.for_user(case_worker)}
    assert chosen["test.reminder"] == Channel.DIGEST
    assert chosen["test.urgent"] == Channel.EMAIL
    assert "cases.info_requested" in chosen


# --- after commit only -------------------------------------------------------------


def test_the_worker_is_asked_only_after_commit(org_a, case_worker, kicks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        notify([case_worker], REMINDER, org_a)
        assert kicks == []
    assert len(callbacks) == 1
    assert kicks == [{"retry": False}]


def test_a_rollback_after_notify_leaves_nothing_and_asks_nothing(
    org_a, case_worker, kicks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify([case_worker], REMINDER, org_a)
        raise RuntimeError("the caller's change failed")
    assert callbacks == []
    assert kicks == []
    assert not Notification.objects.exists()


def test_nothing_is_published_for_in_app_only_or_later(
    org_a, case_worker, kicks, django_capture_on_commit_callbacks
):
    NotificationPreference.choose(case_worker, REMINDER, Channel.IN_APP)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notify([case_worker], REMINDER, org_a)
        notify([case_worker], URGENT, org_a, due_at=timezone.now() + timedelta(days=1))
    assert callbacks == []


def test_a_broker_that_cannot_be_reached_is_logged_not_raised_and_not_asked_again_at_once(
    monkeypatch, caplog
):
    attempts = []

    def refuse(**kwargs):
        attempts.append(kwargs)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(sweep_due_notifications, "apply_async", refuse)
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    services.kick()
    services.kick()
    assert "could not reach the broker" in caplog.text
    assert len(attempts) == 1
    # After the pause it tries again.
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    services.kick()
    assert len(attempts) == 2


# --- the notification centre --------------------------------------------------------


def test_the_centre_shows_the_users_due_rows_newest_first_and_counts_unread(
    org_a, org_b, case_worker, colleague
):
    now = timezone.now()
    notify([case_worker], REMINDER, org_a, due_at=now - timedelta(hours=2))
    notify([case_worker], REMINDER, org_b, due_at=now - timedelta(hours=1))
    notify([case_worker], REMINDER, org_a, due_at=now + timedelta(hours=1))
    notify([colleague], REMINDER, org_a, due_at=now - timedelta(hours=1))
    mine = Notification.objects.for_user(case_worker, now)
    assert [row.reference for row in mine] == [org_b.name, org_a.name]
    assert mine.unread().count() == 2


def test_mark_read_once_and_mark_all_read(org_a, org_b, case_worker, colleague):
    notify([case_worker], REMINDER, org_a)
    notify([case_worker], REMINDER, org_b)
    notify([colleague], REMINDER, org_a)
    first = Notification.objects.for_user(case_worker).last()
    assert first.mark_read() is True
    read_at = first.read_at
    assert first.mark_read() is False
    first.refresh_from_db()
    assert first.read_at == read_at and first.is_read
    assert Notification.objects.mark_all_read(case_worker) == 1
    assert not Notification.objects.for_user(case_worker).unread().exists()
    assert Notification.objects.for_user(colleague).unread().count() == 1


def test_cancelling_an_object_withdraws_what_has_not_gone_out(org_a, org_b, case_worker):
    now = timezone.now()
    notify([case_worker], REMINDER, org_a, due_at=now)
    notify([case_worker], REMINDER, org_a, due_at=now + timedelta(days=1))
    notify([case_worker], REMINDER, org_b, due_at=now)
    sent = Notification.objects.get(object_id=org_a.pk, due_at__lte=now)
    Notification.objects.filter(pk=sent.pk).update(status=Delivery.SENT, sent_at=now)
    assert services.cancel_about(org_a) == 1
    statuses = dict(Notification.objects.filter(object_id=org_a.pk).values_list("pk", "status"))
    assert statuses[sent.pk] == Delivery.SENT
    assert Delivery.CANCELLED in statuses.values()
    assert Notification.objects.get(object_id=org_b.pk).status == Delivery.PENDING
    assert (
        not Notification.objects.for_user(case_worker, now + timedelta(days=2))
        .filter(status=Delivery.CANCELLED)
        .exists()
    )


# --- the administrators' overview ----------------------------------------------------


def test_failed_rows_are_retried_from_the_start(
    org_a, case_worker, kicks, django_capture_on_commit_callbacks
):
    # Due later: notify itself asks for no sweep, so the one below is the retry's.
    notify([case_worker], REMINDER, org_a, due_at=timezone.now() + timedelta(minutes=1))
    Notification.objects.update(status=Delivery.FAILED, attempts=8, note="SMTP 550 refused")
    row = Notification.objects.failed().get()
    with django_capture_on_commit_callbacks(execute=True):
        assert row.retry() is True
    assert (row.status, row.attempts, row.note) == (Delivery.PENDING, 0, "")
    assert kicks == [{"retry": False}]
    assert row.retry() is False


def test_counts_by_kind_and_filters(org_a, org_b, case_worker, colleague):
    notify([case_worker, colleague], REMINDER, org_a)
    notify([case_worker], URGENT, org_b, due_at=timezone.now() + timedelta(days=1))
    Notification.objects.filter(recipient=colleague).update(status=Delivery.FAILED)
    assert Notification.objects.counts_by_kind() == {
        "test.reminder": {Delivery.PENDING: 1, Delivery.FAILED: 1},
        "test.urgent": {Delivery.PENDING: 1},
    }
    assert Notification.objects.of_kind("test.urgent").upcoming().count() == 1
    assert Notification.objects.of_kind("no.such.kind").count() == 3
    assert Notification.objects.failed().get().kind_label == "A test reminder"


def test_a_row_whose_kind_is_no_longer_declared_still_reads(org_a, case_worker):
    notify([case_worker], REMINDER, org_a)
    Notification.objects.update(kind="test.removed")
    row = Notification.objects.get()
    assert (row.declared_kind, row.kind_label, row.subject, row.text) == (
        None,
        "test.removed",
        org_a.name,
        "",
    )


def test_the_referral_kinds_are_declared_and_translated_into_swedish():
    from django.utils import translation

    names = {kind.name for kind in registry}
    assert {"cases.info_requested", "cases.submitted", "cases.answered", "cases.party_removed"} <= names
    context = {"case_number": "RR-2026-0001", "date": "2026-05-01", "parties": "Region", "days": "14"}
    for kind in registry:
        if not kind.name.startswith("cases."):
            continue
        with translation.override(None):
            english = (str(kind.label), *kind.render(context))
        with translation.override("sv"):
            swedish = (str(kind.label), *kind.render(context))
        assert all(sv != en for sv, en in zip(swedish, english, strict=True)), kind.name
        assert "RR-2026-0001" in swedish[1] and "RR-2026-0001" in swedish[2]
    with translation.override("sv"):
        assert registry.get("cases.submitted").render(context)[0] == "Ny ansökan RR-2026-0001"


def test_a_wrongly_declared_kind_is_a_system_check_error(monkeypatch):
    from resursrad.notifications import kinds

    broken = kinds.Registry()
    monkeypatch.setattr(kinds, "registry", broken)
    monkeypatch.setattr(
        broken, "_loaded", lambda: (_ for _ in ()).throw(ValueError("placeholders not allowed"))
    )
    errors = kinds.check_kinds()
    assert [error.id for error in errors] == ["notifications.E001"]
    monkeypatch.undo()
    assert kinds.check_kinds() == []
