"""Two coordinators writing the same record at the same moment (threads, real row locks on PostgreSQL)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import DomainError, Referral, ReferralEvent, Status
from meetings.models import Record, RecordConflict, RecordVersion
from tests.cases.test_concurrency import run_together
from tests.factories import UserFactory, make_council
from tests.meetings.run_support import draft, slot
from tests.meetings.test_run_views import record_data

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_two_first_saves_at_once_keep_one_and_tell_the_other(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    results = run_together(
        lambda: draft(item, coordinator, version=0, own_account="Den ena."),
        lambda: draft(item, coordinator, version=0, own_account="Den andra."),
    )
    assert sum(isinstance(r, Record) for r in results) == 1
    assert sum(isinstance(r, RecordConflict) for r in results) == 1, results
    record = Record.objects.get()
    assert record.version == 1
    assert record.own_account in ("Den ena.", "Den andra.")


def test_two_editors_posting_at_once_one_wins_and_the_other_is_told(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    second = UserFactory(email="maria@forbund.test", is_coordinator=True)
    make_council(coordinators=[second])
    draft(item, coordinator)
    url = reverse("meetings:record", kwargs={"item_id": item.pk})

    def post(user, text):
        def call():
            client = Client()
            client.force_login(user)
            return client.post(url, record_data(item, version=1, own_account=text))

        return call

    responses = run_together(post(coordinator, "Evas text."), post(second, "Marias text."))
    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [302, 409], responses
    loser = next(r for r in responses if r.status_code == 409)
    assert "Någon annan sparade protokollet" in loser.content.decode()
    record = Record.objects.get()
    assert record.version == 2
    assert RecordVersion.objects.filter(record=record).count() == 1


def test_two_finalises_at_once_hold_the_case_once(case_worker, coordinator):
    item = slot(case_worker, coordinator)
    draft(item, coordinator)

    def finalise():
        Record.objects.get(item=item).finalise(by=coordinator, outcome="held")

    results = run_together(finalise, finalise)
    assert results.count(None) == 1
    assert all(isinstance(r, DomainError) for r in results if r is not None), results
    assert Referral.objects.get(pk=item.referral_id).status == Status.HELD
    assert ReferralEvent.objects.filter(referral_id=item.referral_id, to_status=Status.HELD).count() == 1
