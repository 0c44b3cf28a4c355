"""Case and deviation numbers: handed out at the same moment, never the same number twice."""

import pytest
from django.db import connection

from cases.models import CaseNumberSequence
from deviations.models import DeviationNumberSequence
from tests.cases.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_numbers_taken_at_once_are_distinct_and_consecutive():
    numbers = run_together(*[lambda: DeviationNumberSequence.next_number(2030) for _ in range(6)])
    assert sorted(numbers) == [f"AV-2030-{n:04d}" for n in range(1, 7)]


def test_each_kind_of_number_counts_on_its_own():
    assert DeviationNumberSequence.next_number(2031) == "AV-2031-0001"
    assert CaseNumberSequence.next_case_number(2031) == "RR-2031-0001"
    assert CaseNumberSequence.next_case_number(2031) == "RR-2031-0002"
