"""Gathering the register extract: everything stored, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.rightofaccess import gather
from meetings.models import (
    AgendaItem,
    Attendance,
    ItemStatus,
    PartyPerspective,
    PlanItem,
    Record,
    RecordVersion,
    Response,
)
from resursrad.models import AccessAction, AccessLog
from tests.factories import make_meeting
from tests.followup.rightofaccess_support import ACTIVITY, FIRST_ACCOUNT, met_case

pytestmark = pytest.mark.django_db


def test_gather_finds_every_part(case_worker, coordinator, council_member):
    item = met_case(case_worker, coordinator, council_member)
    extract = gather(item.referral)
    [entry] = extract.meetings
    assert entry.record is not None
    assert [p.activity for p in entry.record.plan_items.all()] == [ACTIVITY]
    assert entry.record.versions.get().content["own_account"] == FIRST_ACCOUNT
    assert [r.party for r in entry.record.responses.all()] == ["kommun"]
    assert {c.party for c in extract.consents} == {"kommun", "region"}
    assert extract.events and not extract.is_erased


def _grow(item, coordinator, case_worker, other_case_worker, times):  # type: ignore[no-untyped-def]
    """More done slots of the case, each with a full record, and many reads of the case by others."""
    referral = item.referral
    for n in range(times):
        meeting = make_meeting(item.meeting.council, days_ahead=-7 * (AgendaItem.objects.count() + 1))
        later = AgendaItem.objects.create(
            meeting=meeting, referral=referral, position=1, status=ItemStatus.DONE, case_worker=case_worker
        )
        record = Record.objects.create(
            item=later,
            individual_attended=n % 2 == 0,
            own_account=f"Berättelse {n}",
            recommendation=f"Rekommendation {n}",
            finalised_at=meeting.created_at,
            finalised_by=coordinator,
        )
        Attendance.objects.create(record=record, user=case_worker, party="kommun", present=True)
        PartyPerspective.objects.create(record=record, party="kommun", note=f"Perspektiv {n}")
        PlanItem.objects.create(
            record=record,
            activity=f"Steg {n}",
            responsible_party="kommun",
            responsible_user=case_worker,
            due_on=meeting.date,
        )
        Response.objects.create(
            record=record, party="kommun", answer="partly", by=case_worker, at=meeting.created_at
        )
        RecordVersion.objects.create(
            record=record,
            number=1,
            saved_at=meeting.created_at,
            saved_by=coordinator,
            content={"own_account": f"Version {n}"},
        )
    AccessLog.objects.bulk_create(
        AccessLog(
            user=other_case_worker,
            organisation_id=other_case_worker.organisation_id,
            referral_id=referral.pk,
            case_number=referral.case_number,
            action=AccessAction.VIEW,
        )
        for _ in range(times * 20)
    )


def _count(client, url):  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_extract_page_takes_the_same_queries_however_long_the_history(
    client, case_worker, coordinator, council_member, other_case_worker
):
    item = met_case(case_worker, coordinator, council_member)
    client.force_login(coordinator)
    url = reverse("followup:register_extract", args=[item.referral_id])
    _grow(item, coordinator, case_worker, other_case_worker, 1)
    _count(client, url)  # the first request of the session touches it once
    few = _count(client, url)
    _grow(item, coordinator, case_worker, other_case_worker, 6)
    many = _count(client, url)
    assert many == few
    page = client.get(url).content.decode()
    assert "Steg 5" in page and "Version 5" in page and page.count("Arbetsförmedlingen Haninge") >= 140
