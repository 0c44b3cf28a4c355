"""The same-person check: an open case about the typed number is named before the draft is saved."""

import re

import pytest
from django.urls import reverse

from cases.models import Referral, Status
from resursrad.models import AccessLog
from tests.cases.test_views import create_data, edit_data
from tests.factories import make_participant, make_referral, submitted_referral

CREATE = reverse("cases:create")


def test_an_open_case_for_the_same_number_is_named_before_anything_is_saved(client, case_worker):
    first = submitted_referral(case_worker)
    client.force_login(case_worker)
    response = client.post(CREATE, create_data(**{"r-tried_so_far": "Arbetsträning hösten 2025."}))
    assert response.status_code == 200
    assert Referral.objects.count() == 1
    content = response.content.decode()
    assert "Gäller det samma person?" in content
    assert "Din organisation har redan ett öppet ärende för det här personnumret." in content
    assert f'href="{reverse("cases:detail", args=[first.pk])}"' in content
    assert f"{first.case_number}<span" in content and "inskickad" in content
    assert "Fortsätt och spara utkastet" in content
    assert f'name="confirmed_same_person" value="{first.case_number}"' in content
    assert 'name="stop" value="1"' in content and ">Avbryt</button>" in content
    # Everything typed is on the page again, ready to be saved as it is.
    assert 'value="Andersson"' in content and "Arbetsträning hösten 2025." in content
    # Naming the case for this number is a search by number, and is logged as one.
    assert AccessLog.objects.filter(user=case_worker, action="search", referral_id=first.pk).count() == 1


def test_continue_saves_exactly_what_was_typed_once(client, case_worker):
    first = make_referral(case_worker)
    client.force_login(case_worker)
    data = create_data(**{"r-tried_so_far": "Arbetsträning hösten 2025.", "p-phone": "070-1234567"})
    assert client.post(CREATE, data).status_code == 200
    response = client.post(CREATE, {**data, "confirmed_same_person": first.case_number})
    second = Referral.objects.exclude(pk=first.pk).select_related("participant").get()
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[second.pk])
    assert second.tried_so_far == "Arbetsträning hösten 2025."
    assert second.requested_parties == ["kommun", "af"]
    assert second.participant.personal_number == "198503122387"
    assert second.participant.phone == "070-1234567"
    assert second.events.filter(kind="created").count() == 1
    # The number never travels in an address.
    assert "2387" not in response.url


def test_a_double_submit_of_continue_saves_one_draft(client, case_worker):
    first = make_referral(case_worker)
    client.force_login(case_worker)
    data = {**create_data(), "confirmed_same_person": first.case_number}
    one = client.post(CREATE, data)
    two = client.post(CREATE, data)
    # The form's one-time token finds the draft the first click saved: the second
    # click neither asks again (that draft is not "another" case) nor saves again.
    assert one.status_code == two.status_code == 302
    assert one.url == two.url
    assert Referral.objects.count() == 2


