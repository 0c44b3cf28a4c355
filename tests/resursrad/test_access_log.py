import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from resursrad.models import AccessAction, AccessLog
from tests.factories import make_participant, make_referral, submitted_referral


def read(client, user, referral):
    client.force_login(user)
    client.get(reverse("cases:detail", args=[referral.pk]))


def test_the_log_cannot_be_changed_or_deleted_from_the_app(client, case_worker):
    referral = make_referral(case_worker)
    read(client, case_worker, referral)
    entry = AccessLog.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().update(action="print")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_to_change_the_log(client, case_worker):
    from django.db import DatabaseError

    referral = make_referral(case_worker)
    read(client, case_worker, referral)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE resursrad_accesslog SET action = 'print'")


def test_administrator_filters_the_log(client, case_worker, coordinator, administrator):
    first = submitted_referral(case_worker)
    second = submitted_referral(case_worker)
    read(client, coordinator, first)
    read(client, case_worker, second)
    client.force_login(administrator)
    url = reverse("access_log")
    assert len(client.get(url).context["page"].rows) == 2
    # The e-mail address in any case; the case number as a person may type it.
    by_user = client.get(url, {"email": coordinator.email.upper()}).context["page"].rows
    assert [e.case_number for e in by_user] == [first.case_number]
    year, number = second.case_number.split("-")[1:]
    by_case = client.get(url, {"case_number": f" rr {year} {int(number)} "}).context["page"].rows
    assert [e.user for e in by_case] == [case_worker]
    period = {"at_from": "2000-01-01T00:00", "at_to": "2000-01-02T00:00"}
    assert client.get(url, period).context["page"].rows == []


def shown(client, params):
    response = client.get(reverse("access_log"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"email": "nobody@example.test"}, "Ingen användare har den e-postadressen"),
        ({"email": "inte-en-adress"}, "Ange en e-postadress, till exempel namn@kommun.se."),
        ({"case_number": "Anna"}, "Ange ett ärendenummer, till exempel RR-2026-0042."),
        ({"action": "delete"}, "Välj ett av alternativen i listan."),
        ({"at_from": "2026-02-31T10:00"}, "Ange datum och tid, till exempel 2026-03-15 08:30."),
        (
            {"at_from": "2026-03-02T10:00", "at_to": "2026-03-01T10:00"},
            "Periodens slut får inte ligga före dess början.",
        ),
    ],
)
def test_bad_filters_are_explained_beside_the_field(client, administrator, params, message):
    client.force_login(administrator)
    response = shown(client, params)
    content = response.content.decode()
    assert message in content
    field = next(iter(params)) if "at_to" not in params else "at_to"
    assert f'id="error_1_id_{field}"' in content and 'aria-invalid="true"' in content
    # Nothing is listed that the filter did not ask for.
    assert response.context["page"] is None


def test_a_bad_page_link_shows_the_newest_entries_with_a_message(client, case_worker, administrator):
    referral = make_referral(case_worker)
    read(client, case_worker, referral)
    client.force_login(administrator)
    for cursor in ["garbage", "bjEyMw", "eDEyMy40NQ", "bi0xLjA", "!!!", "n99999999999999999999999.1"]:
        response = shown(client, {"cursor": cursor})
        assert "Länken till den sidan i loggen gick inte att läsa" in response.content.decode()
        assert len(response.context["page"].rows) == 1


@pytest.mark.parametrize("action", AccessAction.values)
def test_every_action_can_be_filtered_alone_and_with_the_others(
    client, case_worker, coordinator, administrator, action
):
    referral = make_referral(case_worker)
    other = make_referral(case_worker)
    entries = [
        AccessLog(user=user, organisation_id=user.organisation_id, action=kind, case_number=case.case_number)
        for user in (case_worker, coordinator)
        for kind in AccessAction.values
        for case in (referral, other)
    ]
    AccessLog.objects.bulk_create(entries)
    client.force_login(administrator)
    alone = shown(client, {"action": action}).context["page"].rows
    assert len(alone) == 4 and {e.action for e in alone} == {action}
    combined = shown(
        client,
        {
            "action": action,
            "email": coordinator.email,
            "case_number": referral.case_number,
            "at_from": "2000-01-01T00:00",
            "at_to": "2100-01-01T00:00",
        },
    ).context["page"]
    assert [(e.user, e.action, e.case_number) for e in combined.rows] == [
        (coordinator, action, referral.case_number)
    ]
    assert str(AccessAction(action).label) in shown(client, {"action": action}).content.decode()


