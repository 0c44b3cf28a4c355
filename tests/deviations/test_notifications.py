"""The deviations' reminders: a statement's deadline and the answer deadline, near and passed; once only, and cancelled."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from cases.notifications import REMINDER_TIME
from deviations import notifications, services, tasks
from deviations.models import Deviation, StatementRequest
from resursrad.notifications.models import Delivery, Notification
from tests.factories import UserFactory, report_deviation
from tests.resursrad.notification_kinds import assert_kinds_declared

pytestmark = pytest.mark.django_db

SOON = "deviations.statement_due_soon"
LATE = "deviations.statement_overdue"
ANSWER_SOON = "deviations.answer_due_soon"
ANSWER_LATE = "deviations.answer_overdue"


def _at(day):
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME))


def _early(day):
    """Six in the morning: a run before the day's reminders are due."""
    return _at(day) - timedelta(hours=2)


def _rows(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters).exclude(status=Delivery.CANCELLED)


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.DEVIATION_REMINDER_DAYS = 7


@pytest.fixture
def colleague(db):
    return UserFactory(email="eva@styrgrupp.test", is_steering_member=True)


@pytest.fixture
def request_(taken, handler, fk_org):
    [request] = taken.request_statements(
        by=handler,
        organisations=[fk_org],
        question="Hur gör ni?",
        due_on=timezone.localdate() + timedelta(days=14),
    )
    return request


# --- the kinds --------------------------------------------------------------------------


def test_every_deviations_kind_is_declared_with_an_audience_allowed_placeholders_and_swedish():
    assert_kinds_declared(notifications.KINDS)


# --- a statement's deadline -----------------------------------------------------------------


def test_a_statement_due_soon_reminds_the_organisations_contacts_once(request_, fk_contact, handler):
    day = request_.due_on - timedelta(days=7)
    with time_machine.travel(_early(day - timedelta(days=1)), tick=False):
        services.plan_reminders()
    assert not _rows(SOON).exists()
    with time_machine.travel(_early(day), tick=False):
        services.plan_reminders()
        services.plan_reminders()
    row = _rows(SOON).get()
    assert row.recipient == fk_contact
    assert row.due_at == _at(day)
    assert row.context == {"case_number": request_.deviation.number, "date": request_.due_on.isoformat()}
    assert row.url == f"/deviations/{request_.deviation_id}/"
    # The question is not in the notification.
    assert "Hur gör ni?" not in str(row.context)


def test_a_statement_asked_with_less_time_than_the_lead_gets_no_due_soon_reminder(
    taken, handler, fk_org, fk_contact
):
    taken.request_statements(
        by=handler,
        organisations=[fk_org],
        question="Snabbt?",
        due_on=timezone.localdate() + timedelta(days=3),
    )
    services.plan_reminders()
    assert not _rows(SOON).exists()


def test_a_statement_overdue_reminds_the_contacts_the_day_after_and_answering_cancels_what_waits(
    request_, fk_contact
):
    with time_machine.travel(_early(request_.due_on + timedelta(days=1)), tick=False):
        assert services.plan_reminders() >= 1
        row = _rows(LATE).get()
        assert row.recipient == fk_contact and row.due_at == _at(request_.due_on + timedelta(days=1))
        StatementRequest.objects.get(pk=request_.pk).give_answer(by=fk_contact, answer="Sent svar.")
        row.refresh_from_db()
        assert row.status == Delivery.CANCELLED
        services.plan_reminders()
    assert not _rows(LATE).exists()


def test_a_reminder_whose_statement_was_answered_another_way_is_cancelled_by_the_next_run(
    request_, fk_contact
):
    with time_machine.travel(_early(request_.due_on - timedelta(days=7)), tick=False):
        services.plan_reminders()
        row = _rows(SOON).get()
        StatementRequest.objects.filter(pk=request_.pk).update(answered_at=timezone.now(), answer="Svar.")
        services.plan_reminders()
    row.refresh_from_db()
    assert row.status == Delivery.CANCELLED


def test_closing_the_deviation_cancels_its_statement_reminders(request_, handler, fk_contact):
    deviation = request_.deviation
    with time_machine.travel(_early(request_.due_on - timedelta(days=7)), tick=False):
        services.plan_reminders()
        row = _rows(SOON).get()
        deviation.decide(by=handler, decision="Rutin.", responsible_party="fk", due_on=timezone.localdate())
        deviation.give_feedback(by=handler, feedback="Svar.")
        deviation.close(by=handler)
    row.refresh_from_db()
    assert row.status == Delivery.CANCELLED


