"""The styrgrupp's trend page and list with 10,000 deviations, as ratios to /healthz (`make bench-deviations`).

A throwaway database is made on DATABASE_URL's PostgreSQL server and seeded
with N deviations (default 10,000) over two years, in every status, category
and set of parties, inserted in bulk as the domain would have left them (a
few through Deviation.report first). Then one gunicorn serves it as in
production, the way bench/bench_pages.py does (deploy/gunicorn.conf.py,
DEBUG off, secrets made up for the run, one sync worker, 127.0.0.1 and a free
port), and the bench asks for /healthz (a minimal Django view that reads no
data) and each page over HTTP, one request at a time, round after round, with
a styrgrupp member's real session cookie.

Printed per page: its SQL queries (counted in-process with Django's test
client on the same database, once after the warm-up), its median over HTTP
and that median as a ratio to /healthz's median in the same run. Exits 1
when a page's queries exceed TARGET_QUERIES or the trend page or the list is
more than TARGET_VS_HEALTHZ times /healthz, 2 when the database is not
PostgreSQL.

ROUNDS (default 30) sets the measured rounds, after WARMUP (default 5); N the deviations.
"""

from __future__ import annotations

import gc
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_pages import (  # noqa: E402
    Page,
    Server,
    configure,
    count_queries,
    database_url,
    request,
    request_in_process,
    require_postgresql,
)

ROUNDS = int(os.environ.get("ROUNDS", "30"))
WARMUP = int(os.environ.get("WARMUP", "5"))
N = int(os.environ.get("N", "10000"))
TARGET_QUERIES = 12
TARGET_VS_HEALTHZ = 15.0

PARTY_SETS = [
    ["fk", "region"],
    ["kommun"],
    ["af", "fk", "kommun"],
    ["region"],
    ["af", "kommun"],
    ["fk", "kommun"],
    ["af", "region"],
]
STATUS_WEIGHTS = {
    "reported": 8,
    "received": 8,
    "investigating": 10,
    "decided": 14,
    "feedback_given": 20,
    "closed": 40,
}
DESCRIPTION = (
    "Ett intyg som en part skickat nådde inte den andra parten, och ingen märkte det förrän "
    "ersättningen försenades. "
)


def seed(count: int, now: datetime) -> Any:
    """A styrgrupp member, reporters of every party, and ``count`` deviations; returns the styrgrupp member."""
    from django.contrib.auth.hashers import make_password

    from deviations.models import Deviation, DeviationParty, party_mask
    from deviations.workflow import Category
    from resursrad.models import Organisation, Party, User

    rng = random.Random(20260401)  # noqa: S311 - repeatable test data, not a secret
    password = make_password(None)
    reporters = []
    for index, party in enumerate(Party.values):
        organisation = Organisation.objects.create(name=f"Bänken {party}", party=party)
        reporters.append(
            User.objects.create(
                email=f"handlaggare{index}@bank.test",
                first_name="Handläggare",
                last_name=str(index),
                organisation=organisation,
                is_case_worker=True,
                password=password,
            )
        )
    steering = User.objects.create(
        email="styrgrupp@bank.test",
        first_name="Styrgrupp",
        last_name="Bänk",
        is_steering_member=True,
        password=password,
    )
    # A few through the domain, so that the rest look like what it writes.
    for reporter in reporters:
        Deviation.report(
            by=reporter,
            category=Category.INFORMATION,
            description=DESCRIPTION,
            parties=["fk", "region"],
            observed_on=now.date(),
        )
    rows, parties = [], []
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for index in range(count - len(reporters)):
        reported = now - timedelta(seconds=rng.uniform(3600, 2 * 365 * 86400))
        status = rng.choices(statuses, weights=weights)[0]
        step = statuses.index(status)
        decided = reported + timedelta(days=rng.randrange(5, 90)) if step >= 3 else None
        rows.append(
            Deviation(
                number=f"AV-B-{index:06d}",
                reported_by=rng.choice(reporters),
                reported_at=reported,
                observed_on=(reported - timedelta(days=rng.randrange(0, 20))).date(),
                category=rng.choice(Category.values),
                description=DESCRIPTION * rng.randrange(1, 4),
                consequence="Ersättningen försenades.",
                answer_due_on=(reported + timedelta(days=60)).date(),
                status=status,
                handler=steering if step >= 1 else None,
                received_at=reported + timedelta(days=2) if step >= 1 else None,
                decided_at=decided,
                decision="En gemensam rutin tas fram." if decided else "",
                responsible_party=rng.choice(Party.values) if decided else "",
                action_due_on=(decided + timedelta(days=60)).date() if decided else None,
                feedback_at=decided + timedelta(days=5) if decided and step >= 4 else None,
                feedback="Tack, en rutin tas fram." if decided and step >= 4 else "",
                closed_at=decided + timedelta(days=10) if decided and step >= 5 else None,
            )
        )
        parties.append(rng.choice(PARTY_SETS))
    for row, codes in zip(rows, parties, strict=True):
        # As Deviation.report writes it beside the party rows.
        row.party_mask = party_mask(codes)
    Deviation.objects.bulk_create(rows, batch_size=2000)
    DeviationParty.objects.bulk_create(
        [
            DeviationParty(deviation=row, party=party)
            for row, codes in zip(rows, parties, strict=True)
            for party in codes
        ],
        batch_size=5000,
    )
    return steering


