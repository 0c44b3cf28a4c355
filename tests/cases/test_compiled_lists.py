"""The case worker's list from compiled shapes (cases.compiled_lists): the same rows as the ORM's, for every user."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import compiled_lists as lists
from cases.models import Referral
from tests.cases.test_concurrency import run_together
from tests.cases.test_worklist import with_expiring_consent
from tests.factories import CaseWorkerFactory, make_referral, submitted_referral

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
SIZE = 4
# A case number as a row links it.
CASE_NUMBER = re.compile(r">(RR-\d{4}-\d+)</a>")


@pytest.fixture
def cases(case_worker, colleague, other_case_worker, coordinator):
    """Work of each kind for the case worker, colleagues' cases, and another organisation's."""
    question = submitted_referral(case_worker)
    question.request_info(by=coordinator, question="Finns ett läkarintyg?")
    make_referral(case_worker)
    with_expiring_consent(case_worker, 5)
    submitted_referral(case_worker).accept(by=coordinator)
    for _ in range(4):
        submitted_referral(colleague)
        submitted_referral(other_case_worker)
    make_referral(other_case_worker)
    # A colleague's case whose consent ends soon: shown as such, though not the case worker's work.
    with_expiring_consent(colleague, 9)


def orm_page(user, number, organisation=False):
    visible = Referral.objects.visible_to(user)
    worklist = visible.worklist(user, TODAY)
    return visible.with_list_data(organisation=organisation).page_action_first(
        worklist, today=TODAY, number=number, size=SIZE, narrowed=False
    )


def compiled_page(user, number, organisation=False):
    worklist = lists.worklist(user, TODAY)
    return lists.page_action_first(
        user, worklist, today=TODAY, number=number, size=SIZE, organisation=organisation
    )


def shown(page):
    return [
        (
            row.pk,
            row.case_number,
            row.status,
            row.consent_expires_on,
            row.participant.display_name,
            row.handler.last_name,
        )
        for row in page.object_list
    ]


def test_the_worklist_is_the_orms(cases, case_worker, colleague, other_case_worker):
    for user in (case_worker, colleague, other_case_worker):
        assert lists.worklist(user, TODAY) == Referral.objects.visible_to(user).worklist(user, TODAY)
    assert sum(lists.worklist(case_worker, TODAY).counts.values()) == 4


def test_every_page_is_the_orms_for_each_case_worker(cases, case_worker, colleague, other_case_worker):
    for user in (case_worker, colleague, other_case_worker):
        organisation_ids = set(Referral.objects.visible_to(user).values_list("pk", flat=True))
        for number in (1, 2, 3, 4, "x", 99):
            ours, theirs = compiled_page(user, number), orm_page(user, number)
            assert shown(ours) == shown(theirs)
            assert (ours.number, ours.has_next) == (theirs.number, theirs.has_next)
            # Every row is one the user may see: the same shape, each user's own values.
            assert {row.pk for row in ours.object_list} <= organisation_ids
    first = shown(compiled_page(case_worker, 1))
    assert [row[3] for row in first].count(TODAY + timedelta(days=5)) == 1
    all_rows = [row for number in (1, 2, 3) for row in shown(compiled_page(case_worker, number))]
    assert TODAY + timedelta(days=9) in [row[3] for row in all_rows]


def test_a_case_worker_who_also_coordinates_gets_the_orms_rows(cases, org_a, coordinator):
    both = CaseWorkerFactory(organisation=org_a, email="bada@haninge.test", is_coordinator=True)
    submitted_referral(both).request_info(by=coordinator, question="Vem är kontakt?")
    for number in (1, 2, 3, 4, 5):
        assert shown(compiled_page(both, number, organisation=True)) == shown(
            orm_page(both, number, organisation=True)
        )


def test_an_inactive_user_sees_nothing(cases, case_worker):  # through the ORM, as without an organisation
    case_worker.is_active = False
    assert lists.worklist(case_worker, TODAY).order == []
    assert compiled_page(case_worker, 1).object_list == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need PostgreSQL")
def test_two_organisations_case_workers_open_their_lists_at_the_same_moment(
    cases, case_worker, other_case_worker
):
    numbers = {
        user.pk: set(Referral.objects.visible_to(user).values_list("case_number", flat=True))
        for user in (case_worker, other_case_worker)
    }

    def list_of(user):
        def open_list():
            client = Client()
            client.force_login(user)
            response = client.get(reverse("cases:list"))
            # From the page itself: a test client's context is not its own while other threads render.
            return response.status_code, set(CASE_NUMBER.findall(response.content.decode()))

        return open_list

    users = [case_worker, other_case_worker] * 3
    for user, (status, listed) in zip(users, run_together(*map(list_of, users)), strict=True):
        assert status == 200 and listed and listed <= numbers[user.pk]
