"""List pages: bounded queries, search by POST only, filters and pagination."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from cases.models import Referral, Status
from resursrad.models import AccessLog
from tests.factories import (
    CaseWorkerFactory,
    give_consent,
    make_participant,
    make_referral,
    submitted_referral,
)

ROWS = 210


def make_many(case_worker, count=ROWS):
    colleagues = [CaseWorkerFactory(organisation=case_worker.organisation) for _ in range(5)]
    referrals = []
    for index in range(count):
        by = colleagues[index % len(colleagues)]
        participant = make_participant(first_name=f"Person{index}", personal_number="")
        if index % 2:
            referrals.append(submitted_referral(by, participant=participant))
        else:
            referrals.append(make_referral(by, participant=participant))
    return referrals


def test_case_worker_list_uses_a_constant_number_of_queries(
    client, case_worker, django_assert_max_num_queries
):
    make_many(case_worker)
    client.force_login(case_worker)
    # The first page after logging in also renews the session (at most once a minute).
    with django_assert_max_num_queries(11):
        client.get(reverse("cases:list"))
    # The access-log rows of the page go in one insert; "Att göra" is one query, and so is
    # the unread count in the navigation.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"].object_list) == 25
    assert AccessLog.objects.filter(action="list", user=case_worker).count() == 2 * 25  # two pages shown
    with django_assert_max_num_queries(8):
        client.get(reverse("cases:list") + "?page=5&status=submitted")


def test_the_worklist_keeps_a_constant_number_of_queries(
    client, case_worker, coordinator, django_assert_max_num_queries
):
    # The case worker's own cases, of every kind of work, a consent ending soon in each.
    soon = timezone.localdate() + timedelta(days=5)
    for index in range(60):
        referral = make_referral(case_worker, participant=make_participant(personal_number=""))
        give_consent(referral, case_worker, "kommun", valid_until=soon)
        if index % 4:
            referral.submit(by=case_worker)
        if index % 4 == 2:
            referral.request_info(by=coordinator, question="Läkarintyg?")
        if index % 4 == 3:
            referral.accept(by=coordinator)
    client.force_login(case_worker)
    client.get(reverse("cases:list"))  # renews the session
    # Eight: the unread count in the navigation is one of them.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:list"))
    assert [item["count"] for item in response.context["todo"]] == [15, 15, 60, 15]
    assert all(row.consent_expires_on == soon for row in response.context["page"].object_list)
    for query in ["?todo=consent&page=2", "?todo=questions", "?todo=meeting&mine=on"]:
        with django_assert_max_num_queries(8):
            response = client.get(reverse("cases:list") + query)
        assert response.status_code == 200 and response.context["page"].object_list
    with django_assert_max_num_queries(8):
        response = client.post(reverse("cases:list"), {"q": "Andersson", "todo": "consent", "page": "2"})
    assert len(response.context["page"].object_list) == 25


def test_coordinator_inbox_and_list_use_a_constant_number_of_queries(
    client, case_worker, coordinator, django_assert_max_num_queries
):
    make_many(case_worker)
    client.force_login(coordinator)
    client.get(reverse("cases:inbox"))  # renews the session: once a minute, not every page
    with django_assert_max_num_queries(7):
        response = client.get(reverse("cases:inbox"))
    assert response.context["page"].paginator.count == ROWS // 2
    with django_assert_max_num_queries(6):
        client.get(reverse("cases:list"))


def test_inbox_shows_the_longest_waiting_first(client, case_worker, coordinator):
    first = submitted_referral(case_worker)
    second = submitted_referral(case_worker)
    Referral.objects.filter(pk=second.pk).update(submitted_at=first.submitted_at.replace(year=2025))
    client.force_login(coordinator)
    page = client.get(reverse("cases:inbox")).context["page"]
    assert [r.pk for r in page.object_list] == [second.pk, first.pk]


def test_search_goes_by_post_and_never_into_the_url_or_the_session(client, case_worker):
    anna = make_referral(case_worker)
    bo = make_referral(
        case_worker, participant=make_participant(first_name="Bo", last_name="Ek", personal_number="")
    )
    client.force_login(case_worker)
    response = client.post(reverse("cases:list"), {"q": "19850312-2387"})
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [anna.pk]
    assert "2387" not in str(dict(client.session))
    response = client.post(reverse("cases:list"), {"q": "Ek"})
    assert [r.pk for r in response.context["page"].object_list] == [bo.pk]
    # The next plain visit shows the whole list again: the term was not kept.
    assert client.get(reverse("cases:list")).context["page"].paginator.count == 2
    from django.contrib.sessions.models import Session

    assert not any("Ek" in str(s.get_decoded()) for s in Session.objects.all())


def test_search_only_finds_what_the_user_may_see(client, case_worker, other_case_worker):
    make_referral(other_case_worker)
    client.force_login(case_worker)
    assert client.post(reverse("cases:list"), {"q": "Andersson"}).context["page"].paginator.count == 0


def test_filters_by_status_party_target_group_and_period(client, case_worker, other_case_worker, coordinator):
    draft = make_referral(case_worker)
    submitted = submitted_referral(case_worker, tg_long_term_sick=False, tg_young_disability=True)
    from_af = submitted_referral(other_case_worker)
    client.force_login(coordinator)

    def listed(query):
        return {r.pk for r in client.get(reverse("cases:list") + query).context["page"].object_list}

    assert listed("?status=submitted") == {submitted.pk, from_af.pk}
    assert listed("?party=af") == {from_af.pk}
    assert listed("?target_group=young_disability") == {submitted.pk}
    assert listed("?created_from=2000-01-01&created_to=2000-01-02") == set()
    assert draft.pk not in listed("")


def test_bad_filter_input_does_not_break_the_list(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    response = client.get(reverse("cases:list") + "?status=nonsense&created_from=2026-02-31&page=abc")
    assert response.status_code == 200
    assert "Välj ett av alternativen i listan" in response.content.decode()


def test_search_by_post_requires_login(client, db):
    response = client.post(reverse("cases:list"), {"q": "x"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_council_and_steering_cannot_list_referrals(client, council_member, steering_member):
    for user in (council_member, steering_member):
        client.force_login(user)
        assert client.get(reverse("cases:list")).status_code == 403
        assert client.get(reverse("cases:inbox")).status_code == 403


def test_statuses_are_listed_in_swedish(client, case_worker):
    make_referral(case_worker)
    client.force_login(case_worker)
    assert "Utkast" in client.get(reverse("cases:list")).content.decode()
    assert Status.DRAFT.label == "Utkast"


def test_the_inbox_marks_answers_and_long_waits_and_filters(
    client, case_worker, other_case_worker, coordinator, settings
):
    import time_machine

    settings.INBOX_LONG_WAIT_DAYS = 10
    with time_machine.travel(timezone.now() - timedelta(days=11)):
        old = submitted_referral(case_worker)
    answered = submitted_referral(case_worker, tg_long_term_sick=False, tg_young_disability=True)
    answered.request_info(by=coordinator, question="Läkarintyg?")
    answered.resubmit(by=case_worker, answer="Ja.")
    other = submitted_referral(other_case_worker)
    client.force_login(coordinator)
    response = client.get(reverse("cases:inbox"))
    rows = {r.pk: r for r in response.context["page"].object_list}
    assert rows[answered.pk].answered and not rows[old.pk].answered
    assert rows[old.pk].long_wait and not rows[answered.pk].long_wait
    content = response.content.decode()
    assert "Svar inkommet" in content and "Över 10 dagar" in content
    by_group = client.get(reverse("cases:inbox"), {"target_group": "young_disability"})
    assert [r.pk for r in by_group.context["page"].object_list] == [answered.pk]
    by_org = client.get(reverse("cases:inbox"), {"organisation": other_case_worker.organisation_id})
    assert [r.pk for r in by_org.context["page"].object_list] == [other.pk]
    # An unknown value is a form error, not a 500, and the inbox still shows.
    bad = client.get(reverse("cases:inbox"), {"organisation": "x", "target_group": "nope"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 3
