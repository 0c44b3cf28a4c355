import pytest
from django.db import connection, transaction
from django.urls import reverse

from resursrad.models import AccessLog
from tests.factories import make_referral, submitted_referral


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
    assert client.get(url).context["page"].paginator.count == 2
    by_user = client.get(url, {"user": coordinator.pk}).context["page"].object_list
    assert [e.case_number for e in by_user] == [first.case_number]
    by_case = client.get(url, {"case_number": second.case_number}).context["page"].object_list
    assert [e.user for e in by_case] == [case_worker]
    assert (
        client.get(url, {"date_from": "2000-01-01", "date_to": "2000-01-02"}).context["page"].paginator.count
        == 0
    )
    response = client.get(url, {"date_from": "2026-02-31"})
    assert response.status_code == 200
    assert "Ange ett riktigt datum" in response.content.decode()


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


def test_access_log_list_uses_a_constant_number_of_queries(
    client, case_worker, administrator, django_assert_max_num_queries
):
    referral = make_referral(case_worker)
    client.force_login(case_worker)
    for _ in range(120):
        client.get(reverse("cases:detail", args=[referral.pk]))
    client.force_login(administrator)
    client.get(reverse("access_log"))  # renews the session: once a minute, not every page
    with django_assert_max_num_queries(8):
        client.get(reverse("access_log"))


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
