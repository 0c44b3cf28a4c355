"""Where a page's time goes: cProfile over repeated requests on the bench's seeded data.

    DATABASE_URL=postgres://... .venv/bin/python bench/profile_page.py "Case worker: list" [SCALE] [N]

Seeds one throwaway database at SCALE (default 100) the way bench_pages.py does,
asks for the page N times (default 200) in-process with Django's test client and
production settings, and prints the wall time split into SQL and the rest, then
cProfile's top functions by cumulative and by own time. PROFILE_SORT and PROFILE_LINES change the listing;
PROFILE_EXPLAIN=1 prints EXPLAIN ANALYZE of each SELECT the page sends;
PROFILE_QUERY=page=2 adds a query string to the page's address.
"""

from __future__ import annotations

import cProfile
import dataclasses
import gc
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import bench_pages  # noqa: E402


def main() -> int:
    label = sys.argv[1] if len(sys.argv) > 1 else "Case worker: list"
    scale = int(sys.argv[2]) if len(sys.argv) > 2 else bench_pages.LARGE
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    bench_pages.require_postgresql()
    bench_pages.configure()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.urls import mirror

    base = settings.DATABASES["default"]
    base["TEST"]["NAME"] = f"{base['NAME']}_profile"
    old_name = base["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        rng = random.Random(20260101)  # noqa: S311 - repeatable test data
        staff = bench_pages.make_staff()
        seeded = bench_pages.Seeded(
            staff, staff.case_workers[staff.organisations[0].pk][0], staff.coordinators[0]
        )
        mirror(seeded.case_worker, seeded.coordinator)
        now = timezone.now()
        bench_pages.grow(seeded, rng, bench_pages.SMALL, now)
        if scale > bench_pages.SMALL:
            bench_pages.grow(seeded, rng, scale, now)
        seeded.pool = []
        users = {
            "anonymous": None,
            "case_worker": seeded.case_worker,
            "coordinator": seeded.coordinator,
            "administrator": staff.administrator,
        }
        page = next(p for p in bench_pages.pages_for(seeded) if p.label == label)
        if os.environ.get("PROFILE_QUERY"):
            page = dataclasses.replace(page, url=page.url + "?" + os.environ["PROFILE_QUERY"])
        client = Client()
        if users[page.who] is not None:
            client.force_login(users[page.who])
        for _ in range(20):
            bench_pages.request_in_process(client, page)
        gc.collect()
        gc.freeze()
        with CaptureQueriesContext(connection) as queries:
            bench_pages.request_in_process(client, page)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        for query in queries.captured_queries:
            print(f"{float(query['time']) * 1000:7.2f} ms  {query['sql'][:300]}")
            if os.environ.get("PROFILE_EXPLAIN") and query["sql"].startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n".join(f"          {line}" for (line,) in cursor.fetchall()))
        started = time.perf_counter()
        for _ in range(count):
            bench_pages.request_in_process(client, page)
        wall = (time.perf_counter() - started) / count * 1000
        print(
            f"\n{label} at {scale}x: {wall:.2f} ms per request, SQL (one request, DEBUG cursor) {sql_ms:.2f} ms"
        )
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(count):
            bench_pages.request_in_process(client, page)
        profiler.disable()
        stats = pstats.Stats(profiler)
        lines = int(os.environ.get("PROFILE_LINES", "45"))
        for sort in os.environ.get("PROFILE_SORT", "cumulative,tottime").split(","):
            stats.sort_stats(sort).print_stats(lines)
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
