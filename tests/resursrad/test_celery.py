"""The heartbeat task, the beat schedule, and a real worker on the configured broker."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from resursrad.celery import app
from resursrad.models import Heartbeat
from resursrad.tasks import record_heartbeat


def test_heartbeat_task_records_each_run(db):
    record_heartbeat.apply()
    record_heartbeat.apply()
    beat = Heartbeat.objects.get(name="celery")
    assert beat.runs == 2
    assert timezone.now() - beat.last_run < settings.HEARTBEAT_STALE_AFTER


def test_heartbeat_goes_stale(db):
    Heartbeat.beat("celery", now=timezone.now() - settings.HEARTBEAT_STALE_AFTER * 2)
    beat = Heartbeat.objects.get(name="celery")
    assert beat.is_stale(timezone.now(), settings.HEARTBEAT_STALE_AFTER)


def test_beat_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_eager_mode_is_not_the_default():
    assert not app.conf.task_always_eager


def _broker_required() -> bool:
    return os.environ.get("REQUIRE_BROKER", "").lower() in {"1", "true", "yes"}


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_heartbeat_through_the_broker():
    """Publish through the configured broker (Redis in CI) and let a real worker consume it."""
    if _broker_required():
        assert settings.CELERY_BROKER_URL.startswith("redis"), (
            "REQUIRE_BROKER is set but the broker is not Redis"
        )
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # noqa: BLE001
        if _broker_required():
            pytest.fail(f"The broker is required but unreachable: {exc}")
        pytest.skip(f"Broker unreachable: {exc}")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        record_heartbeat.delay()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name="celery").exists():
            time.sleep(0.1)
    assert Heartbeat.objects.get(name="celery").runs == 1
