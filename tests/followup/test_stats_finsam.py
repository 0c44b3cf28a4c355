"""The Uppföljning Finsam export: women and men per period, exact, the same before and after erasure."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Referral
from followup import stats
from followup.stats import Granularity, Period
from meetings.models import Meeting
from tests.factories import make_council, make_meeting, make_participant
from tests.followup import stats_data as data
from tests.meetings.run_support import draft, slot

HEADER = ["Period från", "Period till", "Insats", "Deltagare totalt", "Kvinnor", "Män", "Kön ej angivet"]


def rows_of(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def this_month():
    today = timezone.localdate()
    return Period(Granularity.MONTH, today.replace(day=1), today)


@pytest.fixture
def held_meeting(case_worker, coordinator):
    """Today's meeting, run through the domain: 3 women, 2 men and 1 of sex not stated took part, 1 man did not."""
    meeting = make_meeting(
        make_council(coordinators=[coordinator]), days_ahead=0, starts_at="08:00", ends_at="17:00"
    )
    people = ["kvinna"] * 3 + ["man"] * 2 + ["ej_angivet"]
    # Every case on the agenda first: the meeting closes with its last record.
    items = [
        slot(
            case_worker,
            coordinator,
            meeting=meeting,
            participant=make_participant(sex=sex, personal_number="", first_name=f"Person{index}"),
        )
        for index, sex in enumerate([*people, "man"])
    ]
    for item in items[:-1]:
        draft(item, coordinator).finalise(by=coordinator, outcome="held")
    record = draft(
        items[-1],
        coordinator,
        individual_attended=False,
        own_account="",
        recommendation="",
        plan=[],
        follow_up_on=None,
    )
    record.finalise(by=coordinator, outcome="backlog")
    return meeting


def export(client, user, period, **extra):
    client.force_login(user)
    params = {
        "granularity": period.granularity,
        "period_from": period.start.isoformat(),
        "period_to": period.end.isoformat(),
        **extra,
    }
    response = client.get(reverse("followup:finsam_export"), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response


def test_the_export_counts_women_and_men_before_and_after_the_cases_are_erased(
    client, coordinator, held_meeting
):
    period = this_month()
    expected = [
        HEADER,
        [period.start.isoformat(), period.end.isoformat(), "Resursråd", "6", "3", "2", "1"],
    ]
    assert rows_of(export(client, coordinator, period)) == expected
    cases = list(Referral.objects.filter(agenda_items__meeting=held_meeting))
    assert len(cases) == 7
    for case in cases:
        assert case.erase_personal_data() is True
    assert Referral.objects.filter(participant__erased_at__isnull=True).count() == 0
    assert all(case.participant.first_name == "" for case in Referral.objects.select_related("participant"))
    assert rows_of(export(client, coordinator, period)) == expected


def test_the_page_shows_the_same_figures_masked(client, steering_member, held_meeting):
    period = this_month()
    client.force_login(steering_member)
    response = client.get(
        reverse("followup:statistics"),
        {
            "granularity": "month",
            "period_from": period.start.isoformat(),
            "period_to": period.end.isoformat(),
        },
    )
    (line,) = response.context["finsam_cells"]
    # 6 in total; 3 women, 2 men and 1 not stated are each under five.
    assert [cell.text for cell in line.cells] == ["6", "<5", "<5", "<5"]
    assert [cell.value for cell in line.cells] == [6, 3, 2, 1]
    assert reverse("followup:finsam_export") in response.content.decode()


def test_an_empty_period_gives_a_file_with_the_headers_only(client, coordinator, held_meeting):
    response = export(client, coordinator, Period(Granularity.YEAR, date(2020, 1, 1), date(2020, 12, 31)))
    assert rows_of(response) == [HEADER]
    assert 'filename="uppfoljning-finsam_2020-01-01_2020-12-31.csv"' in response["Content-Disposition"]


def test_one_row_per_period_with_participants_and_the_councils_name(client, coordinator, case_worker):
    council = make_council(name="Resursrådet Syd", coordinators=[coordinator])
    for day, sexes in [(date(2026, 2, 10), ["kvinna", "man", "man"]), (date(2026, 6, 2), ["kvinna"])]:
        meeting = data.meeting(coordinator, day, council=council)
        for sex in sexes:
            data.slot(coordinator, data.referral(case_worker, submitted=date(2026, 1, 5), sex=sex), meeting)
    period = Period(Granularity.TERTIAL, date(2026, 1, 1), date(2026, 12, 31))
    rows = rows_of(export(client, coordinator, period, council=str(council.pk)))
    assert rows == [
        HEADER,
        ["2026-01-01", "2026-04-30", "Resursrådet Syd", "3", "1", "2", "0"],
        ["2026-05-01", "2026-08-31", "Resursrådet Syd", "1", "1", "0", "0"],
    ]
    assert (
        stats.finsam_file_name(period, council)
        == f"uppfoljning-finsam_rad-{council.pk}_2026-01-01_2026-12-31.csv"
    )
    assert Meeting.objects.count() == 2


def test_a_wrong_period_shows_the_page_with_the_error_and_no_file(client, coordinator):
    client.force_login(coordinator)
    response = client.get(
        reverse("followup:finsam_export"), {"period_from": "2026-05-01", "period_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Periodens slut får inte ligga före dess början." in response.content.decode()


def test_the_export_holds_no_names_or_numbers(client, coordinator, held_meeting):
    body = export(client, coordinator, this_month()).content.decode()
    assert "Person0" not in body and "RR-" not in body
