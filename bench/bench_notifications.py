"""Benchmark notification delivery end to end against a no-op task, on one worker, in one run.

Creates a throwaway test database (PostgreSQL when DATABASE_URL is set, else
an SQLite file), starts a private broker (its own redis-server on a free port
when one is installed, else a file-system broker in a temporary directory),
an SMTP server that accepts everything, and one real Celery worker process
(solo pool, production settings). Then:

1. N no-op tasks (Celery's built-in ``celery.accumulate``) are published and
   timed until the worker has run them all;
2. N notifications are recorded as due and one sweep is published; the run is
   timed until every row is sent: the sweep's claims and publishing, N send
   tasks, rendering, SMTP and the recorded results.

It prints both throughputs, their ratio (target: at least 25 %), and the SQL
queries of one sweep batch at two batch sizes (they must be the same).
Usage: `make bench-notifications` (N=10000 by default; BROKER=filesystem to
skip Redis).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resursrad.settings")
WORK = Path(tempfile.mkdtemp(prefix="resursrad-bench-"))

N = int(os.environ.get("N", "10000"))
REDIS_SERVER = shutil.which("redis-server")
USE_REDIS = os.environ.get("BROKER", "redis") != "filesystem" and REDIS_SERVER is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_broker() -> tuple[str, subprocess.Popen[bytes] | None]:
    if not USE_REDIS:
        return "filesystem://", None
    assert REDIS_SERVER is not None
    port = free_port()
    redis = subprocess.Popen(  # noqa: S603 - fixed arguments, no input
        [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return f"redis://127.0.0.1:{port}/0", redis
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


BROKER_URL, REDIS = start_broker()
# The bench process publishes to the private broker; the file-system broker lives in WORK.
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ["VAR_DIR"] = str(WORK)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402


def database_url() -> str:
    database = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{database['NAME']}"
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    return f"postgres://{database.get('USER') or ''}{password}@{host}:{database.get('PORT') or 5432}/{database['NAME']}"


def start_worker(smtp_port: int) -> subprocess.Popen[bytes]:
    from tests.resursrad.test_settings_environment import TEST_ENVIRONMENT

    env = {key: value for key, value in os.environ.items() if key not in TEST_ENVIRONMENT}
    env.update(TEST_ENVIRONMENT)  # production mode (DEBUG=false), as a real worker runs
    env.update(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=BROKER_URL,
        VAR_DIR=str(WORK),
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
        LOG_LEVEL="WARNING",
    )
    log = (WORK / "worker.log").open("wb")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "resursrad",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return worker


def wait_until(condition, timeout: float = 600) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out; see " + str(WORK / "worker.log"))
        time.sleep(0.05)


def noop_rate(n: int) -> float:
    """No-op tasks per second: publish n, then a marker task; the solo worker runs them in order."""
    from resursrad.celery import app
    from resursrad.models import Heartbeat
    from resursrad.tasks import record_heartbeat

    Heartbeat.objects.all().delete()
    start = time.perf_counter()
    with app.producer_or_acquire() as producer:
        for index in range(n):
            app.send_task("celery.accumulate", args=(index,), producer=producer)
    record_heartbeat.apply_async()
    wait_until(lambda: Heartbeat.objects.filter(name="celery").exists())
    return n / (time.perf_counter() - start)


def seed(n: int):  # type: ignore[no-untyped-def]
    """n due notifications: 100 recipients, n / 100 due times, about one referral."""
    from cases.notifications import SUBMITTED
    from resursrad.models import User
    from resursrad.notifications import services
    from tests.factories import CaseWorkerFactory, OrganisationFactory, make_referral

    organisation = OrganisationFactory(name="Bänkkommun", party="kommun")
    referral = make_referral(CaseWorkerFactory(organisation=organisation))
    users = User.objects.bulk_create(
        [User(email=f"mottagare{i}@bench.resursrad.se", first_name="B", last_name=str(i)) for i in range(100)]
    )
    now = timezone.now()
    kick = services.kick
    services.kick = lambda: None  # type: ignore[assignment]  # the clock starts with the sweep below
    try:
        for step in range(n // len(users)):
            services.notify(users, SUBMITTED, referral, due_at=now - timedelta(seconds=step + 1))
    finally:
        services.kick = kick  # type: ignore[assignment]


def queries_per_batch(batch_size: int) -> int:
    from resursrad.notifications import services
    from resursrad.notifications.models import Delivery, Notification

    publish = services.publish
    services.publish = lambda token, rows: len(rows)  # type: ignore[assignment]
    try:
        with CaptureQueriesContext(connection) as queries:
            services.sweep(batch_size=batch_size, max_batches=1)
    finally:
        services.publish = publish  # type: ignore[assignment]
        Notification.objects.filter(status=Delivery.PENDING).update(
            claim=None, lease_until=None, claimed_at=None
        )
    return len(queries)


def notification_rate(n: int) -> float:
    from resursrad.notifications.models import Notification
    from resursrad.notifications.tasks import sweep_due_notifications

    start = time.perf_counter()
    sweep_due_notifications.apply_async()
    wait_until(lambda: Notification.objects.sent().count() >= n)
    return n / (time.perf_counter() - start)


def main() -> None:
    from tests.faults.smtp import SmtpServer

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    if connection.vendor == "sqlite":
        # A file the worker process can open too.
        settings.DATABASES["default"]["TEST"] = {"NAME": str(WORK / "bench.sqlite3")}
    old_config = setup_databases(verbosity=0, interactive=False)
    smtp = SmtpServer().start()
    worker = start_worker(smtp.port)
    try:
        seed(N)
        batch_queries = {size: queries_per_batch(size) for size in (20, 200)}
        noop_rate(200)  # warm the worker up
        noops = noop_rate(N)
        sent = notification_rate(N)
        assert len(smtp.messages) == N, f"{len(smtp.messages)} e-mails for {N} notifications"
        broker = "redis" if USE_REDIS else "file system"
        print(f"{N} notifications, one worker (solo pool), broker {broker}, database {connection.vendor}")
        print(f"no-op task             {noops:10.0f} per second")
        print(f"notification e-mailed  {sent:10.0f} per second")
        print(f"ratio                  {sent / noops:10.0%}   (target: at least 25%)")
        for size, count in batch_queries.items():
            print(f"queries per sweep batch of {size:<4} {count}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        smtp.stop()
        connection.close()
        teardown_databases(old_config, verbosity=0)
        if REDIS is not None:
            REDIS.terminate()
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
