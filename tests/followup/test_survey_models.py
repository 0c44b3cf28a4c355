"""The survey answer cannot be traced to a case: no field points at one, and no time finer than the month is kept."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection
from django.db.models import DateTimeField, ForeignKey

from followup.models import Agreement, SurveyAnswer, SurveyLink
from followup.models_survey import SURVEY_LINK_DAYS, AlreadyAnswered, token_hash
from meetings.models import Council
from tests.cases.test_concurrency import run_together
from tests.factories import make_council

ANSWERS = {"listened_to": "fully", "plan_forward": "partly", "right_people": "dont_know"}


@pytest.fixture
def council(db):
    return make_council(name="Resursrådet Enkät")


def test_survey_models_point_at_nothing_but_the_council():
    for model in (SurveyLink, SurveyAnswer):
        relations = [field for field in model._meta.get_fields() if field.is_relation]
        assert [(field.name, field.related_model) for field in relations] == [("council", Council)], model
        assert not any(isinstance(field, ForeignKey) and field.name != "council" for field in relations)
        # No exact time: every date is a day, and none is a timestamp.
        assert not any(isinstance(field, DateTimeField) for field in model._meta.get_fields())
    names = {field.name for field in SurveyAnswer._meta.get_fields()}
    assert names == {
        "id",
        "council",
        "month",
        "answered_month",
        "listened_to",
        "plan_forward",
        "right_people",
        "free_text",
    }


def test_a_stored_answer_knows_only_the_council_and_months(council):
    token = SurveyLink.issue(council, date(2026, 3, 17), today=date(2026, 3, 17))
    link = SurveyLink.objects.for_token(token, today=date(2026, 3, 20))
    answer = link.answer(today=date(2026, 4, 9), free_text="Bra möte", **ANSWERS)
    stored = SurveyAnswer.objects.values().get(pk=answer.pk)
    assert stored["month"] == date(2026, 3, 1)
    assert stored["answered_month"] == date(2026, 4, 1)
    assert set(stored) == {
        "id",
        "council_id",
        "month",
        "answered_month",
        "listened_to",
        "plan_forward",
        "right_people",
        "free_text",
    }
    # The token itself is not stored, only its hash.
    assert not SurveyLink.objects.filter(token_hash=token).exists()
    assert SurveyLink.objects.filter(token_hash=token_hash(token), month=date(2026, 3, 1)).count() == 1


def test_the_database_refuses_an_answer_with_a_day_finer_than_the_month(council):
    with pytest.raises(IntegrityError):
        SurveyAnswer.objects.create(
            council=council, month=date(2026, 3, 17), answered_month=date(2026, 3, 1), **ANSWERS
        )


def test_a_link_answered_twice_counts_once(council):
    link = SurveyLink.objects.for_token(SurveyLink.issue(council, date.today()))
    link.answer(**ANSWERS)
    with pytest.raises(AlreadyAnswered):
        SurveyLink.objects.get(pk=link.pk).answer(**ANSWERS)
    assert SurveyAnswer.objects.count() == 1


def test_a_link_closes_after_its_days(council):
    token = SurveyLink.issue(council, date(2026, 3, 2), today=date(2026, 3, 2))
    assert SurveyLink.objects.for_token(token, today=date(2026, 3, 2) + timedelta(days=SURVEY_LINK_DAYS - 1))
    assert (
        SurveyLink.objects.for_token(token, today=date(2026, 3, 2) + timedelta(days=SURVEY_LINK_DAYS)) is None
    )
    assert SurveyLink.objects.for_token("x" * 100) is None
    assert SurveyLink.objects.for_token("") is None


def test_counts_are_one_query_per_period(council, django_assert_num_queries):
    for value in ["fully", "fully", "not"]:
        SurveyLink.objects.for_token(SurveyLink.issue(council, date(2026, 3, 5))).answer(
            **{**ANSWERS, "listened_to": value}
        )
    with django_assert_num_queries(1):
        counts = SurveyAnswer.objects.for_period(council, date(2026, 1, 1), date(2026, 3, 1)).counts()
    assert counts["total"] == 3
    assert counts["listened_to__fully"] == 2
    assert counts["listened_to__not"] == 1
    assert counts[f"right_people__{Agreement.DONT_KNOW}"] == 3
    assert SurveyAnswer.objects.for_period(council, date(2026, 4, 1), date(2026, 5, 1)).counts()["total"] == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_one_link_answered_at_the_same_moment_from_two_phones_counts_once():
    council = make_council(name="Resursrådet Samtidigt")
    token = SurveyLink.issue(council, date.today())
    results = run_together(
        lambda: SurveyLink.objects.for_token(token).answer(**ANSWERS),
        lambda: SurveyLink.objects.for_token(token).answer(**ANSWERS),
    )
    assert sum(isinstance(result, SurveyAnswer) for result in results) == 1, results
    assert sum(isinstance(result, AlreadyAnswered) for result in results) == 1, results
    assert SurveyAnswer.objects.count() == 1
