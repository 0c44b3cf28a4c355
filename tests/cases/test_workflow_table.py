"""Walk the workflow table: every step works through its view for its actor and no one else.

Also walk every case URL and check that each leaves exactly the expected
access-log row.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import workflow
from cases.models import Referral, Status
from cases.workflow import Actor
from resursrad.models import AccessLog
from tests.factories import give_consent, make_referral, scheduled_referral, submitted_referral


def referral_in(status, case_worker, coordinator):
    """A referral brought to the given state through the real domain methods."""
    if status == Status.DRAFT:
        referral = make_referral(case_worker, parties=["kommun", "af"])
        for party in referral.requested_parties:
            give_consent(referral, case_worker, party)
        return referral
    if status in (Status.SCHEDULED, Status.HELD, Status.FOLLOW_UP):
        referral = scheduled_referral(case_worker, coordinator, parties=["kommun", "af"])
        if status != Status.SCHEDULED:
            follow_up = timezone.localdate()
            referral.perform("hold", by=coordinator, fields={"follow_up_on": follow_up})
        if status == Status.FOLLOW_UP:
            referral.perform("start_follow_up", by=None)
        referral.refresh_from_db()
        assert referral.status == status
        return referral
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    if status == Status.INFO_REQUESTED:
        referral.request_info(by=coordinator, question="Finns läkarintyg?")
    elif status == Status.ACCEPTED:
        referral.accept(by=coordinator)
    elif status == Status.CONSENT_ENDED:
        referral.consents.get(party="kommun").withdraw(by=case_worker, on=timezone.localdate())
    elif status == Status.DECLINED:
        referral.decline(by=coordinator, reason="Nej.")
    elif status == Status.CLOSED:
        referral.close(by=coordinator, reason="Klart.")
    referral.refresh_from_db()
    assert referral.status == status
    return referral


def actors(actor, source):
    roles = {
        Actor.REFERRING_CASE_WORKER: ["colleague"],
        Actor.CREATOR: ["case_worker"],
        Actor.COORDINATOR: ["coordinator"],
        Actor.CASE_WORKER_OR_COORDINATOR: ["colleague", "coordinator"],
    }[actor]
    # A draft belongs to its organisation: the coordinator does not see it.
    return [r for r in roles if r != "coordinator" or workflow.STATES[source].seen_by_coordinator]


CASES = [
    (transition.name, source)
    for transition in workflow.TRANSITIONS.values()
    if transition.on_case_page
    for source in sorted(transition.sources)
]


@pytest.fixture
def everyone(cast, colleague):
    return {**cast, "colleague": colleague}


def test_the_declaration_is_whole():
    workflow.check_declaration()
    assert {Status.CLOSED, Status.DECLINED, Status.DISCARDED} == workflow.FINAL_STATES
    assert Status.DRAFT not in workflow.CONSENT_BOUND_STATES
    assert {Status.DRAFT, Status.INFO_REQUESTED} == workflow.EDITABLE_STATES


@pytest.mark.parametrize("name,source", CASES)
def test_each_step_is_taken_through_its_view_by_its_actor(client, everyone, name, source):
    transition = workflow.TRANSITIONS[name]
    for role in actors(transition.actor, source):
        referral = referral_in(source, everyone["case_worker"], everyone["coordinator"])
        client.force_login(everyone[role])
        response = client.post(
            reverse("cases:transition", args=[referral.pk, name]), {f"{name}-comment": "En kommentar."}
        )
        assert response.status_code == 302, (role, response.status_code)
        referral.refresh_from_db()
        assert referral.status == transition.target, (role, name, source)
        event = referral.events.filter(kind="transition").last()
        assert (event.from_status, event.to_status, event.by) == (source, transition.target, everyone[role])


@pytest.mark.parametrize("name,source", CASES)
def test_each_step_is_refused_to_everyone_else(client, everyone, name, source):
    transition = workflow.TRANSITIONS[name]
    allowed = set(actors(transition.actor, source))
    referral = referral_in(source, everyone["case_worker"], everyone["coordinator"])
    version = referral.version
    for role, user in everyone.items():
        if role in allowed or (role == "case_worker" and "colleague" in allowed):
            continue
        client.force_login(user)
        response = client.post(
            reverse("cases:transition", args=[referral.pk, name]), {f"{name}-comment": "En kommentar."}
        )
        # Those who may see the case are told no; the others do not learn that it exists.
        assert response.status_code in (302, 404), (role, response.status_code)
        referral.refresh_from_db()
        assert (referral.status, referral.version) == (source, version), role


def test_a_step_from_a_state_it_does_not_leave_is_refused_with_a_message(client, case_worker, coordinator):
    referral = referral_in(Status.ACCEPTED, case_worker, coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("cases:transition", args=[referral.pk, "accept"]), follow=True)
    assert "Det steget går inte att ta" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_a_system_step_has_no_url(client, case_worker, coordinator):
    referral = referral_in(Status.SUBMITTED, case_worker, coordinator)
    client.force_login(coordinator)
    url = reverse("cases:transition", args=[referral.pk, "end_for_lack_of_consent"])
    assert client.post(url, {"end_for_lack_of_consent-comment": "x"}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED


# --- the access log: each URL leaves exactly the expected row ----------------


def _urls(referral):
    consent = referral.consents.first()
    return [
        ("get", reverse("cases:detail", args=[referral.pk]), {}, "view"),
        ("get", reverse("cases:print", args=[referral.pk]), {}, "print"),
        ("get", reverse("cases:edit", args=[referral.pk]), {}, "view"),
        ("get", reverse("cases:consent_create", args=[referral.pk]), {}, "view"),
        ("post", reverse("cases:consent_create", args=[referral.pk]), {}, "update"),
        ("get", reverse("cases:consent_withdraw", args=[referral.pk, consent.pk]), {}, "view"),
        ("get", reverse("cases:consent_withdraw_all", args=[referral.pk]), {}, "view"),
        ("post", reverse("cases:transition", args=[referral.pk, "close"]), {}, "update"),
        ("post", reverse("cases:take_over", args=[referral.pk]), {}, "take_over"),
    ]


def test_every_case_url_leaves_exactly_the_expected_row(client, case_worker, colleague, coordinator):
    referral = referral_in(Status.SUBMITTED, case_worker, coordinator)
    client.force_login(colleague)
    for method, url, data, action in _urls(referral):
        before = AccessLog.objects.count()
        getattr(client, method)(url, data)
        rows = list(AccessLog.objects.order_by("-pk")[: AccessLog.objects.count() - before])
        assert [(r.action, r.user, r.referral_id) for r in rows] == [(action, colleague, referral.pk)], url
        assert rows[0].subject_hash == referral.participant.number_hash != ""
        assert rows[0].request_id


def test_a_refused_attempt_is_logged_with_the_case(client, case_worker, other_case_worker, coordinator):
    referral = referral_in(Status.SUBMITTED, case_worker, coordinator)
    client.force_login(other_case_worker)
    for method, url, data, _action in _urls(referral):
        before = AccessLog.objects.count()
        assert getattr(client, method)(url, data).status_code == 404, url
        rows = list(AccessLog.objects.order_by("-pk")[: AccessLog.objects.count() - before])
        assert [(r.action, r.user, r.case_number) for r in rows] == [
            ("refused", other_case_worker, referral.case_number)
        ], url


def test_an_edit_conflict_logs_the_version_shown(client, case_worker, colleague):
    from tests.cases.test_views import edit_data

    referral = make_referral(case_worker)
    stale = edit_data(referral)
    client.force_login(colleague)
    client.post(reverse("cases:edit", args=[referral.pk]), edit_data(referral, **{"r-tried_so_far": "A"}))
    client.force_login(case_worker)
    before = AccessLog.objects.count()
    response = client.post(reverse("cases:edit", args=[referral.pk]), {**stale, "r-tried_so_far": "B"})
    assert response.status_code == 409
    actions = list(AccessLog.objects.order_by("pk")[before:].values_list("action", flat=True))
    assert actions == ["update", "conflict"]


def test_an_access_history_lookup_that_finds_nothing_is_logged(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("cases:access_history"), {"personal_number": "850312-2387"})
    assert list(response.context["entries"]) == []
    entry = AccessLog.objects.get()
    assert (entry.action, entry.user, entry.referral_id, entry.participant_id) == (
        "access_history",
        administrator,
        None,
        None,
    )
    assert len(entry.subject_hash) == 64 and "2387" not in entry.subject_hash


def test_a_search_logs_one_row_per_case_found(client, case_worker):
    first, second = make_referral(case_worker), make_referral(case_worker)
    client.force_login(case_worker)
    client.post(reverse("cases:list"), {"q": "Andersson"})
    found = AccessLog.objects.filter(action="search", user=case_worker)
    assert sorted(found.values_list("referral_id", flat=True)) == sorted([first.pk, second.pk])


def test_the_coordinators_list_without_names_logs_nothing(client, case_worker, coordinator):
    submitted_referral(case_worker)
    client.force_login(coordinator)
    client.get(reverse("cases:list"))
    client.get(reverse("cases:inbox"))
    assert not AccessLog.objects.filter(user=coordinator).exists()


def test_the_request_id_is_made_on_the_server(client, case_worker):
    referral = make_referral(case_worker)
    client.force_login(case_worker)
    response = client.get(reverse("cases:detail", args=[referral.pk]), HTTP_X_REQUEST_ID="forged-by-client-1")
    entry = AccessLog.objects.get(action="view")
    assert entry.request_id != "forged-by-client-1"
    assert response["X-Request-ID"] == entry.request_id
