"""The trend page's counts on a small known set: categories and party pairs by quarter, open, overdue, median."""

from datetime import date

import pytest
from django.urls import reverse

from deviations import stats
from deviations.models import Deviation
from deviations.stats import Quarter, last_four_quarters
from deviations.workflow import Status
from tests.deviations.trends_data import reported_on

START, END, TODAY = date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15)
Q1, Q2 = Quarter(2026, 1), Quarter(2026, 2)


@pytest.fixture
def known(coordinator):
    """Five deviations in the first half of 2026 and one before it."""
    return {
        "a": reported_on(
            coordinator, date(2026, 1, 10), category="information", parties=["fk", "region"], decided_after=10
        ),
        "b": reported_on(
            coordinator, date(2026, 2, 20), category="waiting", parties=["kommun"], decided_after=30
        ),
        "c": reported_on(
            coordinator,
            date(2026, 4, 5),
            category="information",
            parties=["af", "fk", "kommun"],
            decided_after=20,
            status=Status.CLOSED,
        ),
        "d": reported_on(coordinator, date(2026, 5, 1), category="responsibility", parties=["fk", "region"]),
        "f": reported_on(
            coordinator, date(2026, 6, 1), category="other", parties=["region"], decided_after=40
        ),
        "e": reported_on(coordinator, date(2025, 12, 31), category="waiting", parties=["fk", "region"]),
    }


def result():
    return stats.trends(Deviation.objects.all(), START, END, TODAY)


def rows_by_key(rows):
    return {row.key: row.counts for row in rows}


def test_counts_per_category_by_quarter(known):
    trends = result()
    assert trends.quarters == [Q1, Q2]
    counts = rows_by_key(trends.categories)
    assert counts["information"] == [1, 1]
    assert counts["waiting"] == [1, 0]  # the one of December 2025 is outside the period
    assert counts["responsibility"] == [0, 1]
    assert counts["other"] == [0, 1]
    assert counts["missing_insats"] == [0, 0]
    assert trends.totals.counts == [2, 3]
    assert trends.reported == 5


def test_counts_per_party_pair_by_quarter_and_a_single_party_alone(known):
    pairs = result().pairs
    counts = rows_by_key(pairs)
    assert counts == {
        "fk-region": [1, 1],
        "kommun": [1, 0],
        "af-fk": [0, 1],
        "af-kommun": [0, 1],
        "fk-kommun": [0, 1],
        "region": [0, 1],
    }
    labels = {row.key: row.label for row in pairs}
    assert labels["fk-region"] == "Försäkringskassan ↔ Region"
    assert labels["kommun"] == "Kommun ensam"
    # The most frequent pair comes first.
    assert pairs[0].key == "fk-region"


def test_open_overdue_and_decided_per_quarter_and_today(known):
    trends = result()
    q1, q2 = trends.statuses
    assert (q1.reported, q1.open, q1.overdue, q1.decided) == (2, 2, 2, 2)
    assert (q2.reported, q2.open, q2.overdue, q2.decided) == (3, 2, 1, 2)
    # Today, over every deviation (the one from 2025 is open and overdue too).
    assert (trends.open_now, trends.overdue_now) == (5, 4)


def test_median_days_to_decision_with_percentile_cont(known):
    trends = result()
    # 10, 20, 30 and 40 days: the median lies between the two middle ones.
    assert trends.decided == 4
    assert trends.median_days == pytest.approx(25)


def test_median_by_offset_gives_the_same_as_percentile_cont(known):
    decided = Deviation.objects.reported_between(START, END).filter(decided_at__isnull=False)
    assert stats.median_days_by_offset(decided) == (pytest.approx(25), 4)
    assert stats.median_days_to_decision(decided) == (pytest.approx(25), 4)
    # An odd number takes the middle one.
    three = decided.exclude(pk=known["f"].pk)
    assert stats.median_days_by_offset(three) == (pytest.approx(20), 3)
    assert stats.median_days_to_decision(three) == (pytest.approx(20), 3)


def test_no_decisions_has_no_median(db):
    none = Deviation.objects.filter(decided_at__isnull=False)
    assert stats.median_days_by_offset(none) == (None, 0)
    assert stats.median_days_to_decision(none) == (None, 0)


def test_the_default_period_is_the_last_four_quarters():
    assert last_four_quarters(date(2026, 5, 10)) == (date(2025, 7, 1), date(2026, 6, 30))
    assert last_four_quarters(date(2026, 1, 1)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert stats.quarters_between(date(2025, 11, 3), date(2026, 2, 1)) == [Quarter(2025, 4), Q1]


def test_the_trend_page_shows_tables_and_svg_charts(client, steering_member, known):
    client.force_login(steering_member)
    response = client.get(
        reverse("deviations:trends"), {"period_from": "2026-01-01", "period_to": "2026-06-30"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["trends"].reported == 5
    assert 'data-table="categories"' in html and 'data-table="pairs"' in html
    assert html.count("<svg") == 3
    assert 'role="img"' in html and "<title" in html
    assert "Försäkringskassan ↔ Region: 2" in html
    assert "Kv1 2026" in html
    assert 'data-count="median">25,0<' in html


def test_the_trend_page_refuses_an_end_before_the_start_and_shows_the_default(client, steering_member, known):
    client.force_login(steering_member)
    response = client.get(
        reverse("deviations:trends"), {"period_from": "2026-06-30", "period_to": "2026-01-01"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["period_to"] == ["Periodens slut får inte ligga före dess början."]
    assert 'value="2026-01-01"' in response.content.decode()  # what was typed is kept
    assert (response.context["trends"].start, response.context["trends"].end) == last_four_quarters()


def test_the_trend_page_explains_an_impossible_date(client, steering_member):
    client.force_login(steering_member)
    response = client.get(reverse("deviations:trends"), {"period_from": "2026-02-31"})
    assert response.status_code == 200
    assert "period_from" in response.context["form"].errors
