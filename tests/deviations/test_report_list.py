""" "Mina avvikelser": the reporter's own reports, overdue ones marked, and the reporter's menu items."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations.models import Deviation
from deviations.views.report import PAGE_SIZE
from resursrad.navigation import menu_for, start_pages_for
from tests.factories import report_deviation

pytestmark = pytest.mark.django_db

URL = reverse("deviations:mine")


def test_the_reporter_sees_only_their_own_reports_with_category_status_and_answer_due(
    client, case_worker, coordinator
):
    mine = report_deviation(case_worker, category="waiting")
    theirs = report_deviation(coordinator)
    client.force_login(case_worker)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert mine.number in content and theirs.number not in content
    assert reverse("deviations:detail", args=[mine.pk]) in content
    assert "Väntetid" in content and "Rapporterad" in content
    assert mine.answer_due_on.isoformat() in content
    assert "Svaret är försenat" not in content


def test_an_overdue_report_is_marked_in_words_not_only_colour(client, case_worker, handler):
    late = report_deviation(case_worker)
    answered = report_deviation(case_worker)
    past = timezone.localdate() - timedelta(days=1)
    Deviation.objects.filter(pk__in=[late.pk, answered.pk]).update(answer_due_on=past)
    Deviation.objects.filter(pk=answered.pk).update(status="feedback_given")
    client.force_login(case_worker)
    rows = {row.pk: row for row in client.get(URL).context["page"].object_list}
    assert rows[late.pk].is_overdue and not rows[answered.pk].is_overdue
    assert client.get(URL).content.decode().count("Svaret är försenat") == 1


def test_the_list_says_when_there_is_nothing_yet(client, council_member):
    client.force_login(council_member)
    content = client.get(URL).content.decode()
    assert "Du har inte rapporterat några avvikelser." in content
    assert reverse("deviations:report") in content


def test_the_reporter_reads_the_feedback_on_the_deviations_page(client, case_worker, handler):
    deviation = report_deviation(case_worker)
    deviation.take(by=handler)
    deviation.decide(
        by=handler,
        decision="En gemensam rutin tas fram.",
        responsible_party="fk",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    deviation.give_feedback(by=handler, feedback="Rutinen gäller från nästa kvartal.")
    client.force_login(case_worker)
    assert "Återkopplad" in client.get(URL).content.decode()
    page = client.get(reverse("deviations:detail", args=[deviation.pk]))
    assert "Rutinen gäller från nästa kvartal." in page.content.decode()


def test_the_list_is_paginated_with_a_constant_number_of_queries(client, case_worker):
    client.force_login(case_worker)
    report_deviation(case_worker)
    client.get(URL)  # the first page after logging in also saves the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    few = count()
    for _ in range(PAGE_SIZE + 5):
        report_deviation(case_worker)
    many = count()
    assert many == few <= 4
    page = client.get(URL).context["page"]
    assert len(page.object_list) == PAGE_SIZE and page.has_next()
    second = client.get(URL, {"page": 2}).context["page"]
    assert len(second.object_list) == 6


@pytest.mark.parametrize("role", ["steering_member", "administrator"])
def test_the_steering_group_and_administrators_have_no_list(client, cast, role):
    client.force_login(cast[role])
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_list_refuses_other_methods(client, case_worker, method):
    client.force_login(case_worker)
    assert getattr(client, method)(URL).status_code == 405


# --- the menu -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "council_member"])
def test_reporters_find_both_pages_in_the_menu_but_never_as_a_start_page(cast, role):
    user = cast[role]
    names = [item.url_name for item in menu_for(user)]
    assert names[-2:] == ["deviations:report", "deviations:mine"]
    assert not {"deviations:report", "deviations:mine"} & {item.url_name for item in start_pages_for(user)}


@pytest.mark.parametrize("role", ["steering_member", "administrator"])
def test_the_steering_group_and_administrators_are_not_offered_reporting(cast, role):
    names = [item.url_name for item in menu_for(cast[role])]
    assert "deviations:report" not in names and "deviations:mine" not in names


def test_the_menu_marks_the_reporters_page_as_current(client, case_worker):
    client.force_login(case_worker)
    content = client.get(URL).content.decode()
    assert f'<a class="nav-link active" href="{URL}" aria-current="page">Mina avvikelser</a>' in content
    assert "Rapportera avvikelse</a>" in content
