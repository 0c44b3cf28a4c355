"""Benchmark the list pages against a minimal view on the same server, in one run.

Creates a throwaway test database (SQLite, or PostgreSQL when DATABASE_URL is
set), fills it with referrals through the real domain methods, then requests
each list page and the minimal /healthz view in turn with Django's test client
and reports the median time of each page as a ratio to /healthz, with the
number of SQL queries per page. Usage: `make bench` (ROWS=1000 for more data).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resursrad.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases  # noqa: E402

ROWS = int(os.environ.get("ROWS", "300"))
ROUNDS = int(os.environ.get("ROUNDS", "30"))


def seed(rows: int):
    from tests.factories import (
        CaseWorkerFactory,
        OrganisationFactory,
        UserFactory,
        make_participant,
        make_referral,
        submitted_referral,
    )

    organisation = OrganisationFactory(name="Bänkkommun", party="kommun")
    workers = [CaseWorkerFactory(organisation=organisation) for _ in range(10)]
    coordinator = UserFactory(is_coordinator=True)
    for index in range(rows):
        by = workers[index % len(workers)]
        participant = make_participant(first_name=f"Person{index}", personal_number="")
        (submitted_referral if index % 2 else make_referral)(by, participant=participant)
    return workers[0], coordinator


def measure(client: Client, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, len(queries)


def main() -> None:
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        case_worker, coordinator = seed(ROWS)
        pages = [
            ("case worker: /cases/", case_worker, "/cases/"),
            ("coordinator: /cases/inbox/", coordinator, "/cases/inbox/"),
            ("coordinator: /cases/?status=submitted", coordinator, "/cases/?status=submitted"),
        ]
        clients = {}
        for _, user, _ in pages:
            client = Client()
            client.force_login(user)
            clients[user.pk] = client
        baseline = Client()
        times: dict[str, list[float]] = {"/healthz": []}
        counts: dict[str, int] = {}
        for _ in range(ROUNDS):
            # Interleaved, so that any drift of the machine hits every page alike.
            times["/healthz"].append(measure(baseline, "/healthz")[0])
            for label, user, url in pages:
                elapsed, count = measure(clients[user.pk], url)
                times.setdefault(label, []).append(elapsed)
                counts[label] = count
        base = statistics.median(times["/healthz"])
        print(f"{ROWS} referrals, {ROUNDS} rounds, database {connection.vendor}")
        print(f"{'page':<42} {'x /healthz':>10} {'queries':>8}")
        for label, _, _ in pages:
            ratio = statistics.median(times[label]) / base
            print(f"{label:<42} {ratio:>10.1f} {counts[label]:>8}")
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
