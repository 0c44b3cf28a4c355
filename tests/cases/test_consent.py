"""Consent for several parties in one form: the domain, the form and the page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.forms import ConsentFormSet
from cases.models import Consent, ConsentRefused, DomainError, Referral, Status, add_months
from resursrad.models import AccessLog
from tests.factories import give_consent, make_referral, submitted_referral

TODAY = date(2026, 11, 24)


def row(party, **overrides):
    values = {
        "party": party,
        "categories": ["health", "work"],
        "given_on": TODAY,
        "method": "signed",
        "documented_by": "Karin Handläggare",
        "record_reference": "Treserva, akt 2026-0412",
        "valid_until": TODAY + timedelta(days=365),
    }
    values.update(overrides)
    return values


# --- the domain ------------------------------------------------------------


def test_consent_for_several_parties_is_registered_at_once(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    consents = Consent.register_many(
        referral=referral, by=case_worker, rows=[row("kommun"), row("af")], today=TODAY
    )
    assert [c.party for c in consents] == ["kommun", "af"]
    assert Consent.objects.get(party="af").record_reference == "Treserva, akt 2026-0412"
    assert referral.events.filter(kind="consent_registered").count() == 2


def test_one_refused_row_saves_nothing_at_all(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    # In force beyond the warning window (30 days): not to be renewed yet.
    give_consent(referral, case_worker, "fk", given_on=TODAY, valid_until=TODAY + timedelta(days=31))
    with pytest.raises(ConsentRefused, match="redan ett gällande samtycke") as refused:
        Consent.register_many(
            referral=referral, by=case_worker, rows=[row("kommun"), row("af"), row("fk")], today=TODAY
        )
    assert refused.value.party == "fk"
    assert list(referral.consents.values_list("party", flat=True)) == ["fk"]
    assert referral.events.filter(kind="consent_registered").count() == 1


def test_the_same_rows_twice_register_them_once(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    rows = [row("kommun"), row("af")]
    Consent.register_many(referral=referral, by=case_worker, rows=rows, today=TODAY)
    with pytest.raises(ConsentRefused):
        Consent.register_many(referral=referral, by=case_worker, rows=rows, today=TODAY)
    assert referral.consents.count() == 2


@pytest.mark.parametrize(
    "rows,message",
    [
        ([], "Välj minst en part"),
        ([row("kommun"), row("kommun")], "Samma part finns med två gånger"),
        ([row("kommun", record_reference="Pärm 19850312-2387")], "får inte innehålla ett personnummer"),
        ([row("kommun", categories=["secrets"])], "Välj typer av uppgifter i listan"),
        ([row("police")], "Okänd part"),
    ],
)
def test_bad_rows_are_refused_by_the_domain(case_worker, rows, message):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    with pytest.raises(DomainError, match=message):
        Consent.register_many(referral=referral, by=case_worker, rows=rows, today=TODAY)
    assert not Consent.objects.exists()


def test_a_row_ending_before_it_begins_is_refused_by_the_database_too(case_worker):
    referral = make_referral(case_worker)
    with pytest.raises(Exception, match="consent_valid_after_given"):
        Consent.register_many(
            referral=referral,
            by=case_worker,
            rows=[row("kommun", valid_until=TODAY - timedelta(days=1))],
            today=TODAY,
        )
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2026, 11, 24), 12, date(2027, 11, 24)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_months_are_added_by_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def test_the_suggested_validity_follows_the_setting(settings):
    settings.CONSENT_DEFAULT_VALIDITY_MONTHS = 6
    assert Consent.default_valid_until(TODAY) == date(2027, 5, 24)


def test_erasure_removes_where_the_form_is_kept(case_worker, coordinator):
    referral = submitted_referral(case_worker)
    Consent.objects.update(record_reference="Treserva, akt 2026-0412", documented_by="Karin")
    referral.close(by=coordinator, reason="Klart.")
    referral.erase_personal_data()
    assert list(Consent.objects.values_list("record_reference", "documented_by")) == [("", "")]


# --- the form --------------------------------------------------------------


def form_data(referral, rows):
    """POST data for the consent page: {party: {field: value}}; a row with values is ticked."""
    today = timezone.localdate()
    data = {"c-TOTAL_FORMS": "0", "c-INITIAL_FORMS": "0"}
    for party, values in rows.items():
        merged = {
            "include": "on",
            "categories": ["health", "work"],
            "given_on": today.isoformat(),
            "valid_until": (today + timedelta(days=365)).isoformat(),
            "method": "signed",
            "documented_by": "Karin Handläggare",
            "record_reference": f"Akt hos {party}",
        }
        merged.update(values)
        data.update({f"c-{party}-{name}": value for name, value in merged.items() if value is not None})
    return data


def bind(referral, user, data=None):
    return ConsentFormSet(data, referral=referral, user=user, today=timezone.localdate())


def test_the_form_has_a_prefilled_row_per_party_without_consent(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    give_consent(referral, case_worker, "af")
    formset = bind(Referral.objects.get(pk=referral.pk), case_worker)
    today = timezone.localdate()
    assert [form.party for form in formset] == ["kommun", "fk"]
    first = formset.forms[0]
    assert first["given_on"].value() == today
    assert first["valid_until"].value() == add_months(today, 12)
    assert first["method"].value() == "signed"
    assert first["documented_by"].value() == case_worker.get_full_name()
    assert not first["include"].value()  # consent is ticked deliberately, party by party
    assert first.prefix == "c-kommun"


def test_a_row_ending_before_its_date_is_explained_beside_the_field(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    formset = bind(
        referral, case_worker, form_data(referral, {"kommun": {}, "af": {"valid_until": "2020-01-01"}})
    )
    assert not formset.is_valid()
    assert formset.forms[1].errors["valid_until"] == ["Samtycket kan inte upphöra före den dag det lämnades."]
    assert not formset.forms[0].errors


def test_a_row_that_is_not_ticked_is_not_judged(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    data = form_data(referral, {"kommun": {}, "af": {"include": None, "valid_until": "not a date"}})
    formset = bind(referral, case_worker, data)
    assert formset.is_valid(), formset.errors
    assert [r["party"] for r in formset.rows()] == ["kommun"]
    assert formset.forms[1]["valid_until"].value() == "not a date"  # kept as typed


def test_nothing_ticked_asks_for_a_party(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    formset = bind(referral, case_worker, form_data(referral, {}))
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Kryssa i minst en part som du registrerar samtycke för nu."]


@pytest.mark.parametrize(
    "values,field,message",
    [
        ({"record_reference": "akt 850312-2387"}, "record_reference", "Ta bort personnumret."),
        ({"record_reference": ""}, "record_reference", "Ange var den undertecknade blanketten förvaras"),
        ({"method": "oral", "documented_by": ""}, "documented_by", "Ange vem som dokumenterade"),
        ({"method": None}, "method", "Välj hur samtycket lämnades."),
        ({"categories": None}, "categories", "Välj minst en typ av uppgifter."),
        ({"given_on": "2999-01-01", "valid_until": "2999-02-01"}, "given_on", "kan inte lämnas i framtiden"),
        ({"given_on": "2020-01-01", "valid_until": "2020-06-01"}, "valid_until", "har redan gått ut"),
        ({"valid_until": "2026-13-45"}, "valid_until", "Ange ett riktigt datum"),
        ({"record_reference": "x" * 101}, "record_reference", "som mest 100 tecken"),
    ],
)
def test_bad_rows_are_explained_beside_their_field(case_worker, values, field, message):
    referral = make_referral(case_worker)
    formset = bind(referral, case_worker, form_data(referral, {"kommun": values}))
    assert not formset.is_valid()
    assert message in " ".join(formset.forms[0].errors[field])


def test_a_signed_form_left_without_a_name_is_documented_by_the_user(case_worker):
    referral = make_referral(case_worker)
    formset = bind(referral, case_worker, form_data(referral, {"kommun": {"documented_by": ""}}))
    assert formset.is_valid(), formset.errors
    assert formset.rows()[0]["documented_by"] == case_worker.get_full_name()


def test_an_oral_consent_keeps_the_name_given(case_worker):
    referral = make_referral(case_worker)
    formset = bind(
        referral,
        case_worker,
        form_data(
            referral, {"kommun": {"method": "oral", "documented_by": "Kollega", "record_reference": ""}}
        ),
    )
    assert formset.is_valid(), formset.errors
    assert formset.rows()[0]["documented_by"] == "Kollega"


def test_a_party_registered_meanwhile_keeps_its_row_with_the_refusal(case_worker, colleague):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    data = form_data(referral, {"kommun": {}, "af": {}})
    give_consent(referral, colleague, "af")  # between showing the page and saving it
    formset = bind(Referral.objects.get(pk=referral.pk), case_worker, data)
    assert [form.party for form in formset] == ["kommun", "af"]
    assert not formset.is_valid()
    assert formset.forms[1].errors["include"] == ["Den här parten har redan ett gällande samtycke."]


@pytest.mark.parametrize("count", ["1000", "0", "-1", "x", None])
def test_the_row_count_from_the_browser_is_not_read(case_worker, count):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    data = form_data(referral, {"kommun": {}})
    data["c-TOTAL_FORMS"] = count
    formset = bind(referral, case_worker, {k: v for k, v in data.items() if v is not None})
    assert [form.party for form in formset] == ["kommun", "af"]
    assert formset.is_valid(), formset.non_form_errors()
    assert [r["party"] for r in formset.rows()] == ["kommun"]


# --- the page --------------------------------------------------------------


def url(referral):
    return reverse("cases:consent_create", args=[referral.pk])


def test_case_worker_registers_consent_for_two_parties_in_one_step(client, case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    client.force_login(case_worker)
    response = client.post(url(referral), form_data(referral, {"kommun": {}, "af": {}}), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[referral.pk])
    content = response.content.decode()
    assert "Samtycke är registrerat för: Kommun, Arbetsförmedlingen." in content
    assert "Förvaras: Akt hos af" in content
    consents = {c.party: c for c in referral.consents.all()}
    assert set(consents) == {"kommun", "af"}
    assert consents["af"].registered_by == case_worker
    assert consents["af"].categories == ["health", "work"]
    assert AccessLog.objects.filter(user=case_worker, action="update", referral_id=referral.pk).count() == 1


def test_the_page_shows_one_prefilled_row_per_party_still_without_consent(client, case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af", "fk"])
    give_consent(referral, case_worker, "kommun")
    client.force_login(case_worker)
    content = client.get(url(referral)).content.decode()
    today = timezone.localdate()
    assert 'name="c-kommun-include"' not in content
    assert 'name="c-af-include"' in content and 'name="c-fk-include"' in content
    assert "Samtycke som redan gäller:" in content and "Kommun (till och med" in content
    assert f'name="c-af-given_on" value="{today.isoformat()}"' in content
    assert f'name="c-af-valid_until" value="{add_months(today, 12).isoformat()}"' in content
    assert f'name="c-af-documented_by" value="{case_worker.get_full_name()}"' in content
    assert "Registrera samtycke för Arbetsförmedlingen" in content
    assert "Dokumenterat av" in content


def test_a_bad_row_keeps_everything_typed_and_saves_nothing(client, case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    client.force_login(case_worker)
    data = form_data(
        referral,
        {
            "kommun": {"record_reference": "Pappersakt, skåp 3"},
            "af": {"given_on": "2026-06-01", "valid_until": "2026-05-01", "record_reference": "AF-akt 77"},
        },
    )
    response = client.post(url(referral), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert not Consent.objects.exists()
    # Beside the field, and in the summary naming the party.
    assert "Samtycket kan inte upphöra före den dag det lämnades." in content
    assert 'id="error_1_id_c-af-valid_until"' in content
    assert '<a href="#id_c-af-valid_until">Arbetsförmedlingen – Giltigt till</a>' in content
    assert "<title>Fel: " in content
    for typed in [
        'value="Pappersakt, skåp 3"',
        'value="AF-akt 77"',
        'value="2026-05-01"',
        'value="2026-06-01"',
    ]:
        assert typed in content
    assert (
        'name="c-af-include" class="checkboxinput form-check-input" id="id_c-af-include" checked' in content
    )


def test_a_double_submit_registers_each_party_once(client, case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    client.force_login(case_worker)
    data = form_data(referral, {"kommun": {}, "af": {}})
    assert client.post(url(referral), data).status_code == 302
    second = client.post(url(referral), data)
    assert second.status_code == 200
    assert "Den här parten har redan ett gällande samtycke." in second.content.decode()
    assert referral.consents.count() == 2
    assert referral.events.filter(kind="consent_registered").count() == 2


def test_the_domain_refusal_is_shown_beside_its_party(client, case_worker, monkeypatch):
    # The race the form cannot see: another registration wins between the check and the lock.
    referral = make_referral(case_worker, parties=["kommun", "af"])
    client.force_login(case_worker)

    def refuse(**kwargs):
        raise ConsentRefused("Den här parten har redan ett gällande samtycke.", party="af")

    monkeypatch.setattr(Consent, "register_many", refuse)
    response = client.post(
        url(referral), form_data(referral, {"kommun": {}, "af": {"record_reference": "AF-akt 77"}})
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="error_1_id_c-af-include"' in content
    assert 'value="AF-akt 77"' in content


def test_a_page_with_nothing_left_to_register_says_so(client, case_worker):
    referral = make_referral(case_worker)
    give_consent(referral, case_worker, "kommun")
    client.force_login(case_worker)
    content = client.get(url(referral)).content.decode()
    assert "Det finns inget att registrera." in content
    assert "<form" not in content.split("<main", 1)[1]


def test_post_without_anything_is_a_message_not_a_500(client, case_worker):
    referral = make_referral(case_worker)
    client.force_login(case_worker)
    response = client.post(url(referral), {})
    assert response.status_code == 200
    assert "Kryssa i minst en part som du registrerar samtycke för nu." in response.content.decode()
    assert not Consent.objects.exists()


def test_the_coordinator_cannot_register_consent(client, case_worker, coordinator):
    referral = submitted_referral(case_worker, parties=["kommun", "af"])
    referral.consents.get(party="af").withdraw(by=case_worker, on=timezone.localdate())
    client.force_login(coordinator)
    response = client.post(url(referral), form_data(referral, {"af": {}}), follow=True)
    assert "Samtycke kan inte registreras för den här ansökan nu." in response.content.decode()
    assert referral.consents.filter(withdrawn_on__isnull=True).count() == 1


def test_no_consent_after_the_referral_has_ended(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    referral.close(by=coordinator, reason="Klart.")
    client.force_login(case_worker)
    response = client.post(url(referral), form_data(referral, {"kommun": {}}), follow=True)
    assert Referral.objects.get(pk=referral.pk).status == Status.CLOSED
    assert referral.consents.count() == 1
    assert "Samtycke kan inte registreras" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_404(client, case_worker, other_case_worker, method):
    referral = make_referral(case_worker)
    client.force_login(other_case_worker)
    response = getattr(client, method)(url(referral), form_data(referral, {"kommun": {}}))
    assert response.status_code == 404
    assert not Consent.objects.exists()
    assert AccessLog.objects.filter(
        user=other_case_worker, action="refused", referral_id=referral.pk
    ).exists()


@pytest.mark.parametrize("role", ["council_member", "steering_member", "administrator"])
def test_roles_without_access_get_404(client, cast, case_worker, role):
    referral = make_referral(case_worker)
    client.force_login(cast[role])
    assert client.post(url(referral), form_data(referral, {"kommun": {}})).status_code == 404
    assert not Consent.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_login(client, case_worker, method):
    referral = make_referral(case_worker)
    response = getattr(client, method)(url(referral), form_data(referral, {"kommun": {}}))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not Consent.objects.exists()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method_is_refused(client, case_worker, method):
    referral = make_referral(case_worker)
    client.force_login(case_worker)
    assert getattr(client, method)(url(referral)).status_code == 405


# --- renewing a consent that ends soon ---------------------------------------


def test_a_consent_ending_within_the_warning_window_is_renewed_by_a_longer_one(case_worker):
    referral = make_referral(case_worker, parties=["kommun", "af"])
    old = give_consent(referral, case_worker, "af", given_on=TODAY, valid_until=TODAY + timedelta(days=30))
    assert referral.consent_ending_soon(TODAY) == {"af": old.valid_until}
    assert referral.parties_needing_consent(TODAY) == ["kommun", "af"]
    [new] = Consent.register_many(referral=referral, by=case_worker, rows=[row("af")], today=TODAY)
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.consent_ending_soon(TODAY) == {}
    assert referral.parties_needing_consent(TODAY) == ["kommun"]
    # The old consent stays as it was: the record of what the individual agreed to then.
    old.refresh_from_db()
    assert old.valid_until == TODAY + timedelta(days=30) and old.withdrawn_on is None
    # A second renewal (a double submit) finds the new one in force for long and is refused.
    with pytest.raises(ConsentRefused, match="redan ett gällande samtycke"):
        Consent.register_many(referral=referral, by=case_worker, rows=[row("af")], today=TODAY)
    assert referral.consents.filter(party="af").count() == 2 and new.party == "af"


def test_a_renewal_must_last_longer_than_the_consent_in_force(case_worker):
    referral = make_referral(case_worker, parties=["af"])
    give_consent(referral, case_worker, "af", given_on=TODAY, valid_until=TODAY + timedelta(days=20))
    with pytest.raises(ConsentRefused, match="gälla längre"):
        Consent.register_many(
            referral=referral,
            by=case_worker,
            rows=[row("af", valid_until=TODAY + timedelta(days=20))],
            today=TODAY,
        )
    assert referral.consents.count() == 1


def test_the_consent_page_offers_to_renew_what_ends_soon(client, case_worker):
    today = timezone.localdate()
    referral = make_referral(case_worker, parties=["kommun", "af"])
    give_consent(referral, case_worker, "kommun")
    give_consent(referral, case_worker, "af", valid_until=today + timedelta(days=10))
    client.force_login(case_worker)
    detail = client.get(reverse("cases:detail", args=[referral.pk])).content.decode()
    assert "Går ut snart" in detail and "Förnya" in detail
    content = client.get(url(referral)).content.decode()
    assert 'name="c-kommun-include"' not in content
    end = (today + timedelta(days=10)).isoformat()
    assert f"Förnya samtycket för Arbetsförmedlingen (gäller till {end})" in content
    # A renewal no longer than the old one is explained beside the field, and nothing is saved.
    short = form_data(referral, {"af": {"valid_until": end}})
    response = client.post(url(referral), short)
    assert response.status_code == 200
    assert "Det nya samtycket måste gälla längre än det som gäller nu" in response.content.decode()
    assert referral.consents.count() == 2
    response = client.post(url(referral), form_data(referral, {"af": {}}), follow=True)
    assert "Samtycke är registrerat för: Arbetsförmedlingen." in response.content.decode()
    assert referral.consents.filter(party="af").count() == 2
    assert "Går ut snart" not in response.content.decode()