# --- the answer deadline -----------------------------------------------------------------------


def test_a_deviation_nobody_took_reminds_the_whole_styrgrupp_and_taking_keeps_only_the_handler(
    deviation, handler, colleague
):
    day = deviation.answer_due_on - timedelta(days=7)
    with time_machine.travel(_early(day), tick=False):
        services.plan_reminders()
        assert set(_rows(ANSWER_SOON).values_list("recipient_id", flat=True)) == {handler.pk, colleague.pk}
        Deviation.objects.get(pk=deviation.pk).take(by=handler)
        assert list(_rows(ANSWER_SOON).values_list("recipient_id", flat=True)) == [handler.pk]
        services.plan_reminders()
        assert list(_rows(ANSWER_SOON).values_list("recipient_id", flat=True)) == [handler.pk]
    row = _rows(ANSWER_SOON).get()
    assert row.due_at == _at(day)
    assert row.context["case_number"] == deviation.number


def test_a_handler_taking_it_another_way_loses_the_others_reminders_on_the_next_run(
    deviation, handler, colleague
):
    day = deviation.answer_due_on - timedelta(days=7)
    with time_machine.travel(_early(day), tick=False):
        services.plan_reminders()
        Deviation.objects.filter(pk=deviation.pk).update(handler=handler, status="received")
        services.plan_reminders()
    assert list(_rows(ANSWER_SOON).values_list("recipient_id", flat=True)) == [handler.pk]


def test_an_overdue_answer_reminds_the_handler_and_feedback_cancels_it(taken, handler, colleague):
    after = taken.answer_due_on + timedelta(days=1)
    with time_machine.travel(_early(after), tick=False):
        services.plan_reminders()
        row = _rows(ANSWER_LATE).get()
        assert row.recipient == handler and row.due_at == _at(after)
        taken.decide(by=handler, decision="Rutin.", responsible_party="fk", due_on=timezone.localdate())
        taken.give_feedback(by=handler, feedback="Svar till dig.")
        row.refresh_from_db()
        assert row.status == Delivery.CANCELLED
        services.plan_reminders()
    assert not _rows(ANSWER_LATE).exists()


def test_a_run_missed_for_days_catches_up_but_not_beyond_the_lookback(taken, handler):
    after = taken.answer_due_on + timedelta(days=services.MISSED_RUN_LOOKBACK_DAYS + 2)
    with time_machine.travel(_early(after), tick=False):
        services.plan_reminders()
    assert not _rows(ANSWER_LATE).exists()
    with time_machine.travel(_early(taken.answer_due_on + timedelta(days=5)), tick=False):
        services.plan_reminders()
    assert _rows(ANSWER_LATE).get().due_at == _at(taken.answer_due_on + timedelta(days=1))


# --- the task and the schedule -------------------------------------------------------------------


def test_the_task_plans_the_reminders_and_a_second_run_adds_nothing(request_, fk_contact):
    now = _early(request_.due_on - timedelta(days=7))
    with time_machine.travel(now, tick=False):
        assert tasks.plan_reminders.apply(kwargs={"now": now.isoformat()}).get() == 1
        before = Notification.objects.count()
        tasks.plan_reminders.apply(kwargs={"now": now.isoformat()}).get()
    assert Notification.objects.count() == before


def test_the_reminders_are_planned_every_hour():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "deviations.tasks.plan_reminders"
    ]
    assert entries and entries[0]["schedule"] == 3600.0


def test_a_new_deviation_reaches_the_styrgrupp_without_its_text(coordinator, handler):
    deviation = report_deviation(coordinator, description="Intyget kom bort mellan parterna.")
    row = Notification.objects.get(kind="deviations.reported", recipient=handler)
    assert row.reference == deviation.number
    assert "Intyget" not in str(row.context)


def test_a_steering_member_may_take_new_deviations_in_the_weekly_digest(coordinator, handler, colleague):
    from resursrad.notifications.models import Channel, NotificationPreference
    from resursrad.notifications.services import next_weekly_digest_at

    NotificationPreference.choose(handler, "deviations.reported", Channel.WEEKLY)
    report_deviation(coordinator)
    mine = Notification.objects.get(kind="deviations.reported", recipient=handler)
    assert mine.channel == Channel.WEEKLY
    assert mine.send_after == next_weekly_digest_at(mine.due_at)
    assert timezone.localtime(mine.send_after).weekday() == 0
    # A colleague who chose nothing has it at once.
    theirs = Notification.objects.get(kind="deviations.reported", recipient=colleague)
    assert (theirs.channel, theirs.send_after) == (Channel.EMAIL, theirs.due_at)
