"""The statistics page and the Finsam export: who may read them, the period form, and constant queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.stats import can_view_statistics
from tests.factories import make_council
from tests.followup import stats_data as data

URL_NAMES = ["followup:statistics", "followup:finsam_export"]
YEAR = {"granularity": "tertial", "period_from": "2026-01-01", "period_to": "2026-12-31"}


@pytest.mark.parametrize("role", ["coordinator", "steering_member"])
@pytest.mark.parametrize("url_name", URL_NAMES)
def test_coordinators_and_the_styrgrupp_read_the_statistics(client, cast, role, url_name):
    client.force_login(cast[role])
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("role", ["case_worker", "other_case_worker", "council_member", "administrator"])
@pytest.mark.parametrize("url_name", URL_NAMES)
def test_everyone_else_gets_404(client, cast, role, url_name):
    client.force_login(cast[role])
    assert client.get(reverse(url_name), YEAR).status_code == 404
    assert not can_view_statistics(cast[role])


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_an_inactive_coordinator_gets_nothing(client, coordinator, url_name):
    coordinator.is_active = False
    coordinator.save()
    assert not can_view_statistics(coordinator)
    client.force_login(coordinator)
    assert client.get(reverse(url_name)).status_code in (302, 404)


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_anonymous_is_sent_to_login(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url_name", URL_NAMES)
def test_post_is_refused(client, coordinator, url_name):
    client.force_login(coordinator)
    assert client.post(reverse(url_name), YEAR).status_code == 405


def test_the_menu_leads_coordinators_to_statistik(client, coordinator):
    client.force_login(coordinator)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert f'href="{reverse("followup:statistics")}"' in html
    assert "Statistik" in html


def test_an_end_before_the_start_is_said_beside_the_field_and_the_dates_are_kept(client, coordinator):
    client.force_login(coordinator)
    response = client.get(
        reverse("followup:statistics"),
        {"granularity": "month", "period_from": "2026-05-01", "period_to": "2026-04-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period_to"] == ["Periodens slut får inte ligga före dess början."]
    assert "result" not in response.context
    html = response.content.decode()
    assert 'value="2026-05-01"' in html and 'value="2026-04-01"' in html
    assert "Rätta perioden ovan för att se statistiken." in html
    assert "<title>Fel:" in html


@pytest.mark.parametrize(
    "params,field",
    [
        ({"period_from": "2026-13-01"}, "period_from"),
        ({"period_to": "igår"}, "period_to"),
        ({"granularity": "week"}, "granularity"),
        ({"council": "999999"}, "council"),
        ({"council": "x"}, "council"),
        ({"granularity": "month", "period_from": "2020-01-01", "period_to": "2026-12-31"}, "granularity"),
        ({"granularity": "year", "period_from": "2000-01-01", "period_to": "2026-12-31"}, "period_to"),
    ],
)
def test_bad_input_is_explained_beside_its_field_never_a_500(client, steering_member, params, field):
    client.force_login(steering_member)
    for url_name in URL_NAMES:
        response = client.get(reverse(url_name), params)
        assert response.status_code == 200
        assert field in response.context["form"].errors


def test_one_end_alone_is_completed(client, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("followup:statistics"), {"granularity": "year", "period_to": "2019-06-30"})
    period = response.context["result"].period
    assert (period.start, period.end) == (date(2019, 1, 1), date(2019, 6, 30))
    response = client.get(
        reverse("followup:statistics"), {"granularity": "month", "period_from": "2010-01-01"}
    )
    period = response.context["result"].period
    assert period.start == date(2010, 1, 1)
    assert len(period.buckets()) == 36


def test_the_page_shows_tables_with_captions_and_charts(client, coordinator, case_worker):
    council = make_council(coordinators=[coordinator])
    meeting = data.meeting(coordinator, date(2026, 3, 2), council=council)
    for _index in range(6):
        data.slot(coordinator, data.referral(case_worker, submitted=date(2026, 1, 5)), meeting)
    client.force_login(coordinator)
    html = client.get(reverse("followup:statistics"), {**YEAR, "council": council.pk}).content.decode()
    for key in [
        "participants",
        "referrals_sex",
        "referrals_party",
        "target_groups",
        "referrals_outcome",
        "meetings",
        "plan",
        "responses",
    ]:
        assert f'data-table="{key}"' in html
        assert f'data-chart="chart-{key}"' in html
    assert html.count("<caption>") >= 9
    assert '<th scope="row">Kvinnor</th>' in html
    assert "T1 2026" in html
    assert "granularity=tertial&amp;period_from=2026-01-01&amp;period_to=2026-12-31&amp;council=" in html


def many(case_worker, coordinator, council, count):
    """``count`` cases, each submitted, met and followed up, with a plan and responses, over 2026."""
    for index in range(count):
        month = index % 12 + 1
        case = data.referral(
            case_worker, submitted=date(2026, month, 1), sex=["kvinna", "man", "ej_angivet"][index % 3]
        )
        first = data.meeting(coordinator, date(2026, month, 10), council=council)
        record = data.slot(coordinator, case, first, plan=("done", "not_done"), attended=index % 5 != 0)
        data.respond(record, coordinator, kommun="follows", af="partly")
        data.slot(
            coordinator,
            case,
            data.meeting(coordinator, date(2026, month, 20), council=council),
            purpose="follow_up",
        )


def queries(client, url_name, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return len(captured)


def test_the_same_queries_for_a_few_cases_and_many(client, coordinator, case_worker):
    council = make_council(coordinators=[coordinator])
    client.force_login(coordinator)
    client.get(reverse("followup:statistics"))
    pages = [
        ("followup:statistics", {**YEAR, "granularity": "month"}),
        ("followup:statistics", {**YEAR, "council": council.pk}),
        ("followup:finsam_export", YEAR),
    ]
    many(case_worker, coordinator, council, 3)
    small = [queries(client, url_name, params) for url_name, params in pages]
    many(case_worker, coordinator, council, 60)
    assert [queries(client, url_name, params) for url_name, params in pages] == small
    if connection.vendor == "postgresql":
        # Eight, and one more when a council is chosen: the form looks it up.
        assert max(small) <= 9


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes each median in a query or two")
def test_the_page_counts_in_a_fixed_number_of_queries(
    client, coordinator, case_worker, django_assert_num_queries
):
    council = make_council(coordinators=[coordinator])
    many(case_worker, coordinator, council, 24)
    client.force_login(coordinator)
    client.get(reverse("followup:statistics"))
    # Session and user, the councils for the form, five for the tables (the Finsam figures among them).
    with django_assert_num_queries(8):
        client.get(reverse("followup:statistics"), YEAR)
    # Session and user, one for the Finsam figures.
    with django_assert_num_queries(3):
        client.get(reverse("followup:finsam_export"), YEAR)