def pages() -> list[Page]:
    from django.urls import reverse

    return [
        Page("/healthz", "anonymous", "get", "/healthz", ours=False),
        Page("Trend page (last four quarters)", "steering", "get", reverse("deviations:trends")),
        Page(
            "Trend page (two years)",
            "steering",
            "get",
            reverse("deviations:trends") + "?period_from=2024-01-01&period_to=2026-12-31",
        ),
        Page("List", "steering", "get", reverse("deviations:all")),
        Page(
            "List: party, category, period",
            "steering",
            "get",
            reverse("deviations:all") + "?party=fk&category=waiting&reported_from=2025-01-01",
        ),
        Page("List: page 40", "steering", "get", reverse("deviations:all") + "?page=40"),
        Page("Report since 90 days", "steering", "get", reverse("deviations:steering_report")),
    ]


def main() -> int:
    require_postgresql()
    configure()
    from django.conf import settings
    from django.db import connection
    from django.middleware.csrf import get_token
    from django.test import Client, RequestFactory
    from django.utils import timezone

    base = settings.DATABASES["default"]
    base["TEST"]["NAME"] = f"{base['NAME']}_bench_deviations"
    old_name = base["NAME"]
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    server = None
    try:
        steering = seed(N, timezone.now())
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        seeded_in = time.perf_counter() - started
        client = Client()
        client.force_login(steering)
        server_client = Client()
        server_client.force_login(steering)
        blank = RequestFactory().get("/")
        token = get_token(blank)
        cookies = {
            "anonymous": {settings.CSRF_COOKIE_NAME: blank.META["CSRF_COOKIE"]},
            "steering": {
                settings.CSRF_COOKIE_NAME: blank.META["CSRF_COOKIE"],
                settings.SESSION_COOKIE_NAME: server_client.cookies[settings.SESSION_COOKIE_NAME].value,
            },
        }
        clients = {"anonymous": Client(), "steering": client}
        gc.collect()
        gc.freeze()
        server = Server(
            1,
            database_url(settings.DATABASES["default"]["NAME"]),
            Path(os.environ["VAR_DIR"]) / "gunicorn.log",
        )
        server.wait_until_healthy()
        measured = pages()
        times: dict[str, list[float]] = {page.label: [] for page in measured}
        queries: dict[str, int] = {}
        for round_number in range(WARMUP + ROUNDS):
            for page in measured:
                elapsed = request(server, page, cookies[page.who], token)
                if round_number >= WARMUP:
                    times[page.label].append(elapsed)
            if round_number == WARMUP - 1:
                for page in measured:
                    request_in_process(clients[page.who], page)
                    queries[page.label] = count_queries(clients[page.who], page)
        return report(measured, times, queries, seeded_in)
    finally:
        if server is not None:
            server.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def report(
    measured: list[Page], times: dict[str, list[float]], queries: dict[str, int], seeded_in: float
) -> int:
    median = {label: statistics.median(values) for label, values in times.items()}
    baseline = median["/healthz"]
    print(
        f"Deviations on PostgreSQL, production settings: {N:,} deviations; median of {ROUNDS} rounds "
        f"after {WARMUP} warm-up; seeded in {seeded_in:.0f} s."
    )
    print("Over HTTP to gunicorn (deploy/gunicorn.conf.py, one sync worker); queries counted in-process.")
    print(f"/healthz median: {baseline * 1000:.2f} ms (a Django view that reads no data).")
    header = f"{'page':<34} {'queries':>7} {'median ms':>10} {'x healthz':>10}"
    print()
    print(header)
    print("-" * len(header))
    for page in measured:
        print(
            f"{page.label:<34} {queries[page.label]:>7} {median[page.label] * 1000:>10.1f} "
            f"{median[page.label] / baseline:>10.1f}"
        )
    ours = [page for page in measured if page.ours]
    heaviest = max(ours, key=lambda page: median[page.label])
    most = max(queries[page.label] for page in ours)
    targets = [
        (
            f"every page at most {TARGET_VS_HEALTHZ:.0f}x /healthz "
            f"(heaviest: {heaviest.label}, {median[heaviest.label] / baseline:.1f})",
            median[heaviest.label] / baseline <= TARGET_VS_HEALTHZ,
        ),
        (f"at most {TARGET_QUERIES} queries per page (most: {most})", most <= TARGET_QUERIES),
    ]
    print()
    for text, ok in targets:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for _, ok in targets) else 1


if __name__ == "__main__":
    sys.exit(main())
