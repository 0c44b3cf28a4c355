"""The meetings' reminders: who gets them, when, once only, and what cancels them."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from cases.notifications import REMINDER_TIME
from meetings import notifications, services, tasks
from meetings.models import AgendaItem, FollowUpStatus, ItemStatus, PlanItem
from resursrad.notifications.models import Delivery, Notification
from tests.factories import UserFactory, make_council
from tests.meetings.time_cases import draft_record, finalise, held_case, met_case
from tests.resursrad.notification_kinds import assert_kinds_declared

RECORD = "meetings.record_not_finalised"
SOON = "meetings.plan_item_due_soon"
OVERDUE = "meetings.plan_item_overdue"
FOLLOW_UP = "meetings.follow_up_due_soon"


def _at(day):  # type: ignore[no-untyped-def]
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME))


def _early(day):  # type: ignore[no-untyped-def]
    """Six in the morning of that day: a run before the reminders of the day are due."""
    return _at(day) - timedelta(hours=2)


def _rows(kind, **filters):  # type: ignore[no-untyped-def]
    return Notification.objects.filter(kind=kind, **filters)


@pytest.fixture
def other_coordinator(db):  # type: ignore[no-untyped-def]
    """A coordinator of another council: the meetings' reminders are not theirs."""
    return UserFactory(is_coordinator=True)


@pytest.fixture
def responsible(db):  # type: ignore[no-untyped-def]
    return UserFactory(is_council_member=True, email="ansvarig@af.test")


# --- the kinds -----------------------------------------------------------------


def test_every_meetings_kind_is_declared_with_an_audience_allowed_placeholders_and_swedish():
    assert_kinds_declared(notifications.KINDS)


# --- a record not finalised the day after the meeting --------------------------


def test_a_draft_record_reminds_the_councils_coordinators_the_day_after_the_meeting(
    case_worker, coordinator, other_coordinator
):
    referral, item = met_case(case_worker, coordinator, days_ago=1)
    draft_record(item)
    assert services.plan_reminders() == 1
    row = _rows(RECORD).get()
    assert row.recipient == coordinator
    assert row.due_at == _at(item.meeting.date + timedelta(days=1))
    assert row.context == {"case_number": referral.case_number, "date": item.meeting.date.isoformat()}
    # It opens the record to finalise.
    assert row.url == f"/meetings/slots/{item.pk}/record/"


def test_a_planned_slot_of_a_past_meeting_without_a_record_reminds_too(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=2)
    services.plan_reminders()
    assert _rows(RECORD).get().object_id == item.pk


def test_no_record_reminder_before_the_meeting_or_for_a_finalised_record(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=0)
    draft_record(item)
    held_case(case_worker, coordinator)
    services.plan_reminders()
    assert not _rows(RECORD).exists()


def test_planning_twice_or_with_the_task_adds_each_reminder_once(case_worker, coordinator, responsible):
    met_case(case_worker, coordinator, days_ago=1)
    day = timezone.localdate()
    held_case(
        case_worker,
        coordinator,
        responsible=responsible,
        due_on=day + timedelta(days=3),
        follow_up_on=day + timedelta(days=2),
    )
    services.plan_reminders()
    services.plan_reminders()
    assert tasks.plan_reminders.apply(kwargs={"now": timezone.now().isoformat()}).get() == 3
    assert sorted(
        Notification.objects.filter(kind__in=notifications.REMINDER_KINDS).values_list("kind", flat=True)
    ) == [
        FOLLOW_UP,
        SOON,
        RECORD,
    ]


def test_a_missed_run_still_plans_the_reminder_once_with_its_fixed_time(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=1)
    later = timezone.now() + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        services.plan_reminders(later)
        services.plan_reminders(later + timedelta(hours=1))
    assert _rows(RECORD).get().due_at == _at(item.meeting.date + timedelta(days=1))


