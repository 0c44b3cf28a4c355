"""The statistics' counts on small known sets, by tertial of 2026: referrals, participants, meetings, times, plans, responses."""

from datetime import date

import pytest
from django.db import connection

from followup import stats
from followup.stats import Bucket, Granularity, Period
from meetings.models import Meeting
from tests.factories import OrganisationFactory, make_council
from tests.followup import stats_data as data

YEAR_2026 = Period(Granularity.TERTIAL, date(2026, 1, 1), date(2026, 12, 31))


def values(table):
    """Each row's exact counts and total, by row key: what was counted, before any masking."""
    result = {
        row.key: ([cell.value for cell in row.cells], row.total.value if row.total else None)
        for row in table.rows
    }
    if table.totals is not None:
        result["total"] = ([cell.value for cell in table.totals.cells], table.totals.total.value)
    return result


@pytest.fixture
def referrals(case_worker):
    af = OrganisationFactory(name="AF Haninge", party="af")
    region = OrganisationFactory(name="Region Haninge", party="region")
    fk = OrganisationFactory(name="FK Haninge", party="fk")
    for day in range(6):
        data.referral(case_worker, submitted=date(2026, 1, 10 + day), sex="kvinna", status="closed")
    for day in range(2):
        data.referral(
            case_worker,
            submitted=date(2026, 4, 29 + day),
            sex="man",
            status="declined",
            organisation=af,
            groups=("young_disability", "long_term_sick"),
        )
    data.referral(
        case_worker, submitted=date(2026, 3, 1), sex="ej_angivet", status="accepted", organisation=fk
    )
    for day in range(5):
        data.referral(
            case_worker,
            submitted=date(2026, 5, 1 + day),
            sex="man",
            status="consent_ended",
            organisation=region,
            groups=("young_activity_compensation",),
        )
    # Outside the period, and never submitted: not counted.
    data.referral(case_worker, submitted=date(2025, 12, 31), sex="kvinna")
    data.referral(case_worker, submitted=date(2027, 1, 1), sex="kvinna")
    unsent = data.referral(case_worker, submitted=date(2026, 2, 1), status="draft")
    unsent.submitted_at = None
    unsent.save(update_fields=["submitted_at"])


def test_referrals_by_sex_party_target_group_and_outcome(referrals):
    sex, party, groups, outcome = stats.referral_tables(YEAR_2026, None, ["T1", "T2", "T3"])
    assert values(sex) == {
        "kvinna": ([6, 0, 0], 6),
        "man": ([2, 5, 0], 7),
        "ej_angivet": ([1, 0, 0], 1),
        "total": ([9, 5, 0], 14),
    }
    assert values(party) == {
        "kommun": ([6, 0, 0], 6),
        "region": ([0, 5, 0], 5),
        "af": ([2, 0, 0], 2),
        "fk": ([1, 0, 0], 1),
        "total": ([9, 5, 0], 14),
    }
    # A referral may name several target groups: no total row.
    assert values(groups) == {
        "long_term_sick": ([9, 0, 0], 9),
        "young_disability": ([2, 0, 0], 2),
        "young_activity_compensation": ([0, 5, 0], 5),
        "other": ([0, 0, 0], 0),
    }
    assert groups.totals is None
    assert values(outcome) == {
        "under_way": ([1, 0, 0], 1),
        "closed": ([6, 0, 0], 6),
        "declined": ([2, 0, 0], 2),
        "consent_ended": ([0, 5, 0], 5),
        "total": ([9, 5, 0], 14),
    }


def test_the_same_referrals_by_month_and_by_year(referrals):
    by_month = Period(Granularity.MONTH, date(2026, 1, 1), date(2026, 5, 31))
    sex = stats.referral_tables(by_month, None, [b.label for b in by_month.buckets()])[0]
    assert values(sex)["total"] == ([6, 0, 1, 2, 5], 14)
    by_year = Period(Granularity.YEAR, date(2025, 1, 1), date(2026, 12, 31))
    sex = stats.referral_tables(by_year, None, ["2025", "2026"])[0]
    assert values(sex)["kvinna"] == ([1, 6], 7)


