"""`make load`: 50 simulated users against gunicorn with production settings, on a throwaway database.

1. The load database: LOAD_DATABASE_URL, or DATABASE_URL's database name with
   `_load` appended (postgres://.../resursrad -> .../resursrad_load). It is
   dropped and created afresh on every run, so its name must end in `_load`.
2. Migrations, collectstatic and bench/seed_load.py (users and referrals).
3. gunicorn with deploy/gunicorn.conf.py and DEBUG=false, on 127.0.0.1 and a
   free port (LOAD_PORT to choose one). The production variables are made up
   for this run only (a random SECRET_KEY and PERSONAL_NUMBER_HASH_KEY).
   GUNICORN_WORKERS and GUNICORN_CMD_ARGS (e.g. "--threads 2") are passed on.
4. Waits for /healthz, then runs locust headless (bench/locustfile.py):
   LOAD_USERS (50) users, LOAD_SPAWN_RATE (10) started a second, for
   LOAD_DURATION (60s).
5. Stops gunicorn and prints bench/load_report.py's report; the exit status is
   non-zero when a target is missed.

Everything it writes is in var/load/: gunicorn.log, locust.log, locust's CSV
files, requests.csv (every request), cpu.csv (who used the CPU, second by
second) and accounts.json.
"""

from __future__ import annotations

import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
OUT = ROOT / "var" / "load"

sys.path.insert(0, str(ROOT))

from bench import load_report  # noqa: E402


def load_database_url(environ: dict[str, str]) -> str:
    """The throwaway database's URL; refuses anything but PostgreSQL and a name ending in _load."""
    explicit = environ.get("LOAD_DATABASE_URL", "").strip()
    source = explicit or environ.get("DATABASE_URL", "").strip()
    parts = urlsplit(source)
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not parts.path.strip("/"):
        raise SystemExit(
            "make load needs PostgreSQL: set DATABASE_URL=postgres://user@host:5432/name "
            "(the load test then uses its own database name_load, made afresh on every run), "
            "or LOAD_DATABASE_URL to name the load database yourself."
        )
    url = explicit or urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_load"))
    name = urlsplit(url).path.strip("/")
    if not name.endswith("_load"):
        raise SystemExit(
            f"The load database is dropped and created afresh on every run: its name must end in "
            f"_load, and {name!r} does not."
        )
    return url


def recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.strip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(database_url: str, port: int) -> dict[str, str]:
    """Production settings (DEBUG=false) with made-up secrets for this run only."""
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PERSONAL_NUMBER_HASH_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "FEDERATION_NAME": "Samordningsförbundet Lasttest",
        "CONTROLLER_NAME": "Lasttest kommun",
        "DATABASE_URL": database_url,
        # No proxy adds X-Forwarded-For: the connection's address is the client's.
        "TRUSTED_PROXY_COUNT": "0",
        "VAR_DIR": str(OUT / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOAD_ACCOUNTS": str(OUT / "accounts.json"),
        "LOAD_RECORDS": str(OUT / "requests.csv"),
        "PYTHONUNBUFFERED": "1",
    }


def run(step: str, command: list[str], env: dict[str, str]) -> None:
    print(f"- {step}", flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603 - our own commands


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"gunicorn stopped at start-up (exit {server.returncode}): see {OUT / 'gunicorn.log'}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:  # noqa: S310 - our own URL
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f} s: see {OUT / 'gunicorn.log'}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
    try:
        server.wait(timeout=35)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class CpuSampler(threading.Thread):
    """Every second, who used the CPU: gunicorn, its PostgreSQL backends, locust, and all other programs.

    On a shared machine other programs compete for the same cores; with the CPU
    pressure (how long runnable work waited for a core) this tells a slow run
    caused by the machine from one caused by the application. Written to
    var/load/cpu.csv for bench/load_report.py.
    """

    def __init__(self, server_pid: int, locust_pid: int, database: str, interval: float = 1.0) -> None:
        import psutil

        super().__init__(daemon=True)
        self.psutil = psutil
        self.server = psutil.Process(server_pid)
        self.locust = psutil.Process(locust_pid)
        self.database = f" {database} "
        self.interval = interval
        self.finished = threading.Event()
        self.rows: list[list[float]] = []
        self.seen: dict[int, float] = {}

    def _tree(self, root: Any) -> list[Any]:
        try:
            return [root, *root.children(recursive=True)]
        except self.psutil.Error:
            return []

    def _backends(self) -> list[Any]:
        return [
            process
            for process in self.psutil.process_iter(["name", "cmdline"])
            if (process.info["name"] or "").startswith("postgres")
            and self.database in " ".join(process.info["cmdline"] or []) + " "
        ]

    def _used(self, processes: list[Any]) -> float:
        """CPU-seconds these processes used since the last sample (all of it for a new one)."""
        total = 0.0
        for process in processes:
            try:
                times = process.cpu_times()
            except self.psutil.Error:
                continue
            now = times.user + times.system
            total += now - self.seen.get(process.pid, 0.0)
            self.seen[process.pid] = now
        return total

    def _sample(self) -> tuple[float, float, float, float, float, float | None]:
        return (
            time.time(),
            _busy(self.psutil.cpu_times()),
            self._used(self._tree(self.server)),
            self._used(self._tree(self.locust)),
            self._used(self._backends()),
            _cpu_pressure(),
        )

    def run(self) -> None:
        last = self._sample()
        while not self.finished.wait(self.interval):
            now = self._sample()
            waited = (now[5] - last[5]) / 1_000_000 if now[5] is not None and last[5] is not None else 0.0
            # start, seconds, machine, gunicorn, locust, database, pressure
            self.rows.append([last[0], now[0] - last[0], now[1] - last[1], now[2], now[3], now[4], waited])
            last = now

    def stop_and_write(self, path: Path) -> str:
        self.finished.set()
        self.join()
        with path.open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(load_report.CPU_FIELDS)
            writer.writerows(self.rows)
        return load_report.cpu_summary(load_report.read_cpu(path), self.psutil.cpu_count() or 1)


