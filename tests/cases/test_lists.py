"""List pages: bounded queries, search by POST only, filters and pagination."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Participant, Referral, Status
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


def count_queries(client, url, data=None):
    """The queries one request makes; the page must answer 200."""
    send = client.post if data is not None else client.get
    send(url, data or {})  # The first request after logging in renews the session: not counted.
    with CaptureQueriesContext(connection) as queries:
        response = send(url, data or {})
    assert response.status_code == 200, url
    return len(queries)


def test_every_list_and_case_page_makes_the_same_few_queries_with_more_rows(client, case_worker, coordinator):
    # A handful of rows, then enough for full pages: an N+1 would show as a difference.
    make_many(case_worker, 6)
    small = submitted_referral(case_worker)
    big = submitted_referral(case_worker, parties=["kommun", "af", "fk"])
    for round_ in range(3):
        big.request_info(by=coordinator, question=f"Fråga {round_}?")
        big.resubmit(by=case_worker, answer=f"Svar {round_}.")
    pages = [
        (case_worker, reverse("cases:list"), None),
        (case_worker, reverse("cases:list") + "?status=submitted", None),
        (case_worker, reverse("cases:list"), {"q": "Person"}),
        (coordinator, reverse("cases:list"), None),
        (coordinator, reverse("cases:inbox"), None),
    ]

    def counts(case):
        found = []
        for user, url, data in pages:
            client.force_login(user)
            found.append(count_queries(client, url, data))
        for user in (case_worker, coordinator):
            client.force_login(user)
            found.append(count_queries(client, reverse("cases:detail", args=[case.pk])))
            found.append(count_queries(client, reverse("cases:print", args=[case.pk])))
        return found

    before = counts(small)
    make_many(case_worker, 50)
    after = counts(big)
    assert after == before
    assert max(after) <= 8


def test_the_list_is_paged_without_counting_every_row(client, case_worker):
    referrals = make_many(case_worker, 27)
    client.force_login(case_worker)
    first = client.get(reverse("cases:list")).context["page"]
    assert first.paginator is None and first.has_next and not first.has_previous
    assert [r.pk for r in first.object_list] == [r.pk for r in reversed(referrals)][:25]
    second = client.get(reverse("cases:list"), {"page": "2"}).context["page"]
    assert [r.pk for r in second.object_list] == [referrals[1].pk, referrals[0].pk]
    assert second.has_previous and not second.has_next
    content = client.get(reverse("cases:list"), {"page": "2"}).content.decode()
    assert "Sida 2" in content and "Föregående" in content
    # Anything but a page number shows the first page; a page past the end is empty.
    assert client.get(reverse("cases:list"), {"page": "x"}).context["page"].number == 1
    assert client.get(reverse("cases:list"), {"page": "99"}).context["page"].object_list == []


def test_the_list_reads_no_long_texts(case_worker):
    make_referral(case_worker)
    referral = Referral.objects.visible_to(case_worker).with_list_data().get()
    deferred = referral.get_deferred_fields()
    assert {"current_situation", "question_to_council", "tried_so_far", "parties_involved"} <= deferred
    assert {"accessibility_needs", "address", "phone"} <= referral.participant.get_deferred_fields()


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
    assert len(client.get(reverse("cases:list")).context["page"].object_list) == 2
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
    # Each row: the linked case, its organisation, target groups, when it came and how long it waited.
    assert f'<a href="{answered.get_absolute_url()}">{answered.case_number}</a> <span' in content
    assert f">{case_worker.organisation.name}</td>" in content
    assert ">Ung med funktionsnedsättning</td>" in content and ">Långtidssjukskriven</td>" in content
    assert content.count('class="table-cards-status wait-long"') == 1
    assert 'data-label="Väntat">1\xa0vecka, 4\xa0dagar <span class="badge text-bg-warning">' in content
    by_group = client.get(reverse("cases:inbox"), {"target_group": "young_disability"})
    assert [r.pk for r in by_group.context["page"].object_list] == [answered.pk]
    by_org = client.get(reverse("cases:inbox"), {"organisation": other_case_worker.organisation_id})
    assert [r.pk for r in by_org.context["page"].object_list] == [other.pk]
    # An unknown value is a form error, not a 500, and the inbox still shows.
    bad = client.get(reverse("cases:inbox"), {"organisation": "x", "target_group": "nope"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 3


# --- search --------------------------------------------------------------


def test_search_by_case_number_as_typed(client, case_worker):
    referral = make_referral(case_worker)
    make_referral(case_worker)
    year, number = referral.case_number.split("-")[1:]
    client.force_login(case_worker)
    for typed in (referral.case_number, f"rr {year} {int(number)}", f"{year}-{number}"):
        found = client.post(reverse("cases:list"), {"q": typed}).context["page"].object_list
        assert [r.pk for r in found] == [referral.pk], typed


def test_a_name_search_needs_every_word(case_worker):
    anna = make_referral(case_worker)
    make_referral(
        case_worker, participant=make_participant(first_name="Anna", last_name="Berg", personal_number="")
    )
    visible = Referral.objects.visible_to(case_worker)
    assert list(visible.search("anna andersson")) == [anna]
    assert list(visible.search("ANDERS")) == [anna]
    assert visible.search("anna").count() == 2


def where(queryset):
    return str(queryset.query).split(" WHERE ", 1)[1]


def make_names():
    """Participants with Swedish letters, a pseudonym and an erased name."""
    from django.utils import timezone as tz

    people = [
        Participant(first_name="Åsa", last_name="Öberg"),
        Participant(first_name="Ärla", last_name="Lindqvist"),
        Participant(protected_identity=True, pseudonym="Person Ö"),
        Participant(erased_at=tz.now()),
    ]
    Participant.objects.bulk_create(people)
    return people


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram search is PostgreSQL's")
def test_name_search_on_postgresql_uses_the_trigram_index(db):
    asa, arla, protected, _ = make_names()
    assert list(Participant.objects.named("åsa ÖBERG")) == [asa]
    assert list(Participant.objects.named("lindq")) == [arla]
    assert list(Participant.objects.named("person ö")) == [protected]
    assert not Participant.objects.named("åsa lindqvist").exists()
    names = Participant.objects.named("öberg")
    assert "search_name" in where(names)
    with connection.cursor() as cursor:
        # Few rows make a sequential scan cheaper; without it the plan shows whether the index fits.
        cursor.execute("SET LOCAL enable_seqscan = off")
    assert "participant_search_name_trgm" in names.explain()


def test_name_search_without_trigrams_compares_each_name(db):
    asa, arla, protected, _ = make_names()
    names = Participant.objects.named("asa oberg lindq", trigram=False)
    assert "search_name" not in where(names) and "first_name" in where(names)
    assert list(Participant.objects.named("Lindq", trigram=False)) == [arla]
    assert list(Participant.objects.named("person", trigram=False)) == [protected]
    if connection.vendor != "postgresql":
        # SQLite has no trigram index: the plain comparison is its only path.
        assert "search_name" not in where(Participant.objects.named("Öberg"))


def test_rows_link_to_their_case(client, case_worker):
    referral = make_referral(case_worker)
    assert referral.get_absolute_url() == reverse("cases:detail", args=[referral.pk])
    client.force_login(case_worker)
    assert (
        f'href="{reverse("cases:detail", args=[referral.pk])}"'
        in client.get(reverse("cases:list")).content.decode()
    )


def test_a_page_past_the_end_says_so_and_a_search_without_hits_says_it_once(client, case_worker):
    make_many(case_worker, 3)
    client.force_login(case_worker)
    content = client.get(reverse("cases:list"), {"page": "9"}).content.decode()
    assert "Sidan ligger efter listans slut." in content and "Det finns inga ansökningar ännu." not in content
    content = client.post(reverse("cases:list"), {"q": "Ingenmatchar"}).content.decode()
    assert "0 ansökningar matchar din sökning." in content
    assert "Inga ansökningar matchar." not in content


def test_status_filter_offers_only_what_the_user_can_see(client, case_worker, coordinator):
    client.force_login(case_worker)
    choices = [
        value for value, _ in client.get(reverse("cases:list")).context["filters"].fields["status"].choices
    ]
    assert "draft" in choices and "discarded" not in choices
    client.force_login(coordinator)
    choices = [
        value for value, _ in client.get(reverse("cases:list")).context["filters"].fields["status"].choices
    ]
    assert "draft" not in choices and "discarded" not in choices and "submitted" in choices


def test_inbox_filter_keeps_an_organisation_without_waiting_cases(client, case_worker, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("cases:inbox"), {"organisation": case_worker.organisation_id})
    assert response.status_code == 200 and not response.context["filters"].errors
    response = client.get(reverse("cases:inbox"), {"organisation": "99999", "target_group": "zzz"})
    content = response.content.decode()
    assert content.count("Välj ett av alternativen i listan.") == 2
    assert "99999" not in content.split("<main", 1)[1].split("</form>", 1)[0].split("invalid-feedback", 1)[-1]


def test_the_unchosen_filters_written_once_are_each_users_own(client, case_worker, coordinator):
    # The unbound filters are cached per set of fields: a coordinator never gets a case worker's.
    client.force_login(case_worker)
    mine = client.get(reverse("cases:list")).content.decode()
    assert 'name="todo"' in mine and 'name="mine"' in mine and 'name="party"' not in mine
    assert '<option value="draft">' in mine
    client.force_login(coordinator)
    theirs = client.get(reverse("cases:list")).content.decode()
    assert 'name="party"' in theirs and 'name="todo"' not in theirs and 'name="mine"' not in theirs
    assert '<option value="draft">' not in theirs
    # Chosen filters are written anew, with the choice shown.
    chosen = client.get(reverse("cases:list"), {"status": "submitted"}).content.decode()
    assert '<option value="submitted" selected>' in chosen
    assert '<option value="submitted" selected>' not in client.get(reverse("cases:list")).content.decode()
