"""`make run`: Ctrl+C stops the worker and the scheduler within seconds, cleanly.

honcho (the Procfile's runner) gives every process SIGTERM on Ctrl+C and
SIGKILL five seconds later. The worker and scheduler of the Procfile, on the
development broker, must be gone well before that, without error lines.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from resursrad.celery import FileSystemTransport

ROOT = Path(__file__).resolve().parents[2]


def test_the_development_broker_waits_at_most_half_a_second_at_a_time(monkeypatch):
    from kombu.transport import filesystem

    asked = []
    monkeypatch.setattr(
        filesystem.Transport, "drain_events", lambda self, conn, timeout=None: asked.append(timeout)
    )
    transport = FileSystemTransport.__new__(FileSystemTransport)
    transport.drain_events(None, timeout=2.0)
    transport.drain_events(None)
    transport.drain_events(None, timeout=0.1)
    assert asked == [0.5, 0.5, 0.1]


def test_the_procfile_runs_a_thread_pool_worker_in_development():
    lines = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if ":" in line)
    assert "--pool=threads" in lines["worker"]


@pytest.mark.skipif(shutil.which("honcho", path=str(ROOT / ".venv" / "bin")) is None, reason="honcho missing")
def test_ctrl_c_stops_worker_and_scheduler_within_seconds_without_errors(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="true",
        VAR_DIR=str(tmp_path),
        PORT="18765",
        PATH=f"{ROOT / '.venv' / 'bin'}:{env['PATH']}",
    )
    log = tmp_path / "honcho.log"
    with log.open("wb") as output:
        honcho = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "honcho"), "start", "worker", "beat"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = log.read_text(errors="replace")
            if " ready." in text and "beat: Starting" in text:
                break
            time.sleep(0.1)
        else:
            pytest.fail("worker and beat did not start:\n" + log.read_text(errors="replace")[-3000:])
        started = time.monotonic()
        os.kill(honcho.pid, signal.SIGINT)  # what Ctrl+C sends to honcho
        honcho.wait(timeout=15)
        stopped_after = time.monotonic() - started
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
    text = log.read_text(errors="replace")
    assert stopped_after < 4, f"stopping took {stopped_after:.1f} s:\n{text[-2000:]}"
    assert "SIGKILL" not in text
    assert "ERROR" not in text and "Traceback" not in text, text[-3000:]