@pytest.fixture
def meetings(case_worker, coordinator, other_case_worker):
    council = make_council(coordinators=[coordinator])
    m1 = data.meeting(coordinator, date(2026, 2, 10), council=council)
    m2 = data.meeting(coordinator, date(2026, 3, 15), council=council)
    m3 = data.meeting(coordinator, date(2026, 6, 1), council=council)
    earlier = data.meeting(coordinator, date(2025, 12, 1), council=council)
    data.meeting(coordinator, date(2026, 9, 1), council=council, status="planned")
    w1 = data.referral(case_worker, submitted=date(2025, 12, 1), sex="kvinna", status="held")
    w2 = data.referral(case_worker, submitted=date(2025, 12, 11), sex="kvinna", status="held")
    w3 = data.referral(case_worker, submitted=date(2025, 12, 5), sex="kvinna", status="held")
    w4 = data.referral(case_worker, submitted=date(2025, 10, 1), sex="kvinna", status="held")
    man1 = data.referral(case_worker, submitted=date(2025, 12, 21), sex="man", status="held")
    man2 = data.referral(case_worker, submitted=date(2025, 12, 25), sex="man", status="held")
    absent = data.referral(case_worker, submitted=date(2025, 12, 31), sex="ej_angivet", status="accepted")
    first = data.slot(coordinator, w1, m1, plan=("done", "done", "not_done"))
    data.respond(first, coordinator, kommun="follows", region="partly")
    second = data.slot(coordinator, w2, m1, plan=("done",))
    data.respond(second, coordinator, kommun="follows")
    data.respond(data.slot(coordinator, man1, m1), coordinator, af="does_not_follow")
    data.slot(coordinator, absent, m1, attended=False)
    data.slot(coordinator, w1, m2, purpose="follow_up", plan=("done", "under_way"))
    data.slot(coordinator, w3, m2)
    data.slot(coordinator, w1, m3, purpose="follow_up", outcome="closed")
    data.slot(coordinator, man2, m3)
    data.slot(coordinator, w4, earlier)
    # Another council's meeting: counted for all councils, not for this one.
    other = make_council(name="Resursrådet Norr", coordinators=[coordinator])
    w5 = data.referral(other_case_worker, submitted=date(2025, 12, 15), sex="kvinna", status="held")
    data.slot(coordinator, w5, data.meeting(coordinator, date(2026, 2, 20), council=other))
    return council


def test_participants_are_counted_once_per_period_and_once_over_the_whole(meetings):
    counts = stats.participant_counts(YEAR_2026, meetings)
    table = stats.participants_table(YEAR_2026, counts, ["T1", "T2", "T3"])
    # W1 met the council twice in T1 and once in T2; the absent individual is no participant.
    assert values(table) == {
        "kvinna": ([3, 1, 0], 3),
        "man": ([1, 1, 0], 2),
        "ej_angivet": ([0, 0, 0], 0),
        "total": ([4, 2, 0], 5),
    }


def test_participants_of_all_councils(meetings):
    table = stats.participants_table(YEAR_2026, stats.participant_counts(YEAR_2026, None), ["T1", "T2", "T3"])
    assert values(table)["kvinna"] == ([4, 1, 0], 4)


def test_meetings_held_slots_used_and_absent(meetings):
    table = stats.meetings_table(YEAR_2026, meetings, ["T1", "T2", "T3"])
    assert values(table) == {
        "held": ([2, 1, 0], 3),
        "slots": ([6, 2, 0], 8),
        "absent": ([1, 0, 0], 1),
    }
    assert values(stats.meetings_table(YEAR_2026, None, ["T1", "T2", "T3"]))["held"] == ([3, 1, 0], 4)


def test_median_days_to_the_first_meeting_and_to_the_follow_up(meetings):
    to_meeting, to_follow_up = stats.medians(YEAR_2026, meetings)
    # 51, 61, 71, 100 and 158 days: the individuals who took part in a first meeting.
    assert (to_meeting.days, to_meeting.count) == (pytest.approx(71), 5)
    assert to_meeting.is_shown
    # 33 and 78 days: two follow-ups are too few to show.
    assert (to_follow_up.days, to_follow_up.count) == (pytest.approx(55.5), 2)
    assert not to_follow_up.is_shown