def test_finalising_the_record_cancels_its_reminder(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=1)
    record = draft_record(item)
    # Planned early in the morning, before it is due at 08:00.
    early = _early(timezone.localdate())
    with time_machine.travel(early, tick=False):
        services.plan_reminders(early)
        assert notifications.after_record_finalised(item) == 1
    assert _rows(RECORD).get().status == Delivery.CANCELLED
    assert record.finalised_at is None


def test_a_record_finalised_another_way_has_its_reminder_cancelled_by_the_next_run(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=1)
    record = draft_record(item)
    early = _early(timezone.localdate())
    with time_machine.travel(early, tick=False):
        services.plan_reminders(early)
        finalise(record, coordinator)
        services.plan_reminders(early + timedelta(minutes=30))
    assert _rows(RECORD).get().status == Delivery.CANCELLED


def test_a_slot_taken_off_a_past_agenda_gets_no_reminder(case_worker, coordinator):
    _referral, item = met_case(case_worker, coordinator, days_ago=1)
    AgendaItem.objects.filter(pk=item.pk).update(status=ItemStatus.REMOVED)
    services.plan_reminders()
    assert not _rows(RECORD).exists()


# --- a step of the plan due soon, or overdue -----------------------------------


def test_a_step_due_soon_reminds_the_person_responsible_n_days_before(
    case_worker, coordinator, responsible, settings
):
    settings.PLAN_ITEM_REMINDER_DAYS = 7
    due_on = timezone.localdate() + timedelta(days=20)
    referral, _item, _record, step = held_case(
        case_worker, coordinator, responsible=responsible, due_on=due_on
    )
    services.plan_reminders()
    assert not _rows(SOON).exists()
    thirteen_days = timezone.now() + timedelta(days=13)
    with time_machine.travel(thirteen_days, tick=False):
        services.plan_reminders(thirteen_days)
    row = _rows(SOON).get()
    assert (row.recipient, row.object_id) == (responsible, step.pk)
    assert row.due_at == _at(due_on - timedelta(days=7))
    assert row.context == {"case_number": referral.case_number, "date": due_on.isoformat()}
    with override("sv"):
        subject, text = notifications.PLAN_ITEM_DUE_SOON.render(row.context)
    assert referral.case_number in subject and due_on.isoformat() in text
    for personal in (referral.participant.first_name, referral.participant.last_name, step.activity):
        assert personal not in subject + text


def test_an_overdue_step_reminds_the_person_responsible_the_day_after(case_worker, coordinator, responsible):
    due_on = timezone.localdate() + timedelta(days=2)
    _referral, _item, _record, step = held_case(
        case_worker,
        coordinator,
        responsible=responsible,
        due_on=due_on,
        follow_up_on=due_on + timedelta(days=50),
    )
    after = timezone.now() + timedelta(days=3)
    with time_machine.travel(after, tick=False):
        services.plan_reminders(after)
        services.plan_reminders(after)
    row = _rows(OVERDUE).get()
    assert (row.recipient, row.due_at) == (responsible, _at(due_on + timedelta(days=1)))


def test_no_step_reminder_without_a_person_responsible_or_for_a_draft_plan(
    case_worker, coordinator, responsible
):
    held_case(case_worker, coordinator, due_on=timezone.localdate() + timedelta(days=2))
    _referral, item = met_case(case_worker, coordinator, days_ago=1)
    PlanItem.objects.create(
        record=draft_record(item),
        activity="Utredning",
        responsible_party="region",
        responsible_user=responsible,
        due_on=timezone.localdate() + timedelta(days=2),
    )
    services.plan_reminders()
    assert not _rows(SOON).exists()


def test_a_step_done_has_its_reminders_cancelled_and_gets_no_new_ones(case_worker, coordinator, responsible):
    day = timezone.localdate()
    _referral, _item, _record, step = held_case(
        case_worker, coordinator, responsible=responsible, due_on=day + timedelta(days=10)
    )
    # Planned in the early morning of its day, before it is due at 08:00.
    with time_machine.travel(_early(day + timedelta(days=3)), tick=False):
        services.plan_reminders(timezone.now())
        assert _rows(SOON).get().status != Delivery.CANCELLED
        PlanItem.objects.filter(pk=step.pk).update(follow_up_status=FollowUpStatus.DONE)
        step.refresh_from_db()
        assert notifications.after_plan_item_done(step) == 1
    with time_machine.travel(_early(day + timedelta(days=12)), tick=False):
        services.plan_reminders(timezone.now())
    assert _rows(SOON).get().status == Delivery.CANCELLED
    assert not _rows(OVERDUE).exists()


