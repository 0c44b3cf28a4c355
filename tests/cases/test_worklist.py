""" "Mina ärenden" as a worklist: "Att göra" counts and links, action-first order, one form."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import workflow
from cases.models import Consent, Referral, Status, Todo
from tests.factories import give_consent, make_participant, make_referral, submitted_referral

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


# --- the page --------------------------------------------------------------


def listed(response):
    return [r.pk for r in response.context["page"].object_list]


def test_the_page_shows_to_do_with_counts_and_links(client, one_of_each, case_worker, settings):
    settings.CONSENT_EXPIRY_WARNING_DAYS = 30
    client.force_login(case_worker)
    response = client.get(reverse("cases:list"))
    content = response.content.decode()
    assert "Att göra" in content
    for label in [
        "fråga från samordnaren att besvara",
        "utkast att göra klart",
        "ärende där ett samtycke går ut inom 30 dagar",
        "accepterat ärende som väntar på möte",
    ]:
        assert label in content
    for kind in Todo:
        assert f'href="/cases/?todo={kind.value}"' in content
    assert [item["count"] for item in response.context["todo"]] == [1, 1, 1, 1]
    # The list itself: what needs action first.
    assert listed(response)[:4] == [one_of_each[kind].pk for kind in Todo]
    assert f"Samtycket går ut {(TODAY + timedelta(days=10)).isoformat()}" in content


def test_each_link_filters_the_list_to_exactly_those_cases(client, one_of_each, case_worker):
    client.force_login(case_worker)
    for kind in Todo:
        response = client.get(reverse("cases:list"), {"todo": kind.value})
        assert response.status_code == 200
        assert listed(response) == [one_of_each[kind].pk], kind
        assert f"Visar: {kind.label}." in response.content.decode()
        assert [item["active"] for item in response.context["todo"]] == [k == kind for k in Todo]


def test_a_zero_count_is_shown_calmly_without_a_link(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    response = client.get(reverse("cases:list"))
    content = response.content.decode()
    assert [item["count"] for item in response.context["todo"]] == [0, 1, 0, 0]
    assert 'href="/cases/?todo=drafts"' in content
    assert 'href="/cases/?todo=questions"' not in content
    assert "0 frågor" not in content  # the count and the words are separate elements
    assert content.count("todo-none") == 3


def test_an_unknown_to_do_gets_a_swedish_message_beside_the_filter(client, one_of_each, case_worker):
    client.force_login(case_worker)
    response = client.get(reverse("cases:list"), {"todo": "nonsense", "status": "draft"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="error_1_id_todo"' in content and "Välj ett av alternativen i listan" in content
    # The valid filter still applies.
    assert listed(response) == [one_of_each[Todo.DRAFTS].pk]


def test_a_colleague_sees_no_work_of_mine_but_the_whole_list(client, one_of_each, colleague):
    client.force_login(colleague)
    response = client.get(reverse("cases:list"))
    assert [item["count"] for item in response.context["todo"]] == [0, 0, 0, 0]
    assert len(listed(response)) == 5
    assert listed(client.get(reverse("cases:list"), {"todo": "questions"})) == []


def test_another_organisation_sees_nothing_of_it(client, one_of_each, other_case_worker):
    mine = make_referral(other_case_worker)
    client.force_login(other_case_worker)
    response = client.get(reverse("cases:list"))
    assert listed(response) == [mine.pk]
    assert [item["count"] for item in response.context["todo"]] == [0, 1, 0, 0]
    for kind in Todo:
        assert listed(client.get(reverse("cases:list"), {"todo": kind.value})) == (
            [mine.pk] if kind == Todo.DRAFTS else []
        )


def test_the_coordinator_has_no_to_do_here_and_keeps_the_status_filter(
    client, one_of_each, case_worker, coordinator
):
    client.force_login(coordinator)
    response = client.get(reverse("cases:list"))
    content = response.content.decode()
    assert response.context["todo"] is None and "Att göra" not in content
    # No drafts (they belong to the organisation), newest first, organisations named.
    expected = [one_of_each[kind].pk for kind in ["waiting", Todo.MEETING, Todo.CONSENT, Todo.QUESTIONS]]
    assert listed(response) == expected
    assert '<th scope="col">Organisation</th>' in content and "Ansökande part" in content
    assert ">Haninge kommun</td>" in content
    assert listed(client.get(reverse("cases:list"), {"status": "info_requested"})) == [
        one_of_each[Todo.QUESTIONS].pk
    ]
    # The case worker's filters are not the coordinator's: ignored, not an error.
    assert len(listed(client.get(reverse("cases:list"), {"todo": "questions", "mine": "on"}))) == 4


def test_a_case_worker_list_does_not_name_their_own_organisation_in_each_row(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    content = client.get(reverse("cases:list")).content.decode()
    assert '<th scope="col">Organisation</th>' not in content
    assert "<td>Haninge kommun</td>" not in content
    # Nor a filter by referring party: every case comes from their own.
    assert "Ansökande part" not in content


def test_a_case_worker_who_is_also_coordinator_sees_the_organisation_column(client, case_worker):
    case_worker.is_coordinator = True
    case_worker.save(update_fields=["is_coordinator"])
    make_referral(case_worker)
    client.force_login(case_worker)
    response = client.get(reverse("cases:list"))
    assert '<th scope="col">Organisation</th>' in response.content.decode()
    assert response.context["todo"] is not None


def test_the_list_needs_login(client, db):
    for response in [
        client.get(reverse("cases:list"), {"todo": "questions"}),
        client.post(reverse("cases:list"), {"q": "", "status": "draft"}),
    ]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_list_refuses_other_methods(client, case_worker, method):
    client.force_login(case_worker)
    assert getattr(client, method)(reverse("cases:list")).status_code == 405


# --- search and filters in one form -----------------------------------------


def test_filtering_keeps_the_search_text(client, case_worker, coordinator):
    anna_draft = make_referral(case_worker)
    anna_submitted = submitted_referral(case_worker)
    make_referral(
        case_worker, participant=make_participant(first_name="Bo", last_name="Ek", personal_number="")
    )
    client.force_login(case_worker)
    # "Filtrera" pressed with a name in the search field.
    response = client.post(reverse("cases:list"), {"q": "Andersson", "status": "draft"})
    assert response.status_code == 200
    assert listed(response) == [anna_draft.pk]
    content = response.content.decode()
    assert 'value="Andersson"' in content
    assert '<option value="draft" selected>' in content
    # "Sök" pressed with a filter set.
    response = client.post(reverse("cases:list"), {"q": "Andersson", "status": "submitted"})
    assert listed(response) == [anna_submitted.pk]


def test_filters_without_search_text_go_into_the_address(client, case_worker):
    client.force_login(case_worker)
    response = client.post(
        reverse("cases:list"), {"q": "", "status": "draft", "todo": "drafts", "created_from": "2026-01-05"}
    )
    assert response.status_code == 302
    assert response.url == reverse("cases:list") + "?todo=drafts&status=draft&created_from=2026-01-05"


def test_clearing_the_search_keeps_the_filters_and_drops_the_text(client, case_worker):
    client.force_login(case_worker)
    response = client.post(reverse("cases:list"), {"q": "19850312-2387", "status": "draft", "clear": "1"})
    assert response.status_code == 302
    assert response.url == reverse("cases:list") + "?status=draft"
    assert "2387" not in response.url


def test_an_invalid_filter_with_no_search_is_shown_not_put_in_the_address(client, case_worker):
    client.force_login(case_worker)
    response = client.post(reverse("cases:list"), {"q": "", "created_from": "19850312-2387"})
    assert response.status_code == 200
    assert "Ange ett riktigt datum" in response.content.decode()


def test_the_pages_of_a_search_keep_the_search(client, case_worker):
    for index in range(30):
        make_referral(
            case_worker, participant=make_participant(first_name=f"Person{index}", personal_number="")
        )
    client.force_login(case_worker)
    first = client.post(reverse("cases:list"), {"q": "Andersson"})
    assert first.context["page"].paginator.count == 30
    assert 'form="list-form" name="page" value="2"' in first.content.decode()
    second = client.post(reverse("cases:list"), {"q": "Andersson", "page": "2"})
    assert second.context["page"].number == 2 and len(listed(second)) == 5


@pytest.mark.parametrize("limit_in_union", [True, False], ids=["postgresql", "as-on-sqlite"])
def test_the_pages_follow_the_action_first_order_across_both_parts(
    client, one_of_each, case_worker, colleague, coordinator, monkeypatch, limit_in_union
):
    # SQLite (development) allows no LIMIT in a half of a union: the same pages another way.
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", limit_in_union)
    # More than a page: the four with work, then 28 without, newest first.
    for _ in range(13):
        submitted_referral(case_worker)
        submitted_referral(colleague)
    colleagues_question = submitted_referral(colleague)
    colleagues_question.request_info(by=coordinator, question="Vilka insatser pågår?")
    expected = list(
        Referral.objects.visible_to(case_worker)
        .by_action_needed(case_worker, TODAY)
        .values_list("pk", flat=True)
    )
    assert len(expected) == 32 and expected[:4] == [one_of_each[kind].pk for kind in Todo]
    client.force_login(case_worker)
    first = client.get(reverse("cases:list"))
    second = client.get(reverse("cases:list"), {"page": "2"})
    assert first.context["page"].has_next and not second.context["page"].has_next
    assert listed(first) + listed(second) == expected
    assert listed(client.get(reverse("cases:list"), {"page": "3"})) == []
    # Filtered: the same order within what the filter holds.
    submitted = client.get(reverse("cases:list"), {"status": "submitted", "page": "1"})
    assert (
        listed(submitted)
        == [pk for pk in expected if Referral.objects.get(pk=pk).status == Status.SUBMITTED][:25]
    )
    mine = client.get(reverse("cases:list"), {"mine": "on"})
    assert listed(mine) == [pk for pk in expected if Referral.objects.get(pk=pk).handler == case_worker]
