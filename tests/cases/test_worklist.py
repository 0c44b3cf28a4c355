""" "Mina ärenden" as a worklist: "Att göra" counts and links, action-first order, one form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases import workflow
from cases.models import Consent, Referral, Status, Todo
from tests.factories import give_consent, make_referral, submitted_referral

TODAY = timezone.localdate()


def with_expiring_consent(case_worker, days):
    """A submitted referral whose consent ends in the given number of days."""
    referral = make_referral(case_worker)
    give_consent(
        referral,
        case_worker,
        case_worker.organisation.party,
        given_on=TODAY - timedelta(days=100),
        valid_until=TODAY + timedelta(days=days),
    )
    referral.submit(by=case_worker)
    return referral


@pytest.fixture
def one_of_each(case_worker, coordinator):
    """One case of each kind of work for the case worker, and one that needs nothing."""
    question = submitted_referral(case_worker)
    question.request_info(by=coordinator, question="Finns ett läkarintyg?")
    draft = make_referral(case_worker)
    consent = with_expiring_consent(case_worker, 10)
    accepted = submitted_referral(case_worker)
    accepted.accept(by=coordinator)
    waiting = submitted_referral(case_worker)
    return {
        Todo.QUESTIONS: question,
        Todo.DRAFTS: draft,
        Todo.CONSENT: consent,
        Todo.MEETING: accepted,
        "waiting": waiting,
    }


def counts(user, today=TODAY):
    return Referral.objects.visible_to(user).todo_counts(user, today)


def todo(user, kind, today=TODAY):
    return set(
        Referral.objects.visible_to(user).todo(kind, user=user, today=today).values_list("pk", flat=True)
    )


# --- the QuerySet ----------------------------------------------------------


def test_each_kind_of_work_is_counted(one_of_each, case_worker):
    assert counts(case_worker) == {"questions": 1, "drafts": 1, "consent": 1, "meeting": 1}
    for kind in Todo:
        assert todo(case_worker, kind) == {one_of_each[kind].pk}


def test_counts_take_one_query(one_of_each, case_worker, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts(case_worker)


def test_only_the_users_own_cases_are_counted(one_of_each, case_worker, colleague, other_case_worker):
    # The colleague sees the same organisation's cases but is not their case worker.
    assert counts(colleague) == {"questions": 0, "drafts": 0, "consent": 0, "meeting": 0}
    assert counts(other_case_worker) == {"questions": 0, "drafts": 0, "consent": 0, "meeting": 0}
    one_of_each[Todo.DRAFTS].take_over(by=colleague)
    assert counts(colleague)["drafts"] == 1 and counts(case_worker)["drafts"] == 0


def test_a_user_outside_visible_to_counts_nothing_even_as_case_worker(case_worker, other_case_worker):
    draft = make_referral(case_worker)
    # Not possible through the pages, but the count follows visibility, not the handler alone.
    Referral.objects.filter(pk=draft.pk).update(handler=other_case_worker)
    assert counts(other_case_worker)["drafts"] == 0


def test_consent_expiry_window_edges(case_worker, settings):
    settings.CONSENT_EXPIRY_WARNING_DAYS = 30
    referral = with_expiring_consent(case_worker, 0)
    ends = Consent.objects.get(referral=referral).valid_until
    assert todo(case_worker, Todo.CONSENT, today=ends) == {referral.pk}  # the last day
    assert todo(case_worker, Todo.CONSENT, today=ends - timedelta(days=30)) == {referral.pk}
    assert todo(case_worker, Todo.CONSENT, today=ends - timedelta(days=31)) == set()
    assert todo(case_worker, Todo.CONSENT, today=ends + timedelta(days=1)) == set()  # expired
    assert counts(case_worker, today=ends - timedelta(days=30))["consent"] == 1
    assert counts(case_worker, today=ends - timedelta(days=31))["consent"] == 0
    assert counts(case_worker, today=ends + timedelta(days=1))["consent"] == 0


def test_the_warning_window_is_a_setting(case_worker, settings):
    referral = with_expiring_consent(case_worker, 40)
    settings.CONSENT_EXPIRY_WARNING_DAYS = 30
    assert todo(case_worker, Todo.CONSENT) == set()
    settings.CONSENT_EXPIRY_WARNING_DAYS = 40
    assert todo(case_worker, Todo.CONSENT) == {referral.pk}


def test_withdrawn_consent_and_ended_cases_are_not_expiring(case_worker, coordinator):
    withdrawn = make_referral(case_worker, parties=["kommun", "af"])
    give_consent(withdrawn, case_worker, "kommun")
    af = give_consent(withdrawn, case_worker, "af", valid_until=TODAY + timedelta(days=5))
    af.withdraw(by=case_worker, on=TODAY)
    closed = with_expiring_consent(case_worker, 5)
    closed.close(by=case_worker, reason="Personen har fått arbete.")
    assert todo(case_worker, Todo.CONSENT) == set()


def test_the_earliest_ending_consent_is_shown(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    give_consent(referral, case_worker, "kommun", valid_until=TODAY + timedelta(days=20))
    give_consent(referral, case_worker, "af", valid_until=TODAY + timedelta(days=8))
    row = Referral.objects.with_expiring_consent(TODAY).get(pk=referral.pk)
    assert row.consent_expires_on == TODAY + timedelta(days=8)
    assert todo(case_worker, Todo.CONSENT) == {referral.pk}


def test_an_unknown_kind_finds_nothing(one_of_each, case_worker):
    assert todo(case_worker, "nonsense") == set()


def test_the_order_puts_what_needs_action_first(one_of_each, case_worker, colleague, coordinator):
    colleagues_question = submitted_referral(colleague)
    colleagues_question.request_info(by=coordinator, question="Vilka insatser pågår?")
    older_waiting = one_of_each["waiting"]
    newer_waiting = submitted_referral(case_worker)
    ordered = list(
        Referral.objects.visible_to(case_worker)
        .by_action_needed(case_worker, TODAY)
        .values_list("pk", flat=True)
    )
    assert ordered == [
        one_of_each[Todo.QUESTIONS].pk,
        one_of_each[Todo.DRAFTS].pk,
        one_of_each[Todo.CONSENT].pk,
        one_of_each[Todo.MEETING].pk,
        # The rest, newest first; a colleague's question is theirs to answer.
        newer_waiting.pk,
        colleagues_question.pk,
        older_waiting.pk,
    ]


def test_a_case_in_two_kinds_ranks_by_the_more_urgent(case_worker):
    draft = make_referral(case_worker)
    give_consent(draft, case_worker, "kommun", valid_until=TODAY + timedelta(days=3))
    newer = with_expiring_consent(case_worker, 3)
    assert todo(case_worker, Todo.DRAFTS) == {draft.pk}
    assert todo(case_worker, Todo.CONSENT) == {draft.pk, newer.pk}
    ordered = Referral.objects.visible_to(case_worker).by_action_needed(case_worker, TODAY)
    assert [r.pk for r in ordered] == [draft.pk, newer.pk]


def test_every_kind_but_consent_follows_the_workflow_declaration():
    assert workflow.TODO_STATES[Todo.QUESTIONS] == {Status.INFO_REQUESTED}
    assert workflow.TODO_STATES[Todo.DRAFTS] == {Status.DRAFT}
    assert workflow.TODO_STATES[Todo.MEETING] == {Status.ACCEPTED}
    assert workflow.TODO_STATES[Todo.CONSENT] == set()