def test_stopping_saves_nothing(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    content = client.post(CREATE, create_data()).content.decode()
    panel = content[
        content.index("data-confirm-step") : content.index("</section>", content.index("data-confirm-step"))
    ]
    assert re.search(r'<button [^>]*name="stop"[^>]*>Avbryt</button>', panel)
    # "Avbryt" sends the form back with "stop": nothing is saved, and the list says so.
    response = client.post(CREATE, {**create_data(), "stop": "1"}, follow=True)
    assert response.request["PATH_INFO"] == reverse("cases:list")
    assert "Ingen ny ansökan sparades." in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_changed_number_on_edit_is_checked_too(client, case_worker):
    first = submitted_referral(case_worker)
    draft = make_referral(case_worker, participant=make_participant(personal_number="191212121212"))
    client.force_login(case_worker)
    edit = reverse("cases:edit", args=[draft.pk])
    data = edit_data(draft)
    response = client.post(edit, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Gäller det samma person?" in content and first.case_number in content
    assert "Fortsätt och spara ändringarna" in content
    draft.participant.refresh_from_db()
    assert draft.participant.personal_number == "191212121212"
    # Stopping changes nothing; continuing saves the new number.
    response = client.post(edit, {**data, "stop": "1"}, follow=True)
    assert "Inget ändrades." in response.content.decode()
    response = client.post(edit, {**data, "confirmed_same_person": first.case_number})
    assert response.status_code == 302
    draft.participant.refresh_from_db()
    assert draft.participant.personal_number == "198503122387"
    # Saving again with the same number asks nothing more.
    draft.refresh_from_db()
    assert client.post(edit, {**data, "r-version": str(draft.version)}).status_code == 302


def test_a_confirmation_for_other_cases_does_not_count(client, case_worker):
    first = make_referral(case_worker)
    client.force_login(case_worker)
    for confirmed in ["", "RR-1999-0001", f"x{first.case_number}"]:
        response = client.post(CREATE, {**create_data(), "confirmed_same_person": confirmed})
        assert response.status_code == 200
        assert "Gäller det samma person?" in response.content.decode()
    assert Referral.objects.count() == 1


def test_a_case_opened_after_the_confirmation_is_named_too(client, case_worker, colleague):
    first = make_referral(case_worker)
    data = create_data()
    client.force_login(case_worker)
    client.post(CREATE, data)
    newer = make_referral(colleague)  # a colleague saves one while this page is open
    response = client.post(CREATE, {**data, "confirmed_same_person": first.case_number})
    assert response.status_code == 200
    assert newer.case_number in response.content.decode()
    response = client.post(
        CREATE, {**data, "confirmed_same_person": f"{first.case_number},{newer.case_number}"}
    )
    assert response.status_code == 302
    assert Referral.objects.count() == 3


def test_another_organisations_case_is_never_mentioned(client, case_worker, other_case_worker):
    theirs = make_referral(other_case_worker)
    client.force_login(case_worker)
    response = client.post(CREATE, create_data(), follow=True)
    content = response.content.decode()
    assert Referral.objects.count() == 2
    assert theirs.case_number not in content
    assert "samma person" not in content and "personnumret" not in content
    assert not AccessLog.objects.filter(referral_id=theirs.pk).exists()


@pytest.mark.parametrize("how", ["closed", "discarded", "other number", "protected identity"])
def test_no_question_without_an_open_case_for_the_number(client, case_worker, coordinator, how):
    if how == "closed":
        submitted_referral(case_worker).close(by=coordinator, reason="Klart.")
    elif how == "discarded":
        make_referral(case_worker).perform("discard", by=case_worker)
    elif how == "other number":
        make_referral(case_worker, participant=make_participant(personal_number="198503122395"))
    data = create_data()
    if how == "protected identity":
        make_referral(case_worker)
        data.update({"p-protected_identity": "on", "p-pseudonym": "Person A"})
    client.force_login(case_worker)
    response = client.post(CREATE, data)
    assert response.status_code == 302
    assert Referral.objects.exclude(status__in=[Status.CLOSED, Status.DISCARDED]).count() == (
        1 if how in ("closed", "discarded") else 2
    )


def test_bad_input_is_explained_before_any_question_about_the_person(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    response = client.post(CREATE, create_data(**{"p-first_name": ""}))
    content = response.content.decode()
    assert "Ange förnamnet." in content
    assert "Gäller det samma person?" not in content


def test_anonymous_continue_is_sent_to_login_and_saves_nothing(client, case_worker):
    first = make_referral(case_worker)
    response = client.post(CREATE, {**create_data(), "confirmed_same_person": first.case_number})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_create_page_refuses_other_methods(client, case_worker, method):
    client.force_login(case_worker)
    assert getattr(client, method)(CREATE).status_code == 405
    assert not Referral.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "council_member"])
def test_roles_that_cannot_create_are_told_nothing_about_the_person(client, cast, case_worker, role):
    make_referral(case_worker)
    client.force_login(cast[role])
    response = client.post(CREATE, create_data())
    assert response.status_code == 403
    assert "Gäller det samma person?" not in response.content.decode()
    assert not AccessLog.objects.filter(user=cast[role]).exists()
