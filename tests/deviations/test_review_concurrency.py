"""Two people acting on one deviation at the same moment, with threads started together (PostgreSQL row locks)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from deviations.models import Deviation, DeviationEvent, StatementRequest
from deviations.workflow import DeviationError, Status
from tests.cases.test_concurrency import run_together
from tests.factories import UserFactory, report_deviation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_steering_members_taking_one_deviation_at_once_make_one_handler(coordinator, steering_member):
    colleague = UserFactory(email="eva@styrgrupp.test", is_steering_member=True)
    deviation = report_deviation(coordinator)
    version = deviation.version
    results = run_together(
        lambda: Deviation.objects.get(pk=deviation.pk).take(by=steering_member, version=version),
        lambda: Deviation.objects.get(pk=deviation.pk).take(by=colleague, version=version),
    )
    assert sum(result is None for result in results) == 1, results
    assert sum(isinstance(result, DeviationError) for result in results) == 1, results
    deviation.refresh_from_db()
    assert deviation.status == Status.RECEIVED
    assert deviation.handler in (steering_member, colleague)
    assert (
        deviation.events.filter(kind=DeviationEvent.Kind.TRANSITION, to_status=Status.RECEIVED).count() == 1
    )


def test_two_steering_members_taking_without_a_version_still_make_one_handler(coordinator, steering_member):
    colleague = UserFactory(email="eva@styrgrupp.test", is_steering_member=True)
    deviation = report_deviation(coordinator)
    results = run_together(
        lambda: Deviation.objects.get(pk=deviation.pk).take(by=steering_member),
        lambda: Deviation.objects.get(pk=deviation.pk).take(by=colleague),
    )
    assert sum(isinstance(result, DeviationError) for result in results) == 1, results
    assert Deviation.objects.get(pk=deviation.pk).events.filter(to_status=Status.RECEIVED).count() == 1


def test_two_contacts_answering_at_once_give_one_statement(coordinator, steering_member, fk_org, fk_contact):
    colleague = UserFactory(email="kollega@fk.test", organisation=fk_org, is_deviation_contact=True)
    deviation = report_deviation(coordinator)
    deviation.take(by=steering_member)
    [request] = deviation.request_statements(
        by=steering_member,
        organisations=[fk_org],
        question="Hur gör ni?",
        due_on=timezone.localdate() + timedelta(days=14),
    )
    results = run_together(
        lambda: StatementRequest.objects.get(pk=request.pk).give_answer(
            by=fk_contact, answer="Svar från Anna."
        ),
        lambda: StatementRequest.objects.get(pk=request.pk).give_answer(by=colleague, answer="Svar från Bo."),
    )
    assert sum(result is None for result in results) == 1, results
    assert sum(isinstance(result, DeviationError) for result in results) == 1, results
    request.refresh_from_db()
    assert request.answer in ("Svar från Anna.", "Svar från Bo.")
    assert deviation.events.filter(kind=DeviationEvent.Kind.STATEMENT_GIVEN).count() == 1
