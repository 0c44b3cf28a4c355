"""Reporting a deviation and its review, on the models: guards, history, visibility."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deviations.models import Deviation, DeviationEvent, StatementRequest
from deviations.workflow import DeviationError, Status
from resursrad.notifications.models import Notification
from tests.factories import UserFactory, report_deviation

pytestmark = pytest.mark.django_db


def test_a_report_gets_a_number_a_deadline_its_parties_and_a_history(coordinator, steering_member, settings):
    settings.DEVIATION_ANSWER_DAYS = 60
    deviation = report_deviation(coordinator)
    today = timezone.localdate()
    assert deviation.number == f"AV-{today.year}-0001"
    assert report_deviation(coordinator).number == f"AV-{today.year}-0002"
    assert deviation.status == Status.REPORTED
    assert deviation.answer_due_on == today + timedelta(days=60)
    assert sorted(deviation.parties) == ["fk", "region"]
    assert list(deviation.events.values_list("kind", flat=True)) == ["reported"]
    # The styrgrupp is told, without the text.
    note = Notification.objects.get(
        kind="deviations.reported", recipient=steering_member, object_id=deviation.pk
    )
    assert deviation.description not in str(note.context)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "  "}, "description"),
        ({"parties": []}, "parties"),
        ({"observed_on": timezone.localdate() + timedelta(days=1)}, "observed_on"),
        ({"consequence": "Personen 850312-2387 fick vänta."}, "consequence"),
        ({"suggestion": "Mejla oss på a@b.se."}, "suggestion"),
    ],
)
def test_a_report_with_bad_or_identifying_text_is_refused_and_nothing_saved(coordinator, fields, field):
    with pytest.raises(DeviationError) as refused:
        report_deviation(coordinator, **fields)
    assert field in refused.value.errors
    assert not Deviation.objects.exists()


def test_every_identifying_field_is_named_at_once(coordinator):
    with pytest.raises(DeviationError) as refused:
        report_deviation(coordinator, description="Ring 070-123 45 67.", suggestion="850312-2387")
    assert set(refused.value.errors) == {"description", "suggestion"}


def test_the_review_goes_step_by_step_and_keeps_its_history(
    deviation, handler, fk_org, fk_contact, coordinator
):
    deviation.take(by=handler)
    assert deviation.status == Status.RECEIVED and deviation.handler == handler
    [request] = deviation.request_statements(
        by=handler,
        organisations=[fk_org],
        question="Hur hanteras intyg som kommer in?",
        due_on=timezone.localdate() + timedelta(days=14),
    )
    assert deviation.status == Status.INVESTIGATING
    assert Notification.objects.filter(kind="deviations.statement_requested", recipient=fk_contact).exists()
    request.give_answer(by=fk_contact, answer="Intyg registreras inom två dagar.")
    assert Notification.objects.filter(kind="deviations.statement_given", recipient=handler).exists()
    deviation.refresh_from_db()
    deviation.decide(
        by=handler,
        decision="En gemensam rutin tas fram.",
        responsible_party="fk",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    assert deviation.status == Status.DECIDED and deviation.decided_at
    deviation.give_feedback(by=handler, feedback="Tack! En rutin tas fram under våren.")
    assert Notification.objects.filter(kind="deviations.feedback_given", recipient=coordinator).exists()
    deviation.close(by=handler)
    assert deviation.status == Status.CLOSED
    kinds = list(deviation.events.values_list("kind", "to_status"))
    assert kinds == [
        ("reported", "reported"),
        ("transition", "received"),
        ("transition", "investigating"),
        ("statement_requested", ""),
        ("statement_given", ""),
        ("transition", "decided"),
        ("transition", "feedback_given"),
        ("transition", "closed"),
    ]


def test_a_step_out_of_order_is_refused(deviation, handler):
    with pytest.raises(DeviationError, match="kan inte bli"):
        deviation.give_feedback(by=handler, feedback="För tidigt.")
    deviation.refresh_from_db()
    assert deviation.status == Status.REPORTED


def test_only_the_handler_takes_the_later_steps(taken, steering_member):
    other = UserFactory(email="annan@styrgrupp.test", is_steering_member=True)
    with pytest.raises(DeviationError, match="handläggare"):
        taken.decide(by=other, decision="X", responsible_party="fk", due_on=timezone.localdate())


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"decision": " "}, "text"),
        ({"responsible_party": ""}, "responsible_party"),
        ({"due_on": None}, "action_due_on"),
        ({"due_on": timezone.localdate() - timedelta(days=1)}, "action_due_on"),
    ],
)
def test_a_decision_needs_text_a_party_and_a_due_date_not_in_the_past(taken, handler, kwargs, field):
    values = {"decision": "Rutin.", "responsible_party": "fk", "due_on": timezone.localdate()}
    values.update(kwargs)
    with pytest.raises(DeviationError) as refused:
        taken.decide(by=handler, **values)
    assert refused.value.field == field
    taken.refresh_from_db()
    assert taken.status == Status.RECEIVED


def test_a_stale_version_is_refused(taken, handler):
    stale = taken.version
    taken.add_comment(by=handler, comment="Vi tittar på detta.")
    taken.decide(
        by=handler, decision="Rutin.", responsible_party="fk", due_on=timezone.localdate(), version=stale
    )
    with pytest.raises(DeviationError, match="Någon annan"):
        taken.give_feedback(by=handler, feedback="Svar.", version=stale)


def test_a_statement_is_given_once_by_the_asked_organisations_contact(
    taken, handler, fk_org, fk_contact, case_worker
):
    [request] = taken.request_statements(
        by=handler, organisations=[fk_org], question="Fråga.", due_on=timezone.localdate()
    )
    with pytest.raises(DeviationError):
        request.give_answer(by=case_worker, answer="Inte min organisation.")
    request.give_answer(by=fk_contact, answer="Svar.")
    with pytest.raises(DeviationError, match="redan"):
        StatementRequest.objects.get(pk=request.pk).give_answer(by=fk_contact, answer="Igen.")
    with pytest.raises(DeviationError) as refused:
        taken.request_statements(by=handler, organisations=[], question="Fråga.", due_on=timezone.localdate())
    assert refused.value.field == "organisations"


def test_a_system_fault_is_linked_to_deviations_of_its_kind(taken, handler, coordinator):
    other = report_deviation(coordinator)
    taken.mark_system_fault(by=handler, is_fault=True, related=[other])
    assert taken.is_system_fault
    assert list(other.related.all()) == [taken]
    assert other.events.filter(kind=DeviationEvent.Kind.LINKED, comment=taken.number).exists()


def test_who_sees_what(deviation, coordinator, steering_member, case_worker, fk_org, fk_contact, handler):
    assert list(Deviation.objects.visible_to(steering_member)) == [deviation]
    assert list(Deviation.objects.visible_to(coordinator)) == [deviation]
    assert not Deviation.objects.visible_to(case_worker).exists()
    assert not Deviation.objects.visible_to(fk_contact).exists()
    deviation.take(by=handler)
    deviation.request_statements(
        by=handler, organisations=[fk_org], question="F.", due_on=timezone.localdate()
    )
    assert list(Deviation.objects.visible_to(fk_contact)) == [deviation]
    # A colleague at the asked organisation who is not its contact does not see it.
    plain = UserFactory(email="vanlig@fk.test", organisation=fk_org, is_case_worker=True)
    assert not Deviation.objects.visible_to(plain).exists()


def test_overdue_is_past_the_deadline_and_not_yet_answered(deviation, handler):
    later = deviation.answer_due_on + timedelta(days=1)
    assert list(Deviation.objects.overdue(later)) == [deviation]
    assert deviation.is_overdue_on(later)
    row = Deviation.objects.with_is_overdue(later).get()
    assert row.is_overdue
    deviation.take(by=handler)
    deviation.decide(by=handler, decision="R.", responsible_party="fk", due_on=timezone.localdate())
    deviation.give_feedback(by=handler, feedback="Svar.")
    assert not Deviation.objects.overdue(later).exists()
