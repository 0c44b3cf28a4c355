"""Queries compiled once per shape and run with each request's values (resursrad.compiled)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from cases.models import Referral
from resursrad.compiled import QueryShapes, compile_shape, first_of
from resursrad.models import User
from tests.factories import make_referral, submitted_referral

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


class Counted(QueryShapes):
    """QueryShapes that counts how often it builds with stand-ins (a compile) and at all."""

    def __init__(self, build, **kwargs):
        self.builds = 0
        super().__init__(self._counting(build), **kwargs)

    def _counting(self, build):
        def counted(key, values):
            self.builds += 1
            return build(key, values)

        return counted


def users_of(key, values):
    return (
        User.objects.filter(Q(organisation_id=values["organisation"]) | Q(pk__in=values["also"]))
        .order_by("pk")
        .values_list("email", "pk")
    )


def test_a_shape_is_compiled_once_and_run_with_each_requests_values(settings, case_worker, other_case_worker):
    settings.COMPILED_QUERIES_CHECK = False
    shapes = Counted(users_of)
    for user in (case_worker, other_case_worker, case_worker):
        values = {"organisation": user.organisation_id, "also": []}
        assert shapes.get("users", values).rows(values) == list(users_of("users", values))
    assert shapes.builds == 1


def test_a_lists_length_is_part_of_its_shape(settings, case_worker, other_case_worker, coordinator):
    settings.COMPILED_QUERIES_CHECK = False
    shapes = Counted(users_of)
    for also in ([], [coordinator.pk], [coordinator.pk, other_case_worker.pk], [other_case_worker.pk]):
        values = {"organisation": case_worker.organisation_id, "also": also}
        assert shapes.get("users", values).rows(values) == list(users_of("users", values))
    assert shapes.builds == 3


def test_the_least_used_shape_goes_first(settings, case_worker):
    settings.COMPILED_QUERIES_CHECK = False
    shapes = Counted(users_of, maxsize=2)
    for key in ("a", "b", "a", "c", "a", "b"):
        shapes.get(key, {"organisation": case_worker.organisation_id, "also": []})
    # a, b, c compiled; a kept as the most used; b compiled again after c pushed it out.
    assert shapes.builds == 4


def test_check_mode_fails_when_the_orm_would_send_other_sql(settings, case_worker):
    settings.COMPILED_QUERIES_CHECK = True

    def by_sign(key, values):
        # The SQL depends on a value the key does not name: a builder's mistake.
        if values["user"] < 0:
            return User.objects.filter(pk=values["user"])
        return User.objects.filter(pk=values["user"], is_active=True)

    with pytest.raises(AssertionError, match="differs from the ORM"):
        QueryShapes(by_sign).get("user", {"user": case_worker.pk})


def test_check_mode_passes_a_faithful_builder(settings, case_worker):
    settings.COMPILED_QUERIES_CHECK = True
    values = {"organisation": case_worker.organisation_id, "also": [case_worker.pk]}
    assert QueryShapes(users_of).get("users", values).rows(values) == list(users_of("users", values))


def test_a_value_written_into_the_sql_refuses_the_shape(case_worker):
    def inlined(key, values):
        return User.objects.annotate(number=RawSQL(str(values["user"]), ())).values_list("number")

    with pytest.raises(ValueError, match="written into the SQL"):
        QueryShapes(inlined).get("inlined", {"user": case_worker.pk})


def test_a_parameter_worked_out_from_a_value_refuses_the_shape(case_worker):
    def worked_out(key, values):
        return Referral.objects.filter(created_at__date__lte=values["today"] + timedelta(days=30))

    with pytest.raises(ValueError, match="worked out from a stand-in"):
        QueryShapes(worked_out).get("worked out", {"today": TODAY})


def test_only_ids_days_and_lists_of_ids_are_values(case_worker):
    for value in ("text", True, timezone.now(), None):
        with pytest.raises(TypeError):
            QueryShapes(users_of).get("users", {"organisation": value, "also": []})


def test_objects_are_the_orms_with_related_objects_and_annotations(settings, case_worker, colleague):
    settings.COMPILED_QUERIES_CHECK = True
    make_referral(case_worker)
    submitted_referral(colleague)
    submitted_referral(case_worker)

    def referrals(key, values):
        return (
            Referral.objects.filter(organisation_id=values["organisation"])
            .select_related("participant", "handler")
            .only("case_number", "status", "participant__first_name", "handler__last_name")
            .annotate(consent_count=Count("consents"))
            .order_by("pk")
        )

    values = {"organisation": case_worker.organisation_id}
    ours = QueryShapes(referrals).get("referrals", values).objects(values)
    theirs = list(referrals("referrals", values))
    assert [row.pk for row in ours] == [row.pk for row in theirs] and len(ours) == 3
    for mine, orm in zip(ours, theirs, strict=True):
        assert (mine.case_number, mine.status, mine.consent_count) == (
            orm.case_number,
            orm.status,
            orm.consent_count,
        )
        assert mine.get_deferred_fields() == orm.get_deferred_fields()
        assert mine._state.db == orm._state.db and not mine._state.adding
    with django_assert_no_queries():
        assert [(row.participant.first_name, row.handler.last_name) for row in ours] == [
            (row.participant.first_name, row.handler.last_name) for row in theirs
        ]


def django_assert_no_queries():
    from django.test.utils import CaptureQueriesContext

    class NoQueries(CaptureQueriesContext):
        def __exit__(self, *args):
            super().__exit__(*args)
            assert self.captured_queries == []

    return NoQueries(connection)


def test_values_list_rows_keep_the_fields_order(settings, case_worker):
    settings.COMPILED_QUERIES_CHECK = True
    make_referral(case_worker)

    def rows(key, values):
        return (
            Referral.objects.filter(organisation_id=values["organisation"])
            .annotate(consent_count=Count("consents"))
            .values_list("consent_count", "status", "pk")
        )

    values = {"organisation": case_worker.organisation_id}
    assert QueryShapes(rows).get("rows", values).rows(values) == list(rows("rows", values))


def test_days_sent_as_text_are_filled_in_as_text(monkeypatch, case_worker):
    # A backend that sends a day as text (SQLite) gets the request's day as text.
    monkeypatch.setattr(connection.ops, "adapt_datefield_value", lambda value: value and str(value))

    def since(key, values):
        return Referral.objects.filter(erasure_due_on__gte=values["today"])

    compiled = compile_shape(since("since", {"today": date(1000, 1, 1)}), {"today": date(1000, 1, 1)})
    assert compiled.params_for({"today": date(2026, 11, 25)}) == ["2026-11-25"]


def test_rows_and_objects_each_refuse_the_other_kind_of_query(case_worker):
    values = {"organisation": case_worker.organisation_id}
    model_query = QueryShapes(lambda key, values: User.objects.filter(organisation_id=values["organisation"]))
    with pytest.raises(ValueError, match="rows"):
        model_query.get("users", values).rows(values)
    with pytest.raises(ValueError, match="objects"):
        QueryShapes(users_of).get("users", {**values, "also": []}).objects({**values, "also": []})


def test_a_day_worked_out_backwards_from_a_value_refuses_the_shape(case_worker):
    def day_before(key, values):
        return Referral.objects.filter(erasure_due_on__gte=values["today"] - timedelta(days=1))

    with pytest.raises(ValueError, match="worked out from a stand-in"):
        QueryShapes(day_before).get("day before", {"today": TODAY})


def test_a_value_that_reaches_no_parameter_refuses_the_shape(case_worker):
    def unused(key, values):
        return User.objects.filter(organisation_id=values["organisation"])

    with pytest.raises(ValueError, match="user: reaches no parameter"):
        QueryShapes(unused).get("unused", {"organisation": case_worker.organisation_id, "user": 3})


def test_first_of_sends_what_first_sends(case_worker, colleague, other_case_worker):
    make_referral(case_worker)
    newest = make_referral(colleague)
    ordered = Referral.objects.all()  # newest first (Meta.ordering)
    unordered = User.objects.order_by()
    for queryset in (ordered, unordered, User.objects.none().union(User.objects.all())):
        assert list(first_of(queryset)) == [queryset.first()]
    assert list(first_of(ordered)) == [newest]
    assert list(first_of(unordered)) == [User.objects.order_by("pk").first()]
