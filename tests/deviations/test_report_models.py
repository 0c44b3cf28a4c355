"""The reporting side of the model: the one-time token against double reports, and the reporter's own list."""

import uuid

import pytest

from deviations.models import Deviation
from tests.factories import report_deviation

pytestmark = pytest.mark.django_db


def test_the_same_token_twice_gives_the_first_report(case_worker):
    token = uuid.uuid4()
    first = report_deviation(case_worker, token=token)
    second = report_deviation(case_worker, token=token)
    assert first.pk == second.pk
    assert Deviation.objects.count() == 1


def test_another_users_token_protects_nothing(case_worker, coordinator):
    token = uuid.uuid4()
    first = report_deviation(case_worker, token=token)
    second = report_deviation(coordinator, token=token)
    assert first.pk != second.pk
    assert second.creation_token is None


def test_own_reports_are_the_users_own_only(case_worker, coordinator, steering_member):
    mine = report_deviation(case_worker)
    report_deviation(coordinator)
    assert list(Deviation.objects.own_reports(case_worker)) == [mine]
    # The styrgrupp sees every deviation, but its own reports are none of them.
    assert not Deviation.objects.own_reports(steering_member).exists()
