"""The styrgrupp's inbox (its start page) and the party contact's requests for a statement."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations.models import Deviation
from tests.factories import OrganisationFactory, UserFactory, report_deviation

pytestmark = pytest.mark.django_db

INBOX = reverse("deviations:inbox")
STATEMENTS = reverse("deviations:statements")


def _overdue(deviation, days=3):
    Deviation.objects.filter(pk=deviation.pk).update(
        answer_due_on=timezone.localdate() - timedelta(days=days)
    )


def _ask(deviation, handler, org, days=14):
    return deviation.request_statements(
        by=handler,
        organisations=[org],
        question="Hur gör ni?",
        due_on=timezone.localdate() + timedelta(days=days),
    )[0]


def test_home_sends_a_steering_member_to_the_inbox(client, steering_member):
    client.force_login(steering_member)
    response = client.get(reverse("home"))
    assert response.url == INBOX


def test_the_inbox_lists_new_ones_mine_by_status_and_answered_statements(
    client, coordinator, handler, fk_org, fk_contact
):
    new = report_deviation(coordinator)
    late = report_deviation(coordinator)
    _overdue(late)
    mine = report_deviation(coordinator)
    mine.take(by=handler)
    asked = report_deviation(coordinator)
    asked.take(by=handler)
    request = _ask(asked, handler, fk_org)
    request.give_answer(by=fk_contact, answer="Svar.")
    other = UserFactory(email="eva@styrgrupp.test", is_steering_member=True)
    theirs = report_deviation(coordinator)
    theirs.take(by=other)

    client.force_login(handler)
    response = client.get(INBOX)
    assert response.status_code == 200
    inbox = response.context["inbox"]
    # Overdue first.
    assert [d.pk for d in inbox.new] == [late.pk, new.pk]
    assert [(str(status), [d.pk for d in rows]) for status, rows in inbox.mine] == [
        ("Mottagen", [mine.pk]),
        ("Under utredning", [asked.pk]),
    ]
    assert [s.pk for s in inbox.answered] == [request.pk]
    content = response.content.decode()
    assert "Försenad" in content  # in words, not only colour
    assert "1 avvikelse nedan har passerat sista svarsdag." in content
    assert theirs.number not in content


def test_the_inbox_asks_the_same_number_of_queries_for_many_deviations(
    client, coordinator, handler, fk_org, fk_contact
):
    def fill(count):
        for index in range(count):
            deviation = report_deviation(coordinator)
            if index % 3 == 0:
                _overdue(deviation)
            if index % 2 == 0:
                deviation.take(by=handler)
            if index % 4 == 0:
                _ask(deviation, handler, fk_org).give_answer(by=fk_contact, answer="Svar.")

    client.force_login(handler)
    client.get(INBOX)  # the session is saved on the first request
    fill(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INBOX).status_code == 200
    fill(30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(INBOX)
    assert len(response.context["inbox"].new) > 10
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "council_member", "administrator"])
def test_the_inbox_is_404_for_other_roles(client, cast, role):
    client.force_login(cast[role])
    assert client.get(INBOX).status_code == 404


def test_the_inbox_refuses_post(client, steering_member):
    client.force_login(steering_member)
    assert client.post(INBOX).status_code == 405


# --- the party contact's requests -----------------------------------------------------


def test_a_contact_starts_on_the_requests_waiting_and_answered_overdue_marked(
    client, coordinator, handler, fk_org, fk_contact
):
    first = report_deviation(coordinator)
    first.take(by=handler)
    waiting = _ask(first, handler, fk_org, days=5)
    second = report_deviation(coordinator)
    second.take(by=handler)
    late = _ask(second, handler, fk_org, days=1)
    late.__class__.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    third = report_deviation(coordinator)
    third.take(by=handler)
    _ask(third, handler, fk_org).give_answer(by=fk_contact, answer="Klart.")
    # Another organisation's request is not listed.
    fourth = report_deviation(coordinator)
    fourth.take(by=handler)
    _ask(fourth, handler, OrganisationFactory(name="AF Haninge", party="af"))

    client.force_login(fk_contact)
    response = client.get(reverse("home"))
    assert response.url == STATEMENTS
    response = client.get(STATEMENTS)
    assert response.status_code == 200
    assert [r.pk for r in response.context["waiting"]] == [late.pk, waiting.pk]
    assert [r.deviation_id for r in response.context["answered"]] == [third.pk]
    content = response.content.decode()
    assert "Försenad" in content
    assert "Begäran om yttrande" in content


def test_another_organisations_contact_sees_none_of_its_requests(client, coordinator, handler, fk_org):
    deviation = report_deviation(coordinator)
    deviation.take(by=handler)
    _ask(deviation, handler, fk_org)
    other = UserFactory(
        organisation=OrganisationFactory(name="AF Haninge", party="af"), is_deviation_contact=True
    )
    client.force_login(other)
    response = client.get(STATEMENTS)
    assert response.status_code == 200
    assert response.context["waiting"] == [] and response.context["answered"] == []


def test_the_requests_list_asks_the_same_number_of_queries_for_many(
    client, coordinator, handler, fk_org, fk_contact
):
    def fill(count):
        for index in range(count):
            deviation = report_deviation(coordinator)
            deviation.take(by=handler)
            request = _ask(deviation, handler, fk_org)
            if index % 2:
                request.give_answer(by=fk_contact, answer="Svar.")

    client.force_login(fk_contact)
    client.get(STATEMENTS)  # the session is saved on the first request
    fill(2)
    with CaptureQueriesContext(connection) as few:
        client.get(STATEMENTS)
    fill(20)
    with CaptureQueriesContext(connection) as many:
        client.get(STATEMENTS)
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "council_member", "administrator"])
def test_the_requests_list_is_404_for_who_is_no_contact(client, cast, role):
    client.force_login(cast[role])
    assert client.get(STATEMENTS).status_code == 404


def test_the_requests_list_refuses_post(client, fk_contact):
    client.force_login(fk_contact)
    assert client.post(STATEMENTS).status_code == 405
