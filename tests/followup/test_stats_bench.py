"""The page benchmark's seeding gives the statistics real work: held meetings, records, plans and responses."""

import random

from django.utils import timezone

from bench import bench_pages
from followup import stats
from followup.stats import Granularity, Period
from meetings.models import AgendaItem, Record


def test_the_bench_seeds_held_meetings_that_the_statistics_count(db):
    rng = random.Random(7)
    now = timezone.now()
    staff = bench_pages.make_staff()
    referrals = bench_pages.bulk_referrals(staff, rng, 300, now)
    bench_pages.bulk_held_meetings(staff, rng, referrals, now)
    closed = sum(1 for r in referrals if r.status == "closed")
    assert AgendaItem.objects.filter(status="done").count() >= closed * 0.9
    assert Record.objects.filter(individual_attended=False).exists()
    today = timezone.localdate()
    period = Period(Granularity.YEAR, today.replace(year=today.year - 3, month=1, day=1), today)
    rows = stats.finsam_rows(period)
    assert sum(row.women for row in rows) > 0 and sum(row.men for row in rows) > 0
    result = stats.statistics(period)
    assert result.responses.totals.total.value > 0
    assert result.plan.table.totals.total.value > 0
    assert bench_pages.STATS_QUERY.startswith("?granularity=tertial&")
