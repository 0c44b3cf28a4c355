"""The overview's queries do not grow with the deviations: the same count at two sizes, and at 10,000."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deviations.models import Deviation
from tests.deviations.trends_data import bulk_deviations

FIRST_DAY = date(2025, 7, 1)
PAGES = [
    ("deviations:all", {}),
    ("deviations:all", {"party": "fk", "category": "waiting", "reported_from": "2025-07-01"}),
    ("deviations:export", {}),
    ("deviations:export", {"status": "decided", "reported_to": "2026-06-30"}),
    ("deviations:trends", {"period_from": "2025-07-01", "period_to": "2026-06-30"}),
    ("deviations:steering_report", {"since": "2025-01-01"}),
]


def queries(client, url_name, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url_name), params)
        if hasattr(response, "streaming_content"):
            rows = b"".join(response.streaming_content).count(b"\n")
            assert rows > 1
    assert response.status_code == 200
    return len(captured)


def counts(client):
    # Once uncounted: the first request of a session touches it.
    client.get(reverse("deviations:all"))
    return [queries(client, url_name, params) for url_name, params in PAGES]


def test_the_same_queries_for_a_few_rows_and_600_deviations(client, steering_member, coordinator):
    client.force_login(steering_member)
    # Fewer than a page at first, so that a query per row would show on the list too.
    bulk_deviations(coordinator, 5, first_day=FIRST_DAY, tag="S")
    small = counts(client)
    bulk_deviations(coordinator, 595, first_day=FIRST_DAY, tag="L")
    assert Deviation.objects.count() == 600
    assert counts(client) == small
    print("queries per page:", small)
    assert max(small) <= 12


def test_10000_deviations_take_the_same_queries(client, steering_member, coordinator):
    client.force_login(steering_member)
    bulk_deviations(coordinator, 5, first_day=FIRST_DAY, tag="S")
    small = counts(client)
    bulk_deviations(coordinator, 9995, first_day=FIRST_DAY, tag="L")
    assert Deviation.objects.count() == 10_000
    assert counts(client) == small
    response = client.get(
        reverse("deviations:trends"), {"period_from": "2025-07-01", "period_to": "2026-06-30"}
    )
    assert response.context["trends"].reported == 10_000