def test_a_step_done_another_way_is_cancelled_by_the_next_run(case_worker, coordinator, responsible):
    day = timezone.localdate()
    *_, step = held_case(case_worker, coordinator, responsible=responsible, due_on=day + timedelta(days=10))
    with time_machine.travel(_early(day + timedelta(days=3)), tick=False):
        services.plan_reminders(timezone.now())
        PlanItem.objects.filter(pk=step.pk).update(follow_up_status=FollowUpStatus.DONE)
        services.plan_reminders(timezone.now())
    assert _rows(SOON).get().status == Delivery.CANCELLED


def test_closing_the_case_cancels_its_step_and_follow_up_reminders(case_worker, coordinator, responsible):
    day = timezone.localdate()
    referral, *_ = held_case(
        case_worker,
        coordinator,
        responsible=responsible,
        due_on=day + timedelta(days=10),
        follow_up_on=day + timedelta(days=10),
    )
    with time_machine.travel(_early(day + timedelta(days=3)), tick=False):
        services.plan_reminders(timezone.now())
        assert _rows(SOON).count() == 1 and _rows(FOLLOW_UP).count() == 1
        referral.close(by=coordinator, reason="Har fått arbete.")
    statuses = Notification.objects.filter(kind__in=[SOON, FOLLOW_UP]).values_list("status", flat=True)
    assert set(statuses) == {Delivery.CANCELLED}
    with time_machine.travel(_early(day + timedelta(days=12)), tick=False):
        services.plan_reminders(timezone.now())
    assert not _rows(OVERDUE).exists()


# --- a follow-up coming due ----------------------------------------------------


def test_a_follow_up_coming_due_reminds_the_councils_coordinators(
    case_worker, coordinator, other_coordinator, settings
):
    settings.FOLLOW_UP_REMINDER_DAYS = 7
    follow_up_on = timezone.localdate() + timedelta(days=5)
    second = UserFactory(is_coordinator=True)
    council = make_council(name="Resursrådet Norr", coordinators=[coordinator, second])
    referral, *_ = held_case(case_worker, coordinator, follow_up_on=follow_up_on, council=council)
    services.plan_reminders()
    services.plan_reminders()
    rows = _rows(FOLLOW_UP)
    assert set(rows.values_list("recipient", flat=True)) == {coordinator.pk, second.pk}
    assert {row.due_at for row in rows} == {_at(follow_up_on - timedelta(days=7))}
    assert rows.first().context == {"case_number": referral.case_number, "date": follow_up_on.isoformat()}


def test_a_moved_follow_up_date_cancels_the_old_reminder_and_plans_a_new_one(case_worker, coordinator):
    day = timezone.localdate()
    referral, *_ = held_case(case_worker, coordinator, follow_up_on=day + timedelta(days=9))
    with time_machine.travel(_early(day + timedelta(days=2)), tick=False):
        services.plan_reminders(timezone.now())
        referral.follow_up_on = day + timedelta(days=12)
        referral.save(update_fields=["follow_up_on"])
        services.plan_reminders(timezone.now())
    assert _rows(FOLLOW_UP).get().status == Delivery.CANCELLED
    with time_machine.travel(_early(day + timedelta(days=5)), tick=False):
        services.plan_reminders(timezone.now())
    statuses = dict(_rows(FOLLOW_UP).values_list("due_at", "status"))
    assert statuses[_at(day + timedelta(days=2))] == Delivery.CANCELLED
    assert statuses[_at(day + timedelta(days=5))] != Delivery.CANCELLED
