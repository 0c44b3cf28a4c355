"""The coordinator's one-form decision, and "Nästa i inkorgen"."""

import pytest
from django.urls import reverse

from cases.models import Referral, Status
from tests.factories import make_referral, submitted_referral


def decide(client, referral, decision, text=""):
    return client.post(
        reverse("cases:decide", args=[referral.pk]), {"decision-decision": decision, "decision-text": text}
    )


@pytest.mark.parametrize(
    "decision,text,status",
    [
        ("accept", "", Status.ACCEPTED),
        ("accept", "Välkommen till rådet.", Status.ACCEPTED),
        ("request_info", "Finns läkarintyg?", Status.INFO_REQUESTED),
        ("decline", "Hör hemma i ordinarie samverkan.", Status.DECLINED),
    ],
)
def test_the_coordinator_decides_in_one_form(client, case_worker, coordinator, decision, text, status):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    response = decide(client, referral, decision, text)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == status
    assert referral.events.last().comment == text


@pytest.mark.parametrize(
    "decision,message",
    [("request_info", "Skriv din fråga till handläggaren."), ("decline", "Skriv varför ansökan avböjs.")],
)
def test_a_decision_without_its_required_text_is_refused_beside_the_field(
    client, case_worker, coordinator, decision, message
):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    response = decide(client, referral, decision, "   ")
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'class="error-summary' in content or "error-summary" in content
    assert (
        f'value="{decision}" class="form-check-input" id="id_decision-decision_'
        in content.replace(" checked", "")
        or "checked" in content
    )
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED


def test_a_decision_needs_a_choice(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    response = client.post(reverse("cases:decide", args=[referral.pk]), {"decision-text": "Mitt svar"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Välj att acceptera, begära komplettering eller avböja." in content
    assert "Mitt svar" in content  # nothing typed is lost


def test_an_unknown_decision_is_refused_not_a_500(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    assert decide(client, referral, "close", "x").status_code == 400
    assert decide(client, referral, "discard\x00", "x").status_code in (400, 404)
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED


def test_the_decision_is_only_for_the_coordinator(client, case_worker, other_case_worker, coordinator):
    referral = submitted_referral(case_worker)
    client.force_login(case_worker)
    assert decide(client, referral, "accept").status_code == 302
    client.force_login(other_case_worker)
    assert decide(client, referral, "accept").status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == Status.SUBMITTED
    client.logout()
    assert decide(client, referral, "accept").url.startswith("/accounts/login/")
    client.force_login(coordinator)
    assert client.get(reverse("cases:decide", args=[referral.pk])).status_code == 405


def test_a_decided_referral_is_not_decided_again(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    decide(client, referral, "accept")
    response = decide(client, referral, "decline", "Nej.")
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED


def test_next_in_the_inbox_opens_the_longest_waiting_referral(client, case_worker, coordinator):
    first = submitted_referral(case_worker)
    second = submitted_referral(case_worker)
    make_referral(case_worker)  # a draft is never in the inbox
    client.force_login(coordinator)
    decide(client, first, "accept")
    page = client.get(reverse("cases:detail", args=[first.pk])).content.decode()
    assert "Nästa i inkorgen" in page
    assert client.get(reverse("cases:inbox_next")).url == reverse("cases:detail", args=[second.pk])
    decide(client, second, "accept")
    response = client.get(reverse("cases:inbox_next"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:inbox")
    assert "Inkorgen är tom" in response.content.decode()
    client.force_login(case_worker)
    assert client.get(reverse("cases:inbox_next")).status_code == 403