def _busy(times: Any) -> float:
    return float(times.user + times.nice + times.system + times.irq + times.softirq + times.steal)


def _cpu_pressure() -> float | None:
    """Microseconds in which some runnable task waited for a CPU, since boot (Linux PSI)."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    fields = dict(part.split("=", 1) for part in line.split()[1:])
    return float(fields.get("total", "0"))


def main() -> int:
    database_url = load_database_url(dict(os.environ))
    users = os.environ.get("LOAD_USERS", "50")
    spawn_rate = os.environ.get("LOAD_SPAWN_RATE", "10")
    run_time = os.environ.get("LOAD_DURATION", "60s")
    port = int(os.environ.get("LOAD_PORT") or free_port())
    host = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    for stale in [OUT / "requests.csv", OUT / "cpu.csv", *OUT.glob("locust_*.csv")]:
        stale.unlink(missing_ok=True)
    env = app_environment(database_url, port)
    python = str(BIN / "python")

    print(f"Load database {urlsplit(database_url).path.strip('/')} (made afresh)", flush=True)
    recreate_database(database_url)
    run("migrate", [python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run("collectstatic", [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run("seed", [python, "bench/seed_load.py"], env)

    workers = env.get("GUNICORN_WORKERS") or "2 x cores + 1"
    extra = env.get("GUNICORN_CMD_ARGS", "")
    print(f"- gunicorn on {host}, workers: {workers}{f', {extra}' if extra else ''}", flush=True)
    with (OUT / "gunicorn.log").open("wb") as server_log:
        server = subprocess.Popen(  # noqa: S603 - our own command
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "resursrad.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(host, server)
            print(f"- locust: {users} users, {spawn_rate} a second, {run_time}", flush=True)
            with (OUT / "locust.log").open("wb") as locust_log:
                locust = subprocess.Popen(  # noqa: S603 - our own command
                    [
                        str(BIN / "locust"),
                        "-f",
                        "bench/locustfile.py",
                        "--headless",
                        "-u",
                        users,
                        "-r",
                        spawn_rate,
                        "-t",
                        run_time,
                        "--host",
                        host,
                        "--csv",
                        str(OUT / "locust"),
                        "--only-summary",
                        "--stop-timeout",
                        "10",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=locust_log,
                    stderr=subprocess.STDOUT,
                )
                sampler = CpuSampler(server.pid, locust.pid, urlsplit(database_url).path.strip("/"))
                sampler.start()
                locust.wait()
            cpu = sampler.stop_and_write(OUT / "cpu.csv")
        finally:
            stop(server)

    # Locust exits 1 when a request failed (the report says which); anything else is its own failure.
    if locust.returncode not in (0, 1) or not (OUT / "requests.csv").exists():
        print(f"locust failed (exit {locust.returncode}); its output:", file=sys.stderr)
        print((OUT / "locust.log").read_text(errors="replace")[-4000:], file=sys.stderr)
        return 1
    print(f"\n{cpu}\n", flush=True)
    status = load_report.main(["load_report", str(OUT / "requests.csv")])
    print(f"\nLogs and locust's own statistics: {OUT.relative_to(ROOT)}/", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
