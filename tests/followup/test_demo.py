"""The follow-up demo: closed and followed-up cases in two periods, survey answers and a log reviewer."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from cases.models import Referral
from followup.demo import periods, tertial_start
from followup.models_survey import SurveyAnswer
from meetings.models import FollowUpStatus, PlanItem, Record, Response
from resursrad.models import AccessLog, User


@pytest.fixture
def demo(db, settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())


@pytest.mark.parametrize(
    "today,expected",
    [
        (date(2026, 11, 24), [date(2026, 5, 1), date(2026, 9, 1)]),
        (date(2026, 4, 30), [date(2025, 9, 1), date(2026, 1, 1)]),
        # Early in a tertial its cases cannot have been followed up: the two before it.
        (date(2026, 9, 10), [date(2026, 1, 1), date(2026, 5, 1)]),
        (date(2026, 1, 15), [date(2025, 5, 1), date(2025, 9, 1)]),
    ],
)
def test_the_periods_are_the_last_two_tertials_with_room_for_a_follow_up(today, expected):
    assert periods(today) == expected


def test_each_period_has_at_least_five_women_and_five_men(demo):
    for start in periods(date.today()):
        end = tertial_start(start + timedelta(days=130))
        in_period = Referral.objects.filter(
            submitted_at__date__gte=start, submitted_at__date__lt=end, agenda_items__isnull=False
        ).distinct()
        sexes = Counter(referral.participant.sex for referral in in_period.select_related("participant"))
        assert sexes["kvinna"] >= 5 and sexes["man"] >= 5, (start, sexes)
        assert sexes["ej_angivet"] >= 1
        # Every step of the period's cases lies in the period.
        assert not in_period.filter(events__at__date__gte=end).exclude(events__kind="erased").exists()
        assert not in_period.filter(events__at__date__lt=start).exists()
        closed = in_period.filter(status="closed")
        assert closed.count() >= 5
        assert len(set(in_period.values_list("organisation_id", flat=True))) == 4


def test_the_demo_has_what_follow_up_counts(demo):
    records = Record.objects.filter(finalised_at__isnull=False)
    assert records.filter(individual_attended=False).exists()
    assert records.filter(outcome="closed").count() >= 10
    statuses = set(PlanItem.objects.exclude(follow_up_status="").values_list("follow_up_status", flat=True))
    assert {FollowUpStatus.DONE, FollowUpStatus.NOT_DONE} <= statuses
    assert set(Response.objects.values_list("answer", flat=True)) == {"follows", "partly", "does_not_follow"}
    erased = Referral.objects.filter(participant__erased_at__isnull=False)
    assert erased.count() >= 2
    assert not erased.filter(participant__first_name__gt="").exists()


def test_one_council_has_five_survey_answers_in_one_month(demo):
    busiest = SurveyAnswer.objects.values("council", "month").annotate(n=Count("pk")).order_by("-n").first()
    assert busiest is not None and busiest["n"] >= 5


def test_the_log_reviewer_can_log_in_and_has_reads_to_review(demo, client):
    from resursrad.demo import DEMO_PASSWORD

    reviewer = User.objects.get(email="loggkontroll@demo.resursrad.se")
    assert reviewer.is_log_reviewer
    assert (
        client.post("/accounts/login/", {"username": reviewer.email, "password": DEMO_PASSWORD}).status_code
        == 302
    )
    assert AccessLog.objects.filter(at__date__gte=date.today() - timedelta(days=30)).count() >= 10


def test_loading_the_demo_twice_changes_nothing(demo):
    def state():  # type: ignore[no-untyped-def]
        return (
            sorted(Referral.objects.values_list("case_number", "status", "version", "participant__sex")),
            Record.objects.count(),
            PlanItem.objects.count(),
            Response.objects.count(),
            SurveyAnswer.objects.count(),
            AccessLog.objects.count(),
        )

    before = state()
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert state() == before
    assert "0 rows created" in out.getvalue()
