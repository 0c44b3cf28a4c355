"""At its date a held case's follow-up returns to the backlog (hourly task, frozen clock)."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.utils import timezone

from cases.models import Referral, ReferralEvent, Status
from meetings import services, tasks
from tests.meetings.time_cases import held_case


def _follow_up_moves(referral):  # type: ignore[no-untyped-def]
    return ReferralEvent.objects.filter(referral=referral, to_status=Status.FOLLOW_UP).count()


def test_the_follow_up_returns_to_the_backlog_when_its_date_comes(case_worker, coordinator):
    follow_up_on = timezone.localdate() + timedelta(days=60)
    referral, _item, _record, _step = held_case(case_worker, coordinator, follow_up_on=follow_up_on)
    assert referral.status == Status.HELD
    with time_machine.travel(timezone.now() + timedelta(days=59), tick=False):
        assert tasks.return_follow_ups_to_backlog.apply().get() == 0
    referral.refresh_from_db()
    assert referral.status == Status.HELD
    with time_machine.travel(timezone.now() + timedelta(days=60), tick=False):
        assert tasks.return_follow_ups_to_backlog.apply().get() == 1
        now = timezone.now()
    referral.refresh_from_db()
    assert referral.status == Status.FOLLOW_UP
    assert referral.backlog_since == now
    assert list(Referral.objects.backlog()) == [referral]
    event = ReferralEvent.objects.get(referral=referral, to_status=Status.FOLLOW_UP)
    assert (event.from_status, event.by) == (Status.HELD, None)


def test_running_twice_moves_the_case_once(case_worker, coordinator):
    referral, *_ = held_case(case_worker, coordinator, follow_up_on=timezone.localdate() + timedelta(days=3))
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert tasks.return_follow_ups_to_backlog.apply(kwargs={"today": day}).get() == 1
    assert tasks.return_follow_ups_to_backlog.apply(kwargs={"today": day}).get() == 0
    assert _follow_up_moves(referral) == 1


def test_a_missed_run_catches_up_follow_ups_that_came_due_days_ago(case_worker, coordinator):
    referral, *_ = held_case(case_worker, coordinator, follow_up_on=timezone.localdate() + timedelta(days=3))
    assert services.return_follow_ups_to_backlog(timezone.localdate() + timedelta(days=10)) == 1
    referral.refresh_from_db()
    assert referral.status == Status.FOLLOW_UP


def test_one_case_that_fails_does_not_stop_the_others(case_worker, coordinator, monkeypatch, caplog):
    day = timezone.localdate() + timedelta(days=5)
    first, *_ = held_case(case_worker, coordinator, follow_up_on=day)
    second, *_ = held_case(case_worker, coordinator, follow_up_on=day)
    perform = Referral.perform

    def failing(self, name, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk == first.pk:
            raise RuntimeError("database hiccup")
        return perform(self, name, **kwargs)

    monkeypatch.setattr(Referral, "perform", failing)
    assert services.return_follow_ups_to_backlog(day) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.HELD, Status.FOLLOW_UP)
    # The log names the row, never the individual.
    assert f"referral id {first.pk}" in caplog.text
    assert first.participant.last_name not in caplog.text
    monkeypatch.setattr(Referral, "perform", perform)
    assert services.return_follow_ups_to_backlog(day) == 1
    first.refresh_from_db()
    assert first.status == Status.FOLLOW_UP


def test_a_case_closed_before_its_follow_up_stays_closed(case_worker, coordinator):
    day = timezone.localdate() + timedelta(days=5)
    referral, *_ = held_case(case_worker, coordinator, follow_up_on=day)
    referral.close(by=coordinator, reason="Planen är genomförd.")
    assert services.return_follow_ups_to_backlog(day) == 0
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED


def test_the_meetings_tasks_run_every_hour():
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["meetings.tasks.return_follow_ups_to_backlog"] == 3600.0
    assert schedule["meetings.tasks.plan_reminders"] == 3600.0
    assert tasks.return_follow_ups_to_backlog.name == "meetings.tasks.return_follow_ups_to_backlog"
    assert tasks.plan_reminders.name == "meetings.tasks.plan_reminders"
