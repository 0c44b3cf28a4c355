"""The case page's queries from compiled shapes (cases.compiled_case): the same rows as the ORM's, for every user."""

import re

import pytest
from django.db import connection
from django.db.models import Prefetch, prefetch_related_objects
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import compiled_case
from cases.models import Referral, ReferralEvent
from tests.cases.test_concurrency import run_together
from tests.factories import (
    CaseWorkerFactory,
    UserFactory,
    give_consent,
    make_referral,
    scheduled_referral,
    submitted_referral,
)

pytestmark = pytest.mark.django_db

CASE_NUMBER_HEADING = re.compile(r"<h1[^>]*>(RR-\d{4}-\d+)")


@pytest.fixture
def cases(case_worker, colleague, other_case_worker, coordinator):
    """Cases in every state a user sees differently: drafts, waiting, asked, scheduled; two organisations."""
    asked = submitted_referral(case_worker)
    asked.request_info(by=coordinator, question="Finns ett läkarintyg?")
    asked.resubmit(by=case_worker, answer="Ja, från vårdcentralen.")
    scheduled_referral(case_worker, coordinator)
    return {
        "draft": make_referral(case_worker),
        "asked": asked,
        "waiting": submitted_referral(colleague),
        "other": submitted_referral(other_case_worker),
        "other draft": make_referral(other_case_worker),
        "scheduled": Referral.objects.get(status="scheduled"),
    }


def orm_referral(user, pk):
    return (
        Referral.objects.visible_to(user)
        .select_related("participant", "organisation", "handler")
        .filter(pk=pk)
        .first()
    )


def loaded(referral):
    """What the case page reads of a loaded referral and its relations."""
    if referral is None:
        return None
    return (
        referral.pk,
        referral.case_number,
        referral.status,
        referral.participant.display_name,
        referral.organisation.name,
        referral.handler and referral.handler.email,
    )


def test_each_user_loads_the_referrals_the_orm_gives_them(
    cases, case_worker, other_case_worker, coordinator, org_a
):
    both = CaseWorkerFactory(organisation=org_a, email="bada@haninge.test", is_coordinator=True)
    coordinator_with_organisation = UserFactory(
        email="sam@haninge.test", is_coordinator=True, organisation=org_a
    )
    users = (case_worker, other_case_worker, coordinator, both, coordinator_with_organisation)
    for user in users:
        for referral in cases.values():
            ours = compiled_case.visible_referral(user, referral.pk)
            assert loaded(ours) == loaded(orm_referral(user, referral.pk))
        assert compiled_case.visible_referral(user, 10**9) is None
    # The rule is the ORM's: a case worker sees their organisation's, drafts too; another's not.
    assert compiled_case.visible_referral(case_worker, cases["draft"].pk) is not None
    assert compiled_case.visible_referral(case_worker, cases["other"].pk) is None
    assert compiled_case.visible_referral(other_case_worker, cases["asked"].pk) is None
    assert compiled_case.visible_referral(coordinator, cases["draft"].pk) is None
    assert compiled_case.visible_referral(coordinator, cases["other"].pk) is not None


def test_an_inactive_user_or_one_without_a_role_loads_nothing(cases, case_worker, org_a):
    case_worker.is_active = False
    assert compiled_case.visible_referral(case_worker, cases["draft"].pk) is None
    member = UserFactory(email="ledamot@haninge.test", organisation=org_a)
    assert compiled_case.visible_referral(member, cases["draft"].pk) is None


def test_next_waiting_is_the_orms(cases, coordinator, org_a):
    both = CaseWorkerFactory(organisation=org_a, email="bada@haninge.test", is_coordinator=True)
    for user in (coordinator, both):
        for referral in cases.values():
            ours = compiled_case.next_waiting(user, referral)
            theirs = Referral.objects.visible_to(user).next_waiting(after=referral)
            assert (ours and ours.pk) == (theirs and theirs.pk)
    assert compiled_case.next_waiting(coordinator, cases["asked"]).pk == cases["waiting"].pk


def test_history_and_consents_are_prefetch_related_objects(cases, case_worker):
    ours = Referral.objects.get(pk=cases["asked"].pk)
    theirs = Referral.objects.get(pk=cases["asked"].pk)
    give_consent(ours, case_worker, "region")
    compiled_case.load_history(ours)
    prefetch_related_objects(
        [theirs], "consents", Prefetch("events", queryset=ReferralEvent.objects.select_related("by"))
    )
    with CaptureQueriesContext(connection) as queries:
        consents = [(c.pk, c.party, c.valid_until, c.referral is ours) for c in ours.consents.all()]
        events = [(e.pk, e.kind, e.to_status, e.by.email if e.by else None) for e in ours.events.all()]
        exchange = ours.latest_exchange
    assert len(queries) == 0  # all loaded, with who did what and the link back
    assert consents == [(c.pk, c.party, c.valid_until, True) for c in theirs.consents.all()]
    assert events == [(e.pk, e.kind, e.to_status, e.by.email if e.by else None) for e in theirs.events.all()]
    assert exchange["answer"].comment == theirs.latest_exchange["answer"].comment
    # A filter on the loaded relation is still the referral's own rows, never every referral's,
    # with who did what in the same query, as with the Prefetch.
    assert set(ours.events.filter(kind="transition").values_list("referral_id", flat=True)) == {ours.pk}
    with CaptureQueriesContext(connection) as queries:
        filtered = [e.by and e.by.email for e in ours.events.filter(kind="transition")]
    assert len(queries) == 1 and filtered == [
        e.by and e.by.email for e in theirs.events.filter(kind="transition")
    ]


def test_agenda_items_are_the_related_managers(cases):
    referral = cases["scheduled"]
    items = compiled_case.agenda_items(referral)
    expected = list(
        referral.agenda_items.shown().select_related("meeting", "record").order_by("-meeting__date")
    )
    assert [(i.pk, i.meeting.date, i.referral is referral) for i in items] == [
        (i.pk, i.meeting.date, True) for i in expected
    ]
    assert len(items) == 1
    assert compiled_case.agenda_items(cases["draft"]) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
def test_two_organisations_case_workers_open_case_pages_at_the_same_moment(
    cases, case_worker, other_case_worker
):
    own = {case_worker.pk: cases["draft"], other_case_worker.pk: cases["other draft"]}
    theirs = {case_worker.pk: cases["other draft"], other_case_worker.pk: cases["draft"]}

    def page_of(user, referral):
        def open_page():
            client = Client()
            client.force_login(user)
            response = client.get(reverse("cases:detail", args=[referral.pk]))
            return response.status_code, CASE_NUMBER_HEADING.findall(response.content.decode())

        return open_page

    users = [case_worker, other_case_worker] * 3
    calls = [page_of(user, own[user.pk]) for user in users] + [
        page_of(user, theirs[user.pk]) for user in users
    ]
    results = run_together(*calls)
    for user, (status, headings) in zip(users, results[: len(users)], strict=True):
        assert (status, headings) == (200, [own[user.pk].case_number])
    assert all(status == 404 for status, _ in results[len(users) :])