def test_plan_items_are_counted_at_the_follow_up_that_recorded_them(meetings):
    share = stats.plan_share(YEAR_2026, meetings)
    # W1's first plan at the March follow-up, her second at the June one; W2's plan is not followed up yet.
    assert values(share.table) == {
        "done": ([3], 3),
        "under_way": ([1], 1),
        "not_done": ([1], 1),
        "total": ([5], 5),
    }
    only_march = Period(Granularity.MONTH, date(2026, 3, 1), date(2026, 3, 31))
    assert values(stats.plan_share(only_march, meetings).table)["total"] == ([3], 3)


def test_responses_per_party_and_answer(meetings):
    table = stats.responses_table(YEAR_2026, meetings)
    assert values(table) == {
        "kommun": ([2, 0, 0], 2),
        "region": ([0, 1, 0], 1),
        "af": ([0, 0, 1], 1),
        "fk": ([0, 0, 0], 0),
        "total": ([2, 1, 1], 4),
    }


def test_share_done_is_shown_only_when_no_figure_behind_it_is_hidden(coordinator, case_worker):
    council = make_council(coordinators=[coordinator])
    first, follow_up = data.meeting(coordinator, date(2026, 2, 1), council=council), None
    follow_up = data.meeting(coordinator, date(2026, 4, 1), council=council)
    for _index in range(2):
        case = data.referral(case_worker, submitted=date(2026, 1, 5))
        data.slot(coordinator, case, first, plan=("done", "done", "done", "not_done", "not_done", "not_done"))
        data.slot(coordinator, case, follow_up, purpose="follow_up")
    share = stats.plan_share(YEAR_2026, council)
    assert values(share.table)["total"] == ([12], 12)
    assert share.percent_done == pytest.approx(50)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes each median in a query or two")
def test_the_whole_page_counts_with_five_queries(meetings, django_assert_num_queries):
    with django_assert_num_queries(5):
        result = stats.statistics(YEAR_2026, meetings)
    assert result.columns == ["T1 2026", "T2 2026", "T3 2026"]


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2026, 4, 30), Bucket(2026, 1, "tertial")),
        (date(2026, 5, 1), Bucket(2026, 2, "tertial")),
        (date(2026, 8, 31), Bucket(2026, 2, "tertial")),
        (date(2026, 9, 1), Bucket(2026, 3, "tertial")),
    ],
)
def test_tertials_are_january_to_april_may_to_august_and_september_to_december(day, expected):
    assert Bucket.of(day, Granularity.TERTIAL) == expected


def test_a_tertial_is_counted_in_the_database_by_the_same_months(coordinator, case_worker):
    council = make_council(coordinators=[coordinator])
    for day in (date(2026, 4, 30), date(2026, 5, 1), date(2026, 8, 31), date(2026, 9, 1)):
        data.slot(
            coordinator,
            data.referral(case_worker, submitted=date(2026, 1, 2)),
            data.meeting(coordinator, day, council=council),
        )
    assert Meeting.objects.count() == 4
    assert values(stats.meetings_table(YEAR_2026, council, ["T1", "T2", "T3"]))["held"] == ([1, 2, 1], 4)


def test_period_buckets_and_their_ends():
    period = Period(Granularity.TERTIAL, date(2026, 3, 15), date(2026, 10, 1))
    buckets = period.buckets()
    assert [b.label for b in buckets] == ["T1 2026", "T2 2026", "T3 2026"]
    assert (period.bucket_start(buckets[0]), period.bucket_end(buckets[0])) == (
        date(2026, 3, 15),
        date(2026, 4, 30),
    )
    assert (period.bucket_start(buckets[2]), period.bucket_end(buckets[2])) == (
        date(2026, 9, 1),
        date(2026, 10, 1),
    )
    assert Period.default(date(2026, 3, 10)) == Period(
        Granularity.TERTIAL, date(2025, 5, 1), date(2026, 4, 30)
    )
    assert Period.default(date(2026, 12, 1)) == Period(
        Granularity.TERTIAL, date(2026, 1, 1), date(2026, 12, 31)
    )
