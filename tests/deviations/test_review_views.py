"""The deviation's page and the review steps, through the views: who sees which panel, and bad input."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deviations.models import StatementRequest
from deviations.workflow import DeviationError, Status
from resursrad.notifications.models import Notification
from tests.factories import OrganisationFactory, UserFactory, report_deviation

pytestmark = pytest.mark.django_db


def _detail(deviation):
    return reverse("deviations:detail", args=[deviation.pk])


def _step(deviation, action):
    return reverse("deviations:step", args=[deviation.pk, action])


def _post(client, deviation, action, **fields):
    deviation.refresh_from_db()
    prefix = action.replace("-", "_")
    data = {f"{prefix}-version": deviation.version}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return client.post(_step(deviation, action), data)


def _panels(response):
    return [panel["step"].name for panel in response.context["panels"]]


@pytest.fixture
def other_member(db):
    return UserFactory(email="eva@styrgrupp.test", is_steering_member=True)


@pytest.fixture
def asked(taken, handler, fk_org):
    [request] = taken.request_statements(
        by=handler,
        organisations=[fk_org],
        question="Hur hanteras intyg som kommer in?",
        due_on=timezone.localdate() + timedelta(days=14),
    )
    return request


# --- who sees what ------------------------------------------------------------------


def test_a_steering_member_sees_a_new_deviation_with_the_take_panel(client, deviation, handler):
    client.force_login(handler)
    response = client.get(_detail(deviation))
    assert response.status_code == 200
    assert _panels(response) == ["take", "system_fault", "comment"]
    assert "Ta som handläggare" in response.content.decode()


def test_the_handler_sees_the_steps_of_the_deviation_they_handle(client, taken, handler):
    client.force_login(handler)
    response = client.get(_detail(taken))
    assert _panels(response) == ["request_statement", "decide", "system_fault", "comment"]


def test_another_steering_member_sees_no_handler_steps(client, taken, other_member):
    client.force_login(other_member)
    response = client.get(_detail(taken))
    assert response.status_code == 200
    assert _panels(response) == ["system_fault", "comment"]


def test_the_request_form_suggests_the_statement_days_and_lists_the_organisations(
    client, taken, handler, fk_org, settings
):
    settings.DEVIATION_STATEMENT_DAYS = 21
    client.force_login(handler)
    [panel] = [
        p for p in client.get(_detail(taken)).context["panels"] if p["step"].name == "request_statement"
    ]
    form = panel["form"]
    assert form["due_on"].value() == timezone.localdate() + timedelta(days=21)
    assert fk_org in form.fields["organisations"].queryset


def test_the_reporter_sees_no_panel_and_no_history(client, taken, coordinator):
    client.force_login(coordinator)
    response = client.get(_detail(taken))
    assert response.status_code == 200
    assert _panels(response) == [] and response.context["events"] == []


def test_the_asked_contact_sees_the_answer_form(client, asked, fk_contact):
    client.force_login(fk_contact)
    response = client.get(_detail(asked.deviation))
    assert response.status_code == 200
    assert _panels(response) == []
    assert f'action="{reverse("deviations:answer", args=[asked.pk])}"' in response.content.decode()


def test_a_case_worker_who_did_not_report_gets_404(client, deviation, case_worker):
    client.force_login(case_worker)
    assert client.get(_detail(deviation)).status_code == 404


def test_a_contact_of_an_organisation_not_asked_gets_404(client, asked):
    other = UserFactory(
        organisation=OrganisationFactory(name="AF Haninge", party="af"), is_deviation_contact=True
    )
    client.force_login(other)
    assert client.get(_detail(asked.deviation)).status_code == 404
    assert client.post(reverse("deviations:answer", args=[asked.pk]), {}).status_code == 404


def test_anonymous_is_sent_to_login(client, deviation):
    for url in (_detail(deviation), reverse("deviations:inbox"), reverse("deviations:statements")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(_step(deviation, "take"), {})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_wrong_methods_are_refused(client, deviation, handler):
    client.force_login(handler)
    assert client.post(_detail(deviation)).status_code == 405
    assert client.get(_step(deviation, "take")).status_code == 405
    assert client.get(reverse("deviations:answer", args=[1])).status_code == 405


def test_a_step_is_404_for_who_may_only_read(client, taken, coordinator, case_worker):
    for user in (coordinator, case_worker):
        client.force_login(user)
        assert _post(client, taken, "decide", decision="Nej.").status_code == 404
    taken.refresh_from_db()
    assert taken.status == Status.RECEIVED


def test_an_unknown_step_is_404(client, deviation, handler):
    client.force_login(handler)
    assert client.post(_step(deviation, "approve"), {}).status_code == 404


# --- the steps --------------------------------------------------------------------------


def test_the_whole_review_through_the_pages(client, deviation, handler, fk_org, fk_contact, coordinator):
    client.force_login(handler)
    response = _post(client, deviation, "take")
    assert response.status_code == 302
    response = client.get(response.url)
    assert "Du är nu avvikelsens handläggare." in response.content.decode()
    due = timezone.localdate() + timedelta(days=10)
    response = _post(
        client,
        deviation,
        "request-statement",
        organisations=[fk_org.pk],
        question="Hur hanteras intyg?",
        due_on=due.isoformat(),
    )
    assert response.status_code == 302
    request = StatementRequest.objects.get(deviation=deviation)
    assert (request.organisation, request.due_on) == (fk_org, due)
    assert Notification.objects.filter(kind="deviations.statement_requested", recipient=fk_contact).exists()

    client.force_login(fk_contact)
    response = client.post(
        reverse("deviations:answer", args=[request.pk]), {f"answer-{request.pk}-answer": "Inom två dagar."}
    )
    assert response.status_code == 302
    assert "har skickats till styrgruppen" in client.get(response.url).content.decode()

    client.force_login(handler)
    response = client.get(reverse("deviations:inbox"))
    assert [s.pk for s in response.context["inbox"].answered] == [request.pk]
    action_due = timezone.localdate() + timedelta(days=30)
    assert (
        _post(
            client,
            deviation,
            "decide",
            decision="En gemensam rutin.",
            responsible_party="fk",
            action_due_on=action_due.isoformat(),
        ).status_code
        == 302
    )
    assert _post(client, deviation, "give-feedback", feedback="Tack, en rutin tas fram.").status_code == 302
    assert _post(client, deviation, "close", comment="").status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == Status.CLOSED
    assert (deviation.responsible_party, deviation.action_due_on) == ("fk", action_due)

    client.force_login(coordinator)
    content = client.get(_detail(deviation)).content.decode()
    assert "Tack, en rutin tas fram." in content


def test_a_step_out_of_order_is_refused_with_a_swedish_message(client, deviation, handler):
    client.force_login(handler)
    response = _post(client, deviation, "give-feedback", feedback="För tidigt svar.")
    assert response.status_code == 409
    content = response.content.decode()
    assert "kan inte bli" in content
    assert "För tidigt svar." in content
    deviation.refresh_from_db()
    assert deviation.status == Status.REPORTED


def test_another_member_taking_a_later_step_is_told_only_the_handler_may(client, taken, other_member):
    client.force_login(other_member)
    response = _post(
        client,
        taken,
        "decide",
        decision="Min rutin.",
        responsible_party="fk",
        action_due_on=timezone.localdate().isoformat(),
    )
    assert response.status_code == 409
    assert "Bara avvikelsens handläggare" in response.content.decode()
    assert "Min rutin." in response.content.decode()


def test_a_stale_page_is_told_and_the_text_is_kept(client, taken, handler):
    client.force_login(handler)
    stale = taken.version
    taken.add_comment(by=handler, comment="Noterat.")
    taken.decide(by=handler, decision="Rutin.", responsible_party="fk", due_on=timezone.localdate())
    response = client.post(
        _step(taken, "give-feedback"),
        {"give_feedback-version": stale, "give_feedback-feedback": "Mitt svar till rapportören."},
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "Någon annan ändrade avvikelsen" in content
    assert "Mitt svar till rapportören." in content
    # The form now carries the version the page shows: sending again is a choice made after reading.
    taken.refresh_from_db()
    assert response.context["panels"][-1]["form"]["version"].value() in (str(taken.version), taken.version)
    assert taken.feedback == ""


def test_a_second_member_taking_from_a_stale_page_does_not_become_handler(
    client, deviation, handler, other_member
):
    client.force_login(other_member)
    version = deviation.version
    deviation.take(by=handler)
    response = client.post(_step(deviation, "take"), {"take-version": version})
    assert response.status_code == 409
    deviation.refresh_from_db()
    assert deviation.handler == handler


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"decision": ""}, "decision", "Skriv den åtgärd som beslutades."),
        ({"responsible_party": ""}, "responsible_party", "Välj den part som ansvarar för åtgärden."),
        ({"action_due_on": "2020-01-01"}, "action_due_on", "Sista dag kan inte ligga bakåt i tiden."),
        ({"action_due_on": "31/2"}, "action_due_on", "Ange ett riktigt datum"),
    ],
)
def test_a_bad_decision_is_explained_beside_the_field_and_the_input_kept(
    client, taken, handler, fields, field, message
):
    client.force_login(handler)
    values = {
        "decision": "En rutin för intyg.",
        "responsible_party": "fk",
        "action_due_on": timezone.localdate().isoformat(),
    }
    values.update(fields)
    response = _post(client, taken, "decide", **values)
    assert response.status_code == 400
    form = response.context["panels"][1]["form"]
    assert any(message in error for error in form.errors[field])
    content = response.content.decode()
    assert "Några fält behöver rättas" in content
    if fields.get("decision") != "":
        assert "En rutin för intyg." in content
    taken.refresh_from_db()
    assert taken.status == Status.RECEIVED


def test_an_identifying_question_is_refused_beside_the_field(client, taken, handler, fk_org):
    client.force_login(handler)
    response = _post(
        client,
        taken,
        "request-statement",
        organisations=[fk_org.pk],
        question="Gäller 850312-2387.",
        due_on=timezone.localdate().isoformat(),
    )
    assert response.status_code == 400
    [panel] = [p for p in response.context["panels"] if p["step"].name == "request_statement"]
    assert panel["form"].errors["question"]
    assert "Gäller 850312-2387." in response.content.decode()
    assert not StatementRequest.objects.exists()


def test_a_request_without_organisations_or_with_a_past_date_is_refused(client, taken, handler):
    client.force_login(handler)
    response = _post(client, taken, "request-statement", question="Fråga?", due_on="2020-01-01")
    assert response.status_code == 400
    [panel] = [p for p in response.context["panels"] if p["step"].name == "request_statement"]
    assert set(panel["form"].errors) == {"organisations", "due_on"}


def test_a_comment_is_added_and_an_empty_one_refused(client, deviation, other_member):
    client.force_login(other_member)
    assert _post(client, deviation, "comment", comment="  ").status_code == 400
    assert _post(client, deviation, "comment", comment="Liknar förra månadens.").status_code == 302
    assert deviation.events.filter(kind="comment", comment="Liknar förra månadens.").exists()


def test_a_system_fault_is_marked_and_linked_to_one_of_the_same_category(
    client, deviation, handler, coordinator
):
    same = report_deviation(coordinator)
    other_kind = report_deviation(coordinator, category="waiting")
    client.force_login(handler)
    [panel] = [
        p for p in client.get(_detail(deviation)).context["panels"] if p["step"].name == "system_fault"
    ]
    choices = list(panel["form"].fields["related"].queryset)
    assert same in choices and other_kind not in choices and deviation not in choices
    response = _post(client, deviation, "system-fault", is_fault="on", related=[same.pk])
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.is_system_fault
    assert list(deviation.related.all()) == [same]
    response = _post(client, deviation, "system-fault", is_fault="on", related=[other_kind.pk])
    assert response.status_code == 400


# --- the statement ---------------------------------------------------------------------


def test_an_empty_statement_is_explained_and_a_second_one_refused(client, asked, fk_contact):
    url = reverse("deviations:answer", args=[asked.pk])
    client.force_login(fk_contact)
    response = client.post(url, {f"answer-{asked.pk}-answer": " "})
    assert response.status_code == 400
    assert "Skriv organisationens yttrande." in response.content.decode()
    assert client.post(url, {f"answer-{asked.pk}-answer": "Svar ett."}).status_code == 302
    response = client.post(url, {f"answer-{asked.pk}-answer": "Svar två."}, follow=True)
    assert "Yttrandet har redan lämnats." in response.content.decode()
    asked.refresh_from_db()
    assert asked.answer == "Svar ett."


def test_an_identifying_statement_is_refused_and_kept(client, asked, fk_contact):
    client.force_login(fk_contact)
    response = client.post(
        reverse("deviations:answer", args=[asked.pk]), {f"answer-{asked.pk}-answer": "Ring 070-123 45 67."}
    )
    assert response.status_code == 400
    assert "Ring 070-123 45 67." in response.content.decode()
    asked.refresh_from_db()
    assert asked.answered_at is None


def test_the_deviation_gone_from_view_is_404_for_answer(client, asked, case_worker):
    client.force_login(case_worker)
    assert client.post(reverse("deviations:answer", args=[asked.pk]), {}).status_code == 404


# --- a closed deviation takes no more statements ----------------------------------


@pytest.fixture
def closed_while_asked(asked, handler):
    """Decided, answered to the reporter and closed while Försäkringskassan's request still waits."""
    deviation = asked.deviation
    deviation.refresh_from_db()
    deviation.decide(
        by=handler,
        decision="En gemensam rutin tas fram.",
        responsible_party="fk",
        due_on=timezone.localdate() + timedelta(days=30),
    )
    deviation.give_feedback(by=handler, feedback="Tack, en rutin tas fram.")
    deviation.close(by=handler)
    asked.refresh_from_db()
    return asked


