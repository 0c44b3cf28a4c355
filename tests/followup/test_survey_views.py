"""The survey pages: the public answer page by the printed link, and the results behind login."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import SurveyAnswer, SurveyLink
from followup.models_survey import token_hash
from meetings.models import Record
from tests.factories import UserFactory, make_council
from tests.meetings.run_support import draft, slot

ANSWERS = {"listened_to": "fully", "plan_forward": "partly", "right_people": "not"}


@pytest.fixture
def council(coordinator):
    return make_council(name="Resursrådet Enkät", coordinators=[coordinator])


@pytest.fixture
def token(council):
    return SurveyLink.issue(council, timezone.localdate())


def answer_url(token):
    return reverse("followup:survey_answer", args=[token])


def results_url(council, start="2026-01", end="2026-12"):
    return reverse("followup:survey_results") + f"?council={council.pk}&start={start}&end={end}"


def answer_many(council, count, day=date(2026, 3, 10), **fields):
    for _ in range(count):
        link = SurveyLink.objects.get(token_hash=token_hash(SurveyLink.issue(council, day)))
        link.answer(today=day, **{**ANSWERS, **fields})


# --- the public answer page ---------------------------------------------------


def test_anonymous_visitor_answers_the_survey_without_logging_in(client, token):
    response = client.get(answer_url(token))
    assert response.status_code == 200
    content = response.content.decode()
    for text in [
        "Jag blev lyssnad på",
        "Jag fick en plan framåt",
        "Rätt personer var med",
        "Instämmer helt",
        "csrfmiddlewaretoken",
    ]:
        assert text in content, text
    response = client.post(answer_url(token), {**ANSWERS, "free_text": "Tack för mötet"})
    assert response.status_code == 200
    assert "Tack för ditt svar" in response.content.decode()
    assert SurveyAnswer.objects.get().free_text == "Tack för mötet"


def test_the_survey_asks_for_no_personal_data(client, token):
    content = client.get(answer_url(token)).content.decode()
    for field in ['name="name"', "personnummer", "e-post", "email", "phone"]:
        assert field not in content.lower(), field


def test_answering_twice_from_the_same_link_is_counted_once(client, token):
    client.post(answer_url(token), ANSWERS)
    response = client.post(answer_url(token), {**ANSWERS, "listened_to": "not"})
    assert response.status_code == 200
    assert "Tack, ditt svar är redan registrerat" in response.content.decode()
    assert client.get(answer_url(token)).content.decode().count("redan registrerat") >= 1
    assert SurveyAnswer.objects.count() == 1
    assert SurveyAnswer.objects.get().listened_to == "fully"


def test_a_missing_answer_is_said_beside_the_question_and_the_text_kept(client, token):
    response = client.post(answer_url(token), {"listened_to": "fully", "free_text": "Mitt svar"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Välj ett av svaren." in content
    assert "Mitt svar" in content
    assert SurveyAnswer.objects.count() == 0
    assert SurveyLink.objects.get().used_on is None


def test_a_too_long_free_text_is_refused_with_a_message(client, token):
    response = client.post(answer_url(token), {**ANSWERS, "free_text": "a" * 1001})
    assert response.status_code == 400
    assert "högst 1000 tecken" in response.content.decode()
    assert SurveyAnswer.objects.count() == 0


def test_an_unknown_or_expired_token_is_404(client, council):
    assert client.get(answer_url("okand-lank")).status_code == 404
    assert client.post(answer_url("okand-lank"), ANSWERS).status_code == 404
    link_token = SurveyLink.issue(council, date(2020, 1, 1), today=date(2020, 1, 1))
    assert client.get(answer_url(link_token)).status_code == 404
    assert SurveyAnswer.objects.count() == 0


def test_the_answer_page_refuses_other_methods(client, token):
    assert client.put(answer_url(token)).status_code == 405


def test_the_answer_form_is_csrf_protected(token):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(answer_url(token), ANSWERS).status_code == 403
    assert SurveyAnswer.objects.count() == 0


# --- the printed summary ------------------------------------------------------


def test_the_printed_summary_carries_a_fresh_survey_link_and_qr_code(
    client, case_worker, coordinator, council_member
):
    item = slot(case_worker, coordinator, council_member)
    draft(item, coordinator)
    Record.objects.get(item=item).finalise(by=coordinator, outcome="held")
    client.force_login(case_worker)
    content = client.get(reverse("meetings:summary", kwargs={"item_id": item.pk})).content.decode()
    assert "<svg" in content and "QR-kod för enkäten" in content
    link = SurveyLink.objects.get()
    assert link.council_id == item.meeting.council_id
    assert link.month == item.meeting.date.replace(day=1)
    address = content.split('href="http')[-1].split('"')[0]
    token = address.rstrip("/").rsplit("/", 1)[-1]
    assert SurveyLink.objects.for_token(token) == link
    # Nothing about the case goes into the address.
    assert item.referral.case_number not in address


def test_a_draft_summary_offers_no_survey(client, case_worker, coordinator, council_member):
    item = slot(case_worker, coordinator, council_member)
    draft(item, coordinator)
    client.force_login(coordinator)
    assert client.get(reverse("meetings:summary", kwargs={"item_id": item.pk})).status_code == 200
    assert SurveyLink.objects.count() == 0


# --- the results ----------------------------------------------------------------


def test_fewer_than_five_answers_are_not_shown(client, coordinator, council):
    answer_many(council, 4, free_text="Hemligt")
    client.force_login(coordinator)
    response = client.get(results_url(council))
    assert response.status_code == 200
    content = response.content.decode()
    assert "För få svar för att visa (färre än 5)" in content
    assert "Hemligt" not in content
    assert 'data-table="survey-results"' not in content


def test_five_answers_are_shown_as_counts_with_their_free_texts(client, coordinator, council):
    answer_many(council, 4)
    answer_many(council, 1, listened_to="not", free_text="Mer tid behövs")
    client.force_login(coordinator)
    content = client.get(results_url(council)).content.decode()
    assert "<p>5 svar</p>" in content
    assert "Mer tid behövs" in content
    row = content.split("Jag blev lyssnad på</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[:4]] == ["4", "0", "1", "0"]


def test_answers_outside_the_period_or_of_another_council_do_not_count(client, coordinator, council):
    answer_many(council, 5, day=date(2025, 11, 3))
    answer_many(make_council(name="Annat råd"), 5, day=date(2026, 3, 3))
    client.force_login(coordinator)
    assert "För få svar" in client.get(results_url(council)).content.decode()


def test_steering_member_sees_every_councils_results(client, steering_member, council):
    answer_many(council, 5)
    client.force_login(steering_member)
    response = client.get(results_url(council))
    assert response.status_code == 200
    assert "<p>5 svar</p>" in response.content.decode()


def test_coordinator_cannot_choose_another_councils_results(client, council):
    answer_many(council, 5)
    other = UserFactory(email="annan-samordnare@test.resursrad.se", is_coordinator=True)
    make_council(name="Annat råd", coordinators=[other])
    client.force_login(other)
    response = client.get(results_url(council))
    assert response.status_code == 400
    assert "Välj ett av råden i listan." in response.content.decode()
    assert 'data-table="survey-results"' not in response.content.decode()


@pytest.mark.parametrize("role", ["case_worker", "council_member", "administrator"])
def test_other_roles_get_404_for_the_results(client, request, role, council):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("followup:survey_results")).status_code == 404


def test_anonymous_visitor_is_sent_to_login_for_the_results(client, db):
    response = client.get(reverse("followup:survey_results"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_results_refuse_post(client, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("followup:survey_results")).status_code == 405


def test_a_period_ending_before_it_starts_is_said_beside_the_end(client, coordinator, council):
    client.force_login(coordinator)
    response = client.get(results_url(council, start="2026-05", end="2026-02"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Periodens slut får inte ligga före dess början." in content
    assert 'value="2026-05"' in content


def test_a_month_that_is_not_a_month_gets_a_message(client, coordinator, council):
    client.force_login(coordinator)
    response = client.get(results_url(council, start="maj"))
    assert response.status_code == 400
    assert "ÅÅÅÅ-MM" in response.content.decode()


def test_the_results_page_opens_with_this_year_for_the_first_council(client, coordinator, council):
    client.force_login(coordinator)
    response = client.get(reverse("followup:survey_results"))
    assert response.status_code == 200
    assert "Resursrådet Enkät" in response.content.decode()