def walk(client, params, start=None, key="older"):
    """Every page from ``start`` in one direction: the ids on each page."""
    pages, cursor = [], start
    while True:
        page = shown(client, {**params, **({"cursor": cursor} if cursor else {})}).context["page"]
        pages.append([entry.pk for entry in page.rows])
        cursor = getattr(page, key)
        if cursor is None:
            return pages, page


def test_keyset_pages_lose_and_repeat_no_row_even_when_times_are_equal(
    client, case_worker, coordinator, administrator
):
    from datetime import timedelta

    from django.utils import timezone

    from resursrad.views import ACCESS_LOG_PAGE_SIZE

    start = timezone.now().replace(microsecond=0)
    # Three rows at every instant: the id orders rows with the same time.
    entries = [
        AccessLog(
            at=start - timedelta(seconds=index // 3), user=user, action="view", case_number="RR-2026-0001"
        )
        for index in range(2 * ACCESS_LOG_PAGE_SIZE + 7)
        for user in [(case_worker, coordinator)[index % 2]]
    ]
    AccessLog.objects.bulk_create(entries)
    expected = list(AccessLog.objects.order_by("-at", "-pk").values_list("pk", flat=True))
    client.force_login(administrator)
    older, last = walk(client, {})
    assert [len(page) for page in older] == [ACCESS_LOG_PAGE_SIZE, ACCESS_LOG_PAGE_SIZE, 7]
    assert [pk for page in older for pk in page] == expected
    # And back again, newer, from the last page: the same pages in reverse.
    newer, first = walk(client, {}, start=last.newer, key="newer")
    assert newer == older[-2::-1]
    assert first.newer is None
    # A filter keeps its pages too, and the links carry it.
    by_user, _ = walk(client, {"email": coordinator.email})
    assert [pk for page in by_user for pk in page] == list(
        AccessLog.objects.filter(user=coordinator).order_by("-at", "-pk").values_list("pk", flat=True)
    )
    content = shown(client, {"email": coordinator.email}).content.decode()
    assert "email=eva%40forbund.test&amp;cursor=" in content and "Äldre" in content


def test_participant_access_history_by_post(client, case_worker, coordinator, administrator):
    referral = submitted_referral(case_worker)
    other = make_referral(case_worker, participant=None)
    read(client, coordinator, referral)
    client.force_login(administrator)
    url = reverse("cases:access_history")
    response = client.post(url, {"personal_number": "850312-2387"})
    entries = list(response.context["entries"])
    # Both referrals are about the same person (same number): each read of either shows.
    assert {e.user for e in entries} == {coordinator}
    assert AccessLog.objects.filter(action="access_history", user=administrator).count() == 2
    assert other.participant.personal_number == referral.participant.personal_number


def test_participant_lookup_explains_a_bad_number(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("cases:access_history"), {"personal_number": "850312-2388"})
    assert response.status_code == 200
    assert "Kontrollsiffran stämmer inte" in response.content.decode()


@pytest.mark.parametrize("role", ["case_worker", "coordinator", "council_member", "steering_member"])
def test_only_administrators_review_the_log(client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("access_log")).status_code == 403
    assert client.post(reverse("cases:access_history"), {"personal_number": "x"}).status_code == 403


def test_access_log_pages_require_login_and_methods(client, administrator):
    assert client.get(reverse("access_log")).status_code == 302
    client.force_login(administrator)
    assert client.post(reverse("access_log")).status_code == 405
    assert client.put(reverse("cases:access_history")).status_code == 405


def log_rows(count, users):
    AccessLog.objects.bulk_create(
        AccessLog(
            user=users[i % len(users)], organisation_id=users[i % len(users)].organisation_id, action="view"
        )
        for i in range(count)
    )


def test_access_log_pages_make_the_same_few_queries_with_more_rows(
    client, case_worker, other_case_worker, coordinator, administrator
):
    from django.test.utils import CaptureQueriesContext

    users = [case_worker, other_case_worker, coordinator]
    client.force_login(administrator)
    pages = [{}, {"email": coordinator.email}, {"action": "view", "at_from": "2000-01-01T00:00"}]

    def counts():
        found = []
        for params in pages:
            shown(client, params)  # renews the session once a minute: not counted
            with CaptureQueriesContext(connection) as queries:
                shown(client, params)
            found.append(len(queries))
        return found

    log_rows(5, users)
    before = counts()
    log_rows(300, users)
    after = counts()
    assert after == before and max(after) <= 8


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_to_truncate_the_log(client, case_worker):
    from django.db import DatabaseError

    referral = make_referral(case_worker)
    read(client, case_worker, referral)
    # The test runner's own connection may empty tables between tests; the
    # application's never does. Without that permission TRUNCATE is refused.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own inserts are still pending
        cursor.execute("SET LOCAL resursrad.allow_log_truncate = 'off'")
        cursor.execute("TRUNCATE resursrad_accesslog")
    assert AccessLog.objects.count() == 1


def _logged_rows(action, **where):
    fields = ("user_id", "organisation_id", "referral_id", "participant_id", "case_number", "subject_hash")
    return sorted(AccessLog.objects.filter(action=action, **where).values_list(*fields))


def _shown_rows(user, referrals):
    return sorted(
        (
            user.pk,
            user.organisation_id,
            referral.pk,
            referral.participant_id,
            referral.case_number,
            referral.participant.number_hash,
        )
        for referral in referrals
    )


def test_a_list_logs_each_case_it_shows_once_with_who_what_and_when(client, case_worker):
    referrals = [submitted_referral(case_worker) for _ in range(27)]
    client.force_login(case_worker)
    client.get(reverse("cases:list"))  # renews the session
    before = timezone.now()
    response = client.get(reverse("cases:list"))
    shown = response.context["page"].object_list
    assert len(shown) == 25 and {r.pk for r in shown} <= {r.pk for r in referrals}
    request_id = response["X-Request-ID"]
    assert _logged_rows(AccessAction.LIST, request_id=request_id) == _shown_rows(case_worker, shown)
    # Nothing else from that request, and all of it at the time it was shown.
    logged = AccessLog.objects.filter(at__gte=before)
    assert {(entry.request_id, entry.action) for entry in logged} == {(request_id, AccessAction.LIST)}
    assert all(before <= entry.at <= timezone.now() for entry in logged)


def test_without_postgresql_arrays_the_same_rows_are_logged(rf, case_worker, monkeypatch):
    # SQLite (development) has no arrays: record_many writes the same rows from instances.
    referrals = [submitted_referral(case_worker) for _ in range(3)]
    request = rf.get("/")
    request.user, request.request_id = case_worker, "a" * 32
    AccessLog.record_many(request, referrals, AccessAction.LIST)
    with monkeypatch.context() as patched:
        patched.setattr(connection, "vendor", "sqlite")
        AccessLog.record_many(request, referrals, AccessAction.SEARCH)
    assert (
        _logged_rows(AccessAction.LIST)
        == _logged_rows(AccessAction.SEARCH)
        == _shown_rows(case_worker, referrals)
    )
    assert set(AccessLog.objects.values_list("request_id", flat=True)) == {"a" * 32}
    AccessLog.record_many(request, [], AccessAction.LIST)
    assert AccessLog.objects.count() == 6


def test_a_search_logs_what_it_found_and_a_page_without_rows_logs_nothing(client, case_worker):
    found = submitted_referral(case_worker)
    submitted_referral(case_worker, participant=make_participant(first_name="Annan", last_name="Person"))
    client.force_login(case_worker)
    client.post(reverse("cases:list"), {"q": found.case_number})
    assert _logged_rows(AccessAction.SEARCH) == _shown_rows(case_worker, [found])
    client.get(reverse("cases:list"), {"page": "9"})
    assert AccessLog.objects.filter(action=AccessAction.LIST).count() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the log is written ahead on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_list_is_answered_only_once_its_log_rows_are_committed(client, monkeypatch):
    # As in production: no test transaction, so the INSERT is sent ahead and confirmed at the end.
    from tests.factories import CaseWorkerFactory, OrganisationFactory

    case_worker = CaseWorkerFactory(organisation=OrganisationFactory(), email="skrivs@haninge.test")
    referrals = [submitted_referral(case_worker) for _ in range(3)]
    client.force_login(case_worker)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    request_id = response["X-Request-ID"]
    assert _logged_rows(AccessAction.LIST, request_id=request_id) == _shown_rows(case_worker, referrals)

    # A write the database refuses (sent, then answered with an error): the rendered page is never answered.
    refused = "INSERT INTO no_such_table VALUES (" + ", ".join(["%s"] * 9) + ")"
    monkeypatch.setattr("resursrad.models._insert_shown_sql", lambda: refused)
    client.raise_request_exception = False
    failed = client.get(reverse("cases:list"))
    assert failed.status_code == 500
    assert referrals[0].case_number not in failed.content.decode()
    monkeypatch.undo()
    # The connection went on: the next list is answered and logged.
    again = client.get(reverse("cases:list"))
    assert again.status_code == 200
    assert _logged_rows(AccessAction.LIST, request_id=again["X-Request-ID"]) == _shown_rows(
        case_worker, referrals
    )
