"""The register extract: who may produce it, finding the case by number, what it holds, and its logging."""

import pytest
from django.urls import reverse

from cases.models import Referral
from resursrad.models import AccessAction, AccessLog
from tests.factories import CaseWorkerFactory, make_participant, submitted_referral
from tests.followup.rightofaccess_support import (
    ACTIVITY,
    FIRST_ACCOUNT,
    OWN_ACCOUNT,
    PERSPECTIVE,
    RECOMMENDATION,
    RESPONSE_COMMENT,
    met_case,
)


@pytest.fixture
def item(case_worker, coordinator, council_member):  # type: ignore[no-untyped-def]
    return met_case(case_worker, coordinator, council_member)


@pytest.fixture
def referral(item):  # type: ignore[no-untyped-def]
    return item.referral


def extract_url(referral):  # type: ignore[no-untyped-def]
    return reverse("followup:register_extract", args=[referral.pk])


START = reverse("followup:register_extract_start")


def test_the_extract_holds_the_case_the_records_and_who_read_it(
    client, settings, coordinator, other_case_worker, referral
):
    AccessLog.objects.create(
        user=other_case_worker,
        organisation_id=other_case_worker.organisation_id,
        referral_id=referral.pk,
        participant_id=referral.participant_id,
        case_number=referral.case_number,
        action=AccessAction.REFUSED,
    )
    client.force_login(coordinator)
    response = client.get(extract_url(referral))
    assert response.status_code == 200
    page = response.content.decode()
    for text in [
        "Anna Andersson",
        "19850312-2387",
        referral.case_number,
        "Sjukskriven sedan tre år.",
        OWN_ACCOUNT,
        FIRST_ACCOUNT,  # the earlier version of the record
        RECOMMENDATION,
        PERSPECTIVE,
        ACTIVITY,
        RESPONSE_COMMENT,
        "Följer rekommendationen",
        "Arbetsförmedlingen Haninge",  # the other organisation's refused read
        "Nekad",
        "Registerutdrag framställt",  # this production itself
        settings.CONTROLLER_NAME,
    ]:
        assert text in page, text


def test_producing_the_extract_is_logged_as_such(client, coordinator, referral):
    client.force_login(coordinator)
    client.get(extract_url(referral))
    entry = AccessLog.objects.filter(action=AccessAction.RIGHT_OF_ACCESS).get()
    assert (entry.user, entry.referral_id, entry.case_number) == (
        coordinator,
        referral.pk,
        referral.case_number,
    )
    assert entry.subject_hash == referral.participant.number_hash


def test_the_case_worker_produces_the_extract_for_protected_identity(client, case_worker, coordinator):
    protected = submitted_referral(
        case_worker,
        participant=make_participant(
            protected_identity=True, pseudonym="Person K", first_name="", last_name="", personal_number=""
        ),
    )
    client.force_login(case_worker)
    response = client.post(START, {"case_number": protected.case_number.lower()})
    assert response.status_code == 302
    assert response.url == extract_url(protected)
    page = client.get(response.url).content.decode()
    assert "Person K" in page and "Skyddade personuppgifter" in page


@pytest.mark.parametrize("role", ["coordinator", "case_worker"])
def test_coordinator_and_case_worker_reach_both_pages(client, cast, referral, role):
    client.force_login(cast[role])
    assert client.get(START).status_code == 200
    assert client.get(extract_url(referral)).status_code == 200
    assert "Registerutdrag" in client.get(referral.get_absolute_url()).content.decode()


@pytest.mark.parametrize("role", ["other_case_worker", "council_member", "steering_member", "administrator"])
def test_others_get_404_and_the_refusal_is_logged(client, cast, referral, role):
    client.force_login(cast[role])
    assert client.get(extract_url(referral)).status_code == 404
    assert client.post(START, {"case_number": referral.case_number}).status_code in (400, 404)
    assert not AccessLog.objects.filter(action=AccessAction.RIGHT_OF_ACCESS).exists()


def test_another_organisations_case_worker_is_refused_and_logged(client, other_case_worker, referral):
    client.force_login(other_case_worker)
    assert client.get(extract_url(referral)).status_code == 404
    assert AccessLog.objects.filter(user=other_case_worker, action=AccessAction.REFUSED).exists()


def test_anonymous_is_sent_to_log_in(client, referral):
    for url in [START, extract_url(referral)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"


def test_wrong_method_is_405(client, coordinator, referral):
    client.force_login(coordinator)
    assert client.post(extract_url(referral)).status_code == 405
    assert client.put(START).status_code == 405


@pytest.mark.parametrize("typed", ["RR-2026-9999", "abc"])
def test_an_unknown_case_number_is_told_beside_the_field(client, coordinator, referral, typed):
    client.force_login(coordinator)
    response = client.post(START, {"case_number": typed})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert f'value="{typed}"' in page
    assert not AccessLog.objects.filter(action=AccessAction.RIGHT_OF_ACCESS).exists()


def test_a_case_the_user_may_not_see_reads_as_one_that_does_not_exist(client, other_case_worker, referral):
    other_org_case = submitted_referral(CaseWorkerFactory(organisation=other_case_worker.organisation))
    client.force_login(other_case_worker)
    hidden = client.post(START, {"case_number": referral.case_number})
    missing = client.post(START, {"case_number": "RR-2000-0001"})
    assert hidden.status_code == missing.status_code == 400
    assert "Du har inget ärende med det numret" in hidden.content.decode()
    assert hidden.context["form"].errors == missing.context["form"].errors
    # The attempt on a real case is logged as a refusal.
    assert AccessLog.objects.filter(
        user=other_case_worker, action=AccessAction.REFUSED, referral_id=referral.pk
    ).exists()
    assert client.post(START, {"case_number": other_org_case.case_number}).status_code == 302


def test_a_draft_is_not_the_coordinators(client, case_worker, coordinator):
    from tests.factories import make_referral

    draft = make_referral(case_worker)
    client.force_login(coordinator)
    assert client.get(extract_url(draft)).status_code == 404
    assert client.post(START, {"case_number": draft.case_number}).status_code == 400


def test_an_erased_case_shows_what_is_kept_and_says_it_was_erased(client, coordinator, referral):
    Referral.objects.filter(pk=referral.pk).update(status="closed")
    Referral.objects.get(pk=referral.pk).erase_personal_data()
    client.force_login(coordinator)
    response = client.get(extract_url(referral))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Personuppgifterna gallrades" in page
    assert "Anna Andersson" not in page and "19850312-2387" not in page
    assert referral.case_number in page
