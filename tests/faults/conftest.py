"""A Redis, an SMTP server and a Celery worker of the tests' own, to stop, pause and kill.

Never the shared Redis: each test module starts ``redis-server`` on a free
port (no persistence) and a real ``celery worker`` process (prefork, as in
production) against it and the test database; the worker sends e-mail over
SMTP to a server in the test process. The test process publishes to the same
Redis. REQUIRE_BROKER=1 (CI) turns a missing redis-server into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis as redis_client
from django.db import connection

from resursrad.celery import app
from resursrad.notifications import services
from tests.conftest import required
from tests.faults.smtp import SmtpServer

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """redis-server on a port of its own: start, stop, pause (SIGSTOP) and resume."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--pidfile",
                str(self.workdir / "redis.pid"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis_client.Redis(port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return
            except redis_client.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def pause(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.process is not None:
            os.kill(self.process.pid, signal.SIGCONT)

    def client(self) -> redis_client.Redis:
        return redis_client.Redis(port=self.port, socket_timeout=2)

    def queued(self) -> int:
        """Messages waiting in the queue or delivered but not yet acknowledged."""
        client = self.client()
        return int(client.llen("celery")) + int(client.hlen("unacked"))

    def unacked(self) -> int:
        return int(self.client().hlen("unacked"))

    def redeliver_unacked(self) -> int:
        """What kombu does once the visibility timeout has passed: unacknowledged messages go back."""
        client = self.client()
        restored = 0
        for tag, raw in client.hgetall("unacked").items():
            message, _exchange, routing_key = json.loads(raw)
            message["properties"]["delivery_info"]["redelivered"] = True
            client.lpush(routing_key or "celery", json.dumps(message))
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
            restored += 1
        return restored


class Worker:
    """A real `celery worker` process on the tests' Redis and the test database."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log.write_text("")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "resursrad",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"faults-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if " ready." in self.log.read_text(errors="replace"):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError("The worker did not start:\n" + self.log.read_text(errors="replace")[-3000:])

    def kill(self) -> None:
        """SIGKILL to the whole worker (main process and pool), as an OOM kill or a pulled plug."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")


class Rig:
    def __init__(self, redis: RedisServer, smtp: SmtpServer, worker: Worker) -> None:
        self.redis = redis
        self.smtp = smtp
        self.worker = worker

    def drained(self, timeout: float = 20) -> bool:
        """Wait until the worker has taken and finished every message."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.redis.queued() == 0:
                return True
            time.sleep(0.05)
        return False


def _database_url() -> str:
    database = connection.settings_dict
    user = database.get("USER") or ""
    password = f":{database['PASSWORD']}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{database['NAME']}"


@pytest.fixture(scope="module")
def rig(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("The fault tests need PostgreSQL (a worker process shares the test database).")
    if shutil.which("redis-server") is None:
        if required("REQUIRE_BROKER"):
            pytest.fail("REQUIRE_BROKER is set but redis-server is not installed.")
        pytest.skip("redis-server is not installed.")
    workdir = tmp_path_factory.mktemp("faults")
    redis = RedisServer(workdir)
    redis.start()
    smtp = SmtpServer().start()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis.url,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_USE_TLS": "false",
        "NOTIFICATION_MAX_ATTEMPTS": "3",
    }
    worker = Worker(env, workdir / "worker.log")
    # The test process publishes to the rig's Redis too (CELERY_BROKER_URL in
    # the environment would win over broker_url; the write URL does not).
    previous_url = app.conf.broker_write_url
    app.conf.broker_write_url = redis.url
    app._after_fork()  # drop the pooled connections to the shared broker
    assert app.connection_for_write().as_uri().endswith(f":{redis.port}/0")
    try:
        worker.start()
        yield Rig(redis, smtp, worker)
    finally:
        worker.stop()
        smtp.stop()
        redis.stop()
        app.conf.broker_write_url = previous_url
        app._after_fork()


@pytest.fixture
def faults(rig, monkeypatch, settings) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    """The rig for one test: an empty mailbox, Redis up, the worker running, the publish pause off."""
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    rig.smtp.reset()
    if rig.redis.process is None:
        rig.redis.start()
    rig.redis.resume()
    if rig.worker.process is None:
        rig.worker.start()
    yield rig
    rig.smtp.hang.clear()
