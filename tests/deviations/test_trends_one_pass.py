"""The trend page's one-pass counts: what the user may see only, and the same figures as counted one by one."""

from datetime import date

from deviations import stats
from deviations.models import Deviation
from deviations.workflow import Status
from tests.deviations.trends_data import reported_on

START, END, TODAY = date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15)


def test_a_restricted_queryset_counts_only_its_deviations_and_their_parties(coordinator, case_worker):
    mine = reported_on(coordinator, date(2026, 1, 10), category="information", parties=["fk", "region"])
    reported_on(case_worker, date(2026, 1, 12), category="information", parties=["af", "kommun"])
    reported_on(case_worker, date(2026, 4, 2), category="waiting", parties=["kommun"], decided_after=8)

    trends = stats.trends(Deviation.objects.filter(pk=mine.pk), START, END, TODAY)

    assert {row.key: row.counts for row in trends.pairs} == {"fk-region": [1, 0]}
    assert {row.key: row.total for row in trends.categories if row.total} == {"information": 1}
    assert (trends.open_now, trends.reported, trends.decided, trends.median_days) == (1, 1, 0, None)


def test_status_counts_by_quarter_match_the_deviations_counted_one_by_one(coordinator):
    reported_on(coordinator, date(2026, 1, 10), category="information", parties=["fk"], decided_after=4)
    reported_on(
        coordinator, date(2026, 2, 10), category="waiting", parties=["fk", "af"], status=Status.CLOSED
    )
    reported_on(coordinator, date(2026, 5, 10), category="other", parties=["af", "fk", "region"])
    reported_on(coordinator, date(2025, 11, 10), category="other", parties=["kommun"])

    trends = stats.trends(Deviation.objects.all(), START, END, TODAY)

    for entry in trends.statuses:
        quarter = Deviation.objects.reported_between(entry.quarter.first_day, entry.quarter.last_day)
        assert entry.reported == quarter.count()
        assert entry.open == quarter.open().count()
        assert entry.overdue == quarter.overdue(TODAY).count()
        assert entry.decided == quarter.filter(decided_at__isnull=False).count()
    # Open today counts every deviation, the one before the period too.
    assert trends.open_now == Deviation.objects.open().count() == 3
    assert {row.key: row.total for row in trends.pairs} == {
        "fk": 1,
        "af-fk": 2,
        "af-region": 1,
        "fk-region": 1,
    }
    assert (trends.decided, trends.median_days) == (1, 4)
