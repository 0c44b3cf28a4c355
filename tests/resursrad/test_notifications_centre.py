"""The notification centre: the unread count in the navigation, the list, reading and following."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resursrad.notifications.models import Notification
from resursrad.notifications.services import notify
from tests.factories import OrganisationFactory, UserFactory, submitted_referral
from tests.resursrad.notification_kinds import NOTE, test_kind  # noqa: F401 (the fixture is autouse)


def _question(referral, coordinator):
    referral.request_info(by=coordinator, question="Finns ett aktuellt läkarintyg?")


@pytest.fixture
def asked(case_worker, coordinator):
    """A referral of the case worker's, and the coordinator's question about it."""
    referral = submitted_referral(case_worker)
    _question(referral, coordinator)
    return referral


def _mine(user):
    return Notification.objects.for_user(user)


# --- the badge in the navigation ---------------------------------------------------


def test_the_navigation_shows_the_unread_count_with_words_for_screen_readers(client, case_worker, asked):
    client.force_login(case_worker)
    content = client.get(reverse("cases:list")).content.decode()
    assert 'class="badge rounded-pill notification-badge" aria-hidden="true">1</span>' in content
    assert '<span class="visually-hidden">1 oläst notis</span>' in content
    assert f'href="{reverse("notifications:list")}"' in content


def test_the_navigation_says_nothing_of_unread_when_all_is_read(client, case_worker, asked):
    Notification.objects.mark_all_read(case_worker)
    client.force_login(case_worker)
    content = client.get(reverse("cases:list")).content.decode()
    assert 'class="nav-link notification-link"' in content
    assert "notification-badge" not in content and "oläst" not in content


def test_a_large_count_is_shortened_but_said_in_full(client, case_worker):
    organisations = OrganisationFactory.create_batch(101)
    for organisation in organisations:
        notify([case_worker], NOTE, organisation)
    client.force_login(case_worker)
    content = client.get(reverse("notifications:list")).content.decode()
    assert 'aria-hidden="true">99+</span>' in content
    assert "101 olästa notiser" in content


def _notification_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries if "notifications_notification" in query["sql"]]


def test_the_count_comes_with_the_user_and_only_when_logged_in(client, case_worker, asked):
    assert _notification_queries(client, reverse("login")) == []
    assert _notification_queries(client, reverse("privacy_notice")) == []
    client.force_login(case_worker)
    client.get(reverse("privacy_notice"))  # renews the session: once a minute
    counted = _notification_queries(client, reverse("privacy_notice"))
    # No query of its own: the count is a subquery of the one that loads the user.
    assert len(counted) == 1 and counted[0].startswith('SELECT "resursrad_user"."id"')
    response = client.get(reverse("privacy_notice"))
    assert response.context["notification_badge"].count == 1
    # The list page's own queries are its rows and the paginator's count.
    assert len(_notification_queries(client, reverse("notifications:list"))) == 3


def test_only_the_users_own_unread_and_due_notifications_count(client, case_worker, colleague, coordinator):
    referral = submitted_referral(case_worker)
    _question(referral, coordinator)
    notify([colleague], "cases.taken_over", referral)
    notify([case_worker], "cases.taken_over", referral, due_at=timezone.now() + timedelta(days=1))
    client.force_login(case_worker)
    response = client.get(reverse("notifications:list"))
    assert response.context["notification_badge"].count == 1


# --- the list --------------------------------------------------------------------


def test_the_list_shows_the_users_notifications_newest_first_unread_marked(
    client, case_worker, coordinator, colleague
):
    first = submitted_referral(case_worker)
    second = submitted_referral(case_worker)
    _question(first, coordinator)
    _question(second, coordinator)
    Notification.objects.filter(object_id=first.pk).update(due_at=timezone.now() - timedelta(hours=1))
    Notification.objects.filter(object_id=first.pk).mark_read()
    notify([colleague], "cases.taken_over", first)
    client.force_login(case_worker)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [row.reference for row in rows] == [second.case_number, first.case_number]
    content = response.content.decode()
    assert f"En fråga om {second.case_number}" in content
    assert content.count('class="badge notification-new">Oläst</span>') == 1
    assert content.count("notification-item notification-unread") == 1
    assert content.index(second.case_number) < content.index(first.case_number)
    # Nothing of the individual: the case number, never the name.
    # (The full name and the number: a staff member may share a surname with the individual.)
    full_name = f"{first.participant.first_name} {first.participant.last_name}"
    assert full_name not in content and first.participant.personal_number not in content
    assert "Du har 1 oläst notis." in content


def test_the_list_has_an_empty_state(client, case_worker):
    client.force_login(case_worker)
    content = client.get(reverse("notifications:list")).content.decode()
    assert "Inga notiser ännu." in content
    assert "Markera alla som lästa" not in content


def test_the_list_is_paginated_with_a_constant_number_of_queries(
    client, case_worker, django_assert_max_num_queries
):
    organisations = OrganisationFactory.create_batch(60)
    for organisation in organisations:
        notify([case_worker], NOTE, organisation)
    client.force_login(case_worker)
    client.get(reverse("notifications:list"))  # renews the session
    # Session, user, organisation (the menu), unread count, the paginator's count, the page.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page"].object_list) == 25
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"), {"page": 3})
    assert len(response.context["page"].object_list) == 10
    # A page that does not exist shows the last one; nonsense shows the first.
    assert client.get(reverse("notifications:list"), {"page": 99}).context["page"].number == 3
    assert client.get(reverse("notifications:list"), {"page": "x"}).context["page"].number == 1


# --- reading ---------------------------------------------------------------------


def test_mark_one_as_read(client, case_worker, asked):
    row = _mine(case_worker).get()
    client.force_login(case_worker)
    response = client.post(reverse("notifications:read", args=[row.pk]), {"page": "2"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("notifications:list") + "?page=2"
    assert f"Notisen om {asked.case_number} är markerad som läst." in response.content.decode()
    row.refresh_from_db()
    assert row.is_read
    read_at = row.read_at
    # Twice changes nothing.
    client.post(reverse("notifications:read", args=[row.pk]))
    row.refresh_from_db()
    assert row.read_at == read_at


def test_mark_all_as_read(client, case_worker, coordinator, colleague):
    for _ in range(3):
        _question(submitted_referral(case_worker), coordinator)
    notify([colleague], "cases.taken_over", submitted_referral(colleague))
    client.force_login(case_worker)
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "3 notiser är markerade som lästa." in response.content.decode()
    assert not _mine(case_worker).unread().exists()
    assert _mine(colleague).unread().count() == 1
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "Du hade inga olästa notiser." in response.content.decode()


def test_following_a_notification_marks_it_read_and_opens_its_case(client, case_worker, asked):
    row = _mine(case_worker).get()
    client.force_login(case_worker)
    response = client.get(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[asked.pk])
    row.refresh_from_db()
    assert row.is_read
    assert client.get(response.url).status_code == 200


def test_a_case_the_reader_can_no_longer_see_is_a_404_behind_the_link(client, case_worker, asked, org_b):
    row = _mine(case_worker).get()
    # The case worker has moved to another office: the case is no longer theirs to see.
    case_worker.organisation = org_b
    case_worker.save()
    client.force_login(case_worker)
    response = client.get(reverse("notifications:open", args=[row.pk]), follow=True)
    assert response.status_code == 404
    assert response.redirect_chain == [(reverse("cases:detail", args=[asked.pk]), 302)]


def test_a_link_that_leaves_the_site_is_not_followed(client, case_worker, asked):
    row = _mine(case_worker).get()
    Notification.objects.filter(pk=row.pk).update(url="//example.com/")
    client.force_login(case_worker)
    response = client.get(reverse("notifications:open", args=[row.pk]))
    assert response.url == reverse("notifications:list")


# --- who may ---------------------------------------------------------------------


def _own_urls(row):
    return [
        ("get", reverse("notifications:open", args=[row.pk])),
        ("post", reverse("notifications:read", args=[row.pk])),
    ]


def test_another_users_notification_is_a_404_on_every_url(client, case_worker, colleague, coordinator, asked):
    row = _mine(case_worker).get()
    for user in (colleague, coordinator):
        client.force_login(user)
        for method, url in _own_urls(row):
            assert getattr(client, method)(url).status_code == 404, (user, url)
    row.refresh_from_db()
    assert not row.is_read


@pytest.mark.parametrize("pk", [0, 999999, 2**63])
def test_an_id_that_does_not_exist_is_a_404(client, case_worker, pk):
    client.force_login(case_worker)
    assert client.get(f"/notifications/{pk}/open/").status_code == 404
    assert client.post(f"/notifications/{pk}/read/").status_code == 404


def test_a_notification_not_yet_due_or_cancelled_is_a_404(client, case_worker, asked):
    row = _mine(case_worker).get()
    client.force_login(case_worker)
    Notification.objects.filter(pk=row.pk).update(due_at=timezone.now() + timedelta(days=1))
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    Notification.objects.filter(pk=row.pk).update(due_at=timezone.now(), status="cancelled")
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404


@pytest.mark.parametrize(
    "role", ["case_worker", "coordinator", "council_member", "steering_member", "administrator"]
)
def test_every_role_has_a_notification_centre(client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("notifications:list")).status_code == 200


def test_anonymous_is_sent_to_login(client, case_worker, asked):
    row = _mine(case_worker).get()
    urls = [
        ("get", reverse("notifications:list")),
        ("post", reverse("notifications:read_all")),
        *_own_urls(row),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    row.refresh_from_db()
    assert not row.is_read


def test_wrong_methods_are_405(client, case_worker, asked):
    row = _mine(case_worker).get()
    client.force_login(case_worker)
    assert client.post(reverse("notifications:list")).status_code == 405
    assert client.post(reverse("notifications:open", args=[row.pk])).status_code == 405
    assert client.get(reverse("notifications:read", args=[row.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    row.refresh_from_db()
    assert not row.is_read


def test_the_posts_need_the_csrf_token(case_worker, asked):
    from django.test import Client

    row = _mine(case_worker).get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(case_worker)
    assert client.post(reverse("notifications:read", args=[row.pk])).status_code == 403
    assert client.post(reverse("notifications:read_all")).status_code == 403
    row.refresh_from_db()
    assert not row.is_read


def test_a_user_without_a_role_still_reads_their_notifications(client, asked):
    nobody = UserFactory(email="ingen@roll.test")
    client.force_login(nobody)
    assert client.get(reverse("notifications:list")).status_code == 200
