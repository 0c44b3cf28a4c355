"""The referral workflow's notifications: who is told what, when, and where the link leads."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Status
from cases.services import plan_reminders
from cases.tasks import plan_reminders as plan_reminders_task
from resursrad.notifications import services
from resursrad.notifications.kinds import registry
from resursrad.notifications.models import Channel, Delivery, Notification, NotificationPreference
from tests.factories import UserFactory, give_consent, make_referral, submitted_referral


def _kinds_for(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_every_kind_a_step_sends_is_declared():
    for transition in workflow.TRANSITIONS.values():
        for kind in transition.notifies:
            assert kind in registry, (transition.name, kind)
    assert {kind.name for kind in notifications.KINDS} <= {kind.name for kind in registry}


def test_submitting_tells_every_coordinator_and_not_the_case_worker(case_worker, coordinator):
    second = UserFactory(is_coordinator=True)
    UserFactory(is_coordinator=True, is_active=False)
    submitted_referral(case_worker)
    assert _kinds_for(coordinator) == _kinds_for(second) == ["cases.submitted"]
    assert _kinds_for(case_worker) == []
    assert Notification.objects.count() == 2


def test_a_question_reaches_the_handlaggare_and_the_answer_the_coordinator(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Vilka insatser har prövats?")
    question = Notification.objects.get(kind="cases.info_requested")
    assert question.recipient == case_worker
    assert question.reference == referral.case_number
    assert question.url == f"/cases/{referral.pk}/"
    referral.resubmit(by=case_worker, answer="Arbetsträning under våren.")
    answer = Notification.objects.get(kind="cases.answered")
    assert answer.recipient == coordinator


@pytest.mark.parametrize("decision,kind", [("accept", "cases.accepted"), ("decline", "cases.declined")])
def test_the_decision_reaches_the_handlaggare(case_worker, coordinator, decision, kind):
    referral = submitted_referral(case_worker)
    referral.perform(decision, by=coordinator, comment="Motivering.")
    assert Notification.objects.get(kind=kind).recipient == case_worker


def test_a_take_over_tells_the_previous_case_worker(case_worker, colleague):
    referral = make_referral(case_worker)
    referral.take_over(by=colleague)
    row = Notification.objects.get(kind="cases.taken_over")
    assert (row.recipient, row.reference) == (case_worker, referral.case_number)
    assert _kinds_for(colleague) == []


def test_the_email_names_the_case_never_the_individual(case_worker, coordinator, settings):
    settings.SITE_URL = "https://resursrad.example.se"
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Hur mår Anna Andersson efter operationen?")
    rows = list(Notification.objects.filter(kind="cases.info_requested"))
    message = services.build_message(rows)
    text = message.subject + message.body
    assert referral.case_number in message.subject
    assert f"https://resursrad.example.se/cases/{referral.pk}/" in message.body
    participant = referral.participant
    for personal in (
        participant.first_name,
        participant.last_name,
        participant.personal_number,
        "operationen",
    ):
        assert personal not in text
    assert message.subject == f"Resursråd: En fråga om {referral.case_number}"


def test_the_link_opens_the_case_for_the_recipient_and_is_a_404_for_others(
    client, case_worker, other_case_worker, coordinator
):
    referral = submitted_referral(case_worker)
    referral.request_info(by=coordinator, question="Fråga?")
    link = Notification.objects.get(kind="cases.info_requested").url
    client.force_login(case_worker)
    assert client.get(link).status_code == 200
    client.force_login(other_case_worker)
    assert client.get(link).status_code == 404


def test_a_discarded_draft_leaves_its_links_a_404_and_its_reminders_cancelled(client, case_worker, colleague):
    referral = make_referral(case_worker)
    referral.take_over(by=colleague)
    later = timezone.now() + timedelta(days=3)
    services.notify([case_worker], notifications.TAKEN_OVER, referral, due_at=later)
    referral.perform("discard", by=case_worker)
    assert Notification.objects.get(due_at=later).status == Delivery.CANCELLED
    client.force_login(case_worker)
    assert client.get(Notification.objects.filter(kind="cases.taken_over").first().url).status_code == 404


def test_ending_a_case_cancels_what_still_waits_but_its_own_news_goes(case_worker, coordinator):
    NotificationPreference.choose(coordinator, notifications.LONG_WAIT, Channel.DIGEST)
    referral = submitted_referral(case_worker)
    notifications.notify_long_wait(referral)
    waiting = Notification.objects.get(kind="cases.long_wait")
    assert waiting.status == Delivery.PENDING
    referral.decline(by=coordinator, reason="Målgruppen stämmer inte.")
    waiting.refresh_from_db()
    assert waiting.status == Delivery.CANCELLED
    assert Notification.objects.get(kind="cases.declined").status == Delivery.PENDING


def test_a_decision_cancels_the_long_wait_reminder_still_waiting(case_worker, coordinator):
    NotificationPreference.choose(coordinator, notifications.LONG_WAIT, Channel.DIGEST)
    referral = submitted_referral(case_worker)
    notifications.notify_long_wait(referral)
    referral.request_info(by=coordinator, question="Fråga?")
    assert Notification.objects.get(kind="cases.long_wait").status == Delivery.CANCELLED


def test_a_party_taken_out_is_urgent_news_for_coordinator_and_case_worker(case_worker, coordinator):
    NotificationPreference.objects.create(
        user=coordinator, kind="cases.party_removed", channel=Channel.IN_APP
    )
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    consent = referral.consents.get(party="af")
    consent.withdraw(by=coordinator, on=timezone.localdate())
    row = Notification.objects.get(kind="cases.party_removed")
    # The coordinator registered it: the case worker is told, by e-mail at once.
    assert (row.recipient, row.channel, row.status) == (case_worker, Channel.EMAIL, Delivery.PENDING)
    assert row.context["parties"] == "Arbetsförmedlingen"
    assert row.text.startswith("Arbetsförmedlingen")


def test_a_lapse_found_by_the_hourly_task_tells_both_and_ending_tells_both(case_worker, coordinator):
    from cases.services import end_referrals_with_lapsed_consent

    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    referral.consents.filter(party="af").update(valid_until=timezone.localdate() + timedelta(days=1))
    assert end_referrals_with_lapsed_consent(today=timezone.localdate() + timedelta(days=2)) == 1
    assert _kinds_for(case_worker) == ["cases.consent_ended"]
    assert _kinds_for(coordinator) == ["cases.consent_ended", "cases.submitted"]


def test_consent_expiring_within_the_warning_period_is_planned_once(case_worker, coordinator, settings):
    settings.CONSENT_EXPIRY_WARNING_DAYS = 30
    today = timezone.localdate()
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    referral.consents.filter(party="af").update(valid_until=today + timedelta(days=20))
    referral.consents.filter(party="kommun").update(valid_until=today + timedelta(days=40))
    plan_reminders()
    plan_reminders()
    assert plan_reminders_task.apply().get() >= 1
    row = Notification.objects.get(kind="cases.consent_expiring")
    assert row.recipient == case_worker
    assert row.context == {
        "case_number": referral.case_number,
        "parties": "Arbetsförmedlingen",
        "date": (today + timedelta(days=20)).isoformat(),
    }
    warning_day = today - timedelta(days=10)
    assert timezone.localtime(row.due_at) == timezone.make_aware(
        datetime.combine(warning_day, notifications.REMINDER_TIME)
    )
    assert row.url == f"/cases/{referral.pk}/"


def test_withdrawn_consent_cancels_its_expiry_warning(case_worker, coordinator):
    referral = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    consent = referral.consents.get(party="af")
    referral.consents.filter(pk=consent.pk).update(valid_until=timezone.localdate() + timedelta(days=40))
    consent.refresh_from_db()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        plan_reminders()
    # Planned ahead but not yet due in the app, then withdrawn.
    NotificationPreference.choose(case_worker, notifications.CONSENT_EXPIRING, Channel.DIGEST)
    consent.withdraw(by=case_worker, on=timezone.localdate())
    assert Notification.objects.get(kind="cases.consent_expiring").status == Delivery.CANCELLED


def test_a_long_wait_is_planned_once_for_each_coordinator(case_worker, coordinator, settings):
    settings.INBOX_LONG_WAIT_DAYS = 14
    with time_machine.travel(timezone.now() - timedelta(days=15)):
        referral = submitted_referral(case_worker)
    submitted_referral(case_worker)  # waited a moment only
    plan_reminders()
    plan_reminders()
    row = Notification.objects.get(kind="cases.long_wait")
    assert (row.recipient, row.context["days"]) == (coordinator, "14")
    assert row.due_at == referral.submitted_at + timedelta(days=14)
    assert row.subject == f"{referral.case_number} har väntat i 14 dagar"


def test_the_take_over_stops_the_previous_case_workers_reminders(case_worker, colleague):
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    referral.consents.filter(party="af").update(valid_until=timezone.localdate() + timedelta(days=45))
    with time_machine.travel(timezone.now() + timedelta(days=16)):
        plan_reminders()
    assert Notification.objects.get(kind="cases.consent_expiring").recipient == case_worker
    referral.take_over(by=colleague)
    assert Notification.objects.get(kind="cases.consent_expiring").status == Delivery.CANCELLED


def test_a_reminder_for_a_draft_or_ended_case_is_not_planned(case_worker, coordinator):
    draft = make_referral(case_worker)
    give_consent(draft, case_worker, "kommun", valid_until=timezone.localdate() + timedelta(days=5))
    plan_reminders()
    assert not Notification.objects.exists()
    assert draft.status == Status.DRAFT


def test_a_coordinators_question_is_sent_by_email_end_to_end(
    case_worker, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    from resursrad.notifications import tasks

    published = []
    for task in (tasks.send_notifications, tasks.send_digest):
        monkeypatch.setattr(task, "apply_async", lambda args, task=task, **kw: published.append((task, args)))
    monkeypatch.setattr(tasks.sweep_due_notifications, "apply_async", lambda **kw: published.append("kick"))
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    referral = submitted_referral(case_worker)
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral.request_info(by=coordinator, question="Fråga?")
    assert published == ["kick"]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == 2  # the question, and the submission from before
    for task, args in published[1:]:
        task.run(*args)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([case_worker.email, coordinator.email])
