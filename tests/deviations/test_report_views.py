"""Reporting a deviation: the form, the de-identification refusal, the double submit, and the meeting slot prefill."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deviations.models import Deviation, DeviationEvent
from meetings.models import Record
from resursrad.models import AccessAction, AccessLog
from tests.factories import UserFactory, make_council, make_participant, submitted_referral
from tests.meetings.cal_setup import make_agenda
from tests.meetings.run_support import draft, slot

pytestmark = pytest.mark.django_db

URL = reverse("deviations:report")
TOKEN = "6f1c1f0e-3a9b-4a55-9a57-2b7c8c1d2e3f"


def data(**fields):
    values = {
        "form_token": TOKEN,
        "description": "Läkarintyget nådde inte Försäkringskassan trots att regionen skickat det.",
        "category": "information",
        "parties": ["fk", "region"],
        "consequence": "Ersättningen försenades i sex veckor.",
        "suggestion": "En gemensam rutin för överlämning av intyg.",
        "observed_on": timezone.localdate().isoformat(),
    }
    values.update(fields)
    return values


def slot_url(item):
    return f"{URL}?slot={item.pk}"


# --- the form ------------------------------------------------------------------


def test_the_form_warns_that_a_deviation_can_become_a_public_record(client, case_worker):
    client.force_login(case_worker)
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "En avvikelse kan bli en allmän handling" in content
    assert "Beskriv vad som hände, aldrig vem" in content
    # Category as radio buttons, parties as checkboxes, the date observed today by default.
    assert re.search(r'type="radio"[^>]*name="category"', content)
    assert re.search(r'type="checkbox"[^>]*name="parties"', content)
    assert f'name="observed_on" value="{timezone.localdate().isoformat()}"' in content
    assert "Två parters regelverk krockar" in content


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "council_member"])
def test_each_reporter_reports_and_lands_on_the_deviation(client, cast, role):
    user = cast[role]
    client.force_login(user)
    response = client.post(URL, data(), follow=True)
    deviation = Deviation.objects.get()
    assert response.redirect_chain == [(reverse("deviations:detail", args=[deviation.pk]), 302)]
    assert deviation.reported_by == user
    assert deviation.parties == ["fk", "region"]
    assert deviation.council is None and deviation.parties_present == []
    assert f"Avvikelse {deviation.number} har rapporterats" in response.content.decode()


@pytest.mark.parametrize("role", ["steering_member", "administrator"])
def test_the_steering_group_and_administrators_cannot_report(client, cast, role):
    client.force_login(cast[role])
    assert client.get(URL).status_code == 404
    assert client.post(URL, data()).status_code == 404
    assert not Deviation.objects.exists()


def test_a_user_without_a_role_cannot_report(client, db):
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 404


def test_anonymous_is_sent_to_log_in(client, db):
    for method in (client.get, client.post):
        response = method(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not Deviation.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_the_form_refuses_other_methods(client, case_worker, method):
    client.force_login(case_worker)
    assert getattr(client, method)(URL).status_code == 405


# --- bad input: a Swedish message beside the field, the text kept, nothing saved ----


def test_a_personal_identity_number_is_refused_beside_the_field_and_the_text_kept(client, case_worker):
    client.force_login(case_worker)
    text = "Intyget för 19850312-2387 kom aldrig fram till Försäkringskassan."
    response = client.post(URL, data(description=text))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["description"] == [
        "Texten innehåller något som ser ut som ett personnummer eller samordningsnummer. "
        "Beskriv vad som hände utan det."
    ]
    content = response.content.decode()
    assert (
        "Några fält behöver rättas. Inget är sparat ännu." in content
    )  # the error summary, as on other forms
    assert 'href="#id_description"' in content
    assert text in content
    assert "Ersättningen försenades i sex veckor." in content
    assert not Deviation.objects.exists()


def test_several_identifying_texts_are_each_refused_beside_their_field(client, case_worker):
    client.force_login(case_worker)
    response = client.post(
        URL,
        data(consequence="Ring henne på 070-123 45 67.", suggestion="Skriv till kalle@haninge.se."),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["consequence"] == ["Texten innehåller ett telefonnummer. Ta bort det."]
    assert errors["suggestion"] == ["Texten innehåller en e-postadress. Ta bort den."]
    assert "description" not in errors
    assert not Deviation.objects.exists()


def test_the_name_of_a_participant_in_the_reporters_cases_is_refused(client, case_worker):
    submitted_referral(case_worker, participant=make_participant(first_name="Vilhelmina", last_name="Qvarn"))
    client.force_login(case_worker)
    response = client.post(URL, data(description="Vilhelmina fick vänta på beslut i åtta veckor."))
    assert response.status_code == 400
    message = response.context["form"].errors["description"][0]
    assert "namnet på en deltagare i dina ärenden" in message and "Vilhelmina" in message
    assert not Deviation.objects.exists()


def test_a_case_number_is_refused(client, case_worker):
    client.force_login(case_worker)
    response = client.post(URL, data(description="I ärende RR-2026-0042 kom intyget aldrig fram."))
    assert response.status_code == 400
    assert response.context["form"].errors["description"] == [
        "Texten innehåller ett ärendenummer. Beskriv vad som hände utan det."
    ]
    assert not Deviation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"description": "  "}, "description", "Beskriv vad som hände."),
        ({"parties": []}, "parties", "Välj minst en berörd part."),
        ({"parties": ["fk", "polisen"]}, "parties", "Välj parter i listan."),
        ({"category": ""}, "category", "Välj den kategori som passar bäst."),
        ({"observed_on": "2026-02-30"}, "observed_on", "Ange ett riktigt datum"),
        (
            {"observed_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "observed_on",
            "Datumet då det iakttogs kan inte ligga i framtiden.",
        ),
    ],
)
def test_bad_input_is_refused_in_swedish_beside_the_field(client, case_worker, fields, field, message):
    client.force_login(case_worker)
    response = client.post(URL, data(**fields))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "En gemensam rutin för överlämning av intyg." in response.content.decode()
    assert not Deviation.objects.exists()


# --- a double submit -------------------------------------------------------------


def test_a_double_submit_saves_one_report(client, case_worker):
    client.force_login(case_worker)
    first = client.post(URL, data())
    second = client.post(URL, data())
    deviation = Deviation.objects.get()
    assert first.url == second.url == reverse("deviations:detail", args=[deviation.pk])
    assert DeviationEvent.objects.filter(deviation=deviation).count() == 1


def test_each_new_form_carries_its_own_token(client, case_worker):
    client.force_login(case_worker)
    first = client.get(URL).context["form_token"]
    second = client.get(URL).context["form_token"]
    assert first != second
    client.post(URL, data(form_token=str(first)))
    client.post(URL, data(form_token=str(second)))
    assert Deviation.objects.count() == 2


def test_a_refused_submit_keeps_its_token_so_the_corrected_one_saves_once(client, case_worker):
    client.force_login(case_worker)
    refused = client.post(URL, data(description="Ring 08-123 456 78."))
    assert str(refused.context["form_token"]) == TOKEN
    client.post(URL, data())
    client.post(URL, data())
    assert Deviation.objects.count() == 1


def test_another_users_token_protects_nothing(client, case_worker, coordinator):
    client.force_login(case_worker)
    client.post(URL, data())
    client.force_login(coordinator)
    response = client.post(URL, data())
    assert Deviation.objects.count() == 2
    mine = Deviation.objects.get(reported_by=coordinator)
    assert response.url == reverse("deviations:detail", args=[mine.pk])


# --- from a meeting slot ---------------------------------------------------------


@pytest.fixture
def item(case_worker, coordinator, council_member):
    return slot(case_worker, coordinator, council_member)


def test_the_slot_prefills_council_date_parties_and_the_gap_note_never_the_individual(
    client, case_worker, coordinator, item
):
    draft(
        item,
        coordinator,
        attendance=[{"user": case_worker.pk, "party": "kommun", "present": True, "remote": False}],
        gap_note="Remissen mellan vården och kommunen kom inte fram.",
    )
    client.force_login(coordinator)
    response = client.get(slot_url(item))
    assert response.status_code == 200
    content = response.content.decode()
    assert item.meeting.council.name in content
    assert item.meeting.date.isoformat() in content
    assert "Kommun" in content
    assert "Remissen mellan vården och kommunen kom inte fram." in content
    assert item.referral.case_number not in content
    assert item.referral.participant.personal_number not in content
    assert item.referral.participant.last_name not in content
    # Reading the slot's record to fill in the form is a read of the case: logged.
    assert AccessLog.objects.filter(
        user=coordinator, referral_id=item.referral_id, action=AccessAction.VIEW
    ).exists()

    response = client.post(
        slot_url(item), data(description="Remissen mellan vården och kommunen kom inte fram.")
    )
    assert response.status_code == 302
    deviation = Deviation.objects.get()
    assert deviation.council == item.meeting.council
    assert deviation.meeting_date == item.meeting.date
    assert deviation.parties_present == ["kommun"]
    stored = " ".join(
        str(value) for value in Deviation.objects.filter(pk=deviation.pk).values().get().values()
    )
    assert item.referral.case_number not in stored
    assert str(item.referral.pk) not in deviation.description


def test_before_attendance_is_recorded_the_parties_invited_to_the_slot_are_filled_in(
    client, coordinator, item
):
    client.force_login(coordinator)
    response = client.get(slot_url(item))
    assert response.context["origin"].parties_present == ["kommun", "region"]
    assert response.context["form"].initial["description"] == ""


def test_a_gap_note_with_a_case_number_is_still_checked_on_submit(client, coordinator, item):
    note = f"Glapp i {item.referral.case_number}: vården skickade inte remissen."
    draft(item, coordinator, gap_note=note)
    client.force_login(coordinator)
    assert note in client.get(slot_url(item)).content.decode()
    response = client.post(slot_url(item), data(description=note))
    assert response.status_code == 400
    assert "ärendenummer" in response.context["form"].errors["description"][0]
    assert not Deviation.objects.exists()


def test_the_council_member_reads_the_gap_note_only_once_the_record_is_final(
    client, coordinator, council_member, item
):
    draft(item, coordinator, gap_note="Vården och kommunen väntade på varandra.")
    client.force_login(council_member)
    response = client.get(slot_url(item))
    assert response.status_code == 200
    assert "Vården och kommunen väntade på varandra." not in response.content.decode()
    Record.objects.get(item=item).finalise(by=coordinator, outcome="held")
    response = client.get(slot_url(item))
    assert "Vården och kommunen väntade på varandra." in response.content.decode()


def test_a_slot_the_user_may_not_see_is_a_404_and_the_refusal_logged(client, other_case_worker, item):
    client.force_login(other_case_worker)
    assert client.get(slot_url(item)).status_code == 404
    assert client.post(slot_url(item), data()).status_code == 404
    assert AccessLog.objects.filter(user=other_case_worker, action=AccessAction.REFUSED).exists()
    assert not Deviation.objects.exists()


def test_a_coordinator_of_another_council_gets_a_404_on_the_slot(client, item):
    stranger = UserFactory(email="sam@annat-forbund.test", is_coordinator=True)
    make_council(name="Resursrådet Norr", coordinators=[stranger])
    client.force_login(stranger)
    assert client.get(slot_url(item)).status_code == 404


@pytest.mark.parametrize("value", ["abc", "0", "99999999", "-1", ""])
def test_a_slot_that_cannot_be_read_is_a_404(client, coordinator, item, value):
    client.force_login(coordinator)
    assert client.get(f"{URL}?slot={value}").status_code == 404


def test_the_slot_prefill_refuses_the_steering_group(client, steering_member, item):
    client.force_login(steering_member)
    assert client.get(slot_url(item)).status_code == 404


# --- the links from the meeting ----------------------------------------------------


def test_the_coordinators_meeting_view_and_record_link_to_the_report(client, coordinator, item):
    client.force_login(coordinator)
    assert slot_url(item) in client.get(reverse("meetings:run", args=[item.meeting_id])).content.decode()
    assert slot_url(item) in client.get(reverse("meetings:record", args=[item.pk])).content.decode()
    draft(item, coordinator)
    Record.objects.get(item=item).finalise(by=coordinator, outcome="held")
    page = client.get(reverse("meetings:record_view", args=[item.pk]))
    assert slot_url(item) in page.content.decode()
    assert client.get(slot_url(item)).status_code == 200


def test_the_council_members_slot_view_links_to_the_report(client, cast):
    agenda = make_agenda(cast)
    client.force_login(cast["council_member"])
    page = client.get(reverse("meetings:slot_view", args=[agenda.item.pk]))
    assert slot_url(agenda.item) in page.content.decode()
    response = client.get(slot_url(agenda.item))
    assert response.status_code == 200
    assert agenda.council.name in response.content.decode()
    client.force_login(agenda.other_member)
    assert client.get(slot_url(agenda.item)).status_code == 404
