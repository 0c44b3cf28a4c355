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


OUR_APPS = {"resursrad", "cases", "meetings", "deviations", "followup"}


def _our_tasks():
    app.loader.import_default_modules()
    return [task for name, task in app.tasks.items() if name.split(".")[0] in OUR_APPS]


def test_every_task_chooses_late_acknowledgement_itself_none_is_global():
    assert not hasattr(settings, "CELERY_TASK_ACKS_LATE")
    assert not hasattr(settings, "CELERY_TASK_REJECT_ON_WORKER_LOST")
    assert _our_tasks()
    for task in _our_tasks():
        assert "acks_late" in type(task).__dict__, f"{task.name} must say whether it is safe to run twice"
        if task.acks_late:
            assert task.reject_on_worker_lost, task.name


def test_every_task_ends_before_the_broker_would_hand_it_out_again():
    visibility = 3600
    for task in _our_tasks():
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        assert soft < hard < visibility, task.name


def test_the_worker_never_gives_up_on_the_broker_and_a_publish_never_waits_long():
    assert app.conf.broker_connection_max_retries is None
    assert app.conf.broker_connection_timeout <= 2
    redis_options = _settings_with_redis()["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert redis_options["socket_timeout"] <= 2 and redis_options["socket_connect_timeout"] <= 2
    assert redis_options["visibility_timeout"] == 3600


def _settings_with_redis():
    import json
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'CELERY_BROKER_TRANSPORT_OPTIONS': s.CELERY_BROKER_TRANSPORT_OPTIONS}))"
    )
    env = {**os.environ, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