def test_a_statement_cannot_be_given_once_the_deviation_is_closed(closed_while_asked, fk_contact):
    with pytest.raises(DeviationError) as refused:
        closed_while_asked.give_answer(by=fk_contact, answer="Vi svarar ändå.")
    assert str(refused.value) == "Avvikelsen är avslutad; ett yttrande kan inte längre lämnas."
    closed_while_asked.refresh_from_db()
    assert closed_while_asked.answered_at is None and closed_while_asked.answer == ""


def test_the_closed_deviation_shows_no_answer_form_and_refuses_a_post(client, closed_while_asked, fk_contact):
    client.force_login(fk_contact)
    deviation = closed_while_asked.deviation
    url = reverse("deviations:answer", args=[closed_while_asked.pk])
    page = client.get(_detail(deviation)).content.decode()
    assert f'action="{url}"' not in page
    assert "Avvikelsen är avslutad; ett yttrande kan inte längre lämnas." in page
    response = client.post(url, {f"answer-{closed_while_asked.pk}-answer": "Vi svarar ändå."}, follow=True)
    assert response.redirect_chain == [(_detail(deviation), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Avvikelsen är avslutad; ett yttrande kan inte längre lämnas."
    ]
    closed_while_asked.refresh_from_db()
    assert closed_while_asked.answered_at is None


def test_a_closed_deviations_request_no_longer_waits_in_the_contacts_list(
    client, closed_while_asked, fk_contact
):
    client.force_login(fk_contact)
    response = client.get(reverse("deviations:statements"))
    assert response.status_code == 200
    assert response.context["waiting"] == []
