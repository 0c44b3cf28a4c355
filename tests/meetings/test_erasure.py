"""Erasure of a case takes the texts of its meeting records with it; the facts stay."""

import pytest

from cases.models import Referral
from meetings.models import AgendaItem, Record
from meetings.models.records import PartyPerspective, PlanItem, RecordVersion, Response
from tests.followup import rightofaccess_support as support

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(case_worker, coordinator, council_member):
    item = support.met_case(case_worker, coordinator, council_member)
    AgendaItem.objects.filter(pk=item.pk).update(interpreter_language="arabiska")
    return item


def erase(item):
    Referral.objects.filter(pk=item.referral_id).update(status="closed")
    return Referral.objects.get(pk=item.referral_id).erase_personal_data()


def test_the_records_texts_are_erased_with_the_case(item):
    record = Record.objects.get(item=item)
    assert record.own_account and record.versions.exists()

    assert erase(item) is True

    record.refresh_from_db()
    assert (record.own_account, record.recommendation, record.gap_note) == ("", "", "")
    assert not PartyPerspective.objects.filter(record=record).exclude(note="").exists()
    assert set(
        PlanItem.objects.filter(record=record).values_list("activity", "goal", "follow_up_comment")
    ) == {("", "", "")}
    assert list(Response.objects.filter(record=record).values_list("comment", flat=True)) == [""]
    assert not RecordVersion.objects.filter(record=record).exists()
    assert AgendaItem.objects.get(pk=item.pk).interpreter_language == ""


def facts(record):
    """What the statistics read of a record: none of it a text."""
    record.refresh_from_db()
    return (
        record.outcome,
        record.individual_attended,
        record.finalised_at,
        list(
            PlanItem.objects.filter(record=record).values_list(
                "responsible_party", "due_on", "follow_up_status"
            )
        ),
        list(Response.objects.filter(record=record).values_list("party", "answer")),
    )


def test_the_facts_the_statistics_rest_on_stay(item):
    record = Record.objects.get(item=item)
    before = facts(record)
    erase(item)
    assert facts(record) == before


def test_another_cases_record_is_untouched(item, case_worker, coordinator, council_member):
    other = support.met_case(case_worker, coordinator, council_member)
    erase(item)
    kept = Record.objects.get(item=other)
    assert kept.own_account == support.OWN_ACCOUNT
    assert kept.versions.exists()
    assert PlanItem.objects.get(record=kept).activity == support.ACTIVITY


def test_a_second_erasure_changes_nothing_more(item):
    assert erase(item) is True
    assert erase(item) is False
