"""Administrators: no change of one's own roles, and the append-only administration log."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from resursrad.models import ROLE_FIELDS, AdminEvent, AdminEventKind
from tests.factories import TEST_PASSWORD, UserFactory

NEW_PASSWORD = "ett-nytt-langt-losenord-7"


def change_form_data(user, **roles):
    """The admin change form for ``user`` as a browser would post it, with ``roles`` changed."""
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "title": user.title,
        "phone": user.phone,
        "organisation": user.organisation_id or "",
        "_save": "Spara",
    }
    for name in ROLE_FIELDS:
        if roles.get(name, getattr(user, name)):
            data[name] = "on"
    return data


def change_url(user):
    return reverse("admin:resursrad_user_change", args=[user.pk])


def password_url(user):
    return reverse("admin:auth_user_password_change", args=[user.pk])


# --- one's own roles ----------------------------------------------------------


def test_administrator_sees_own_roles_read_only(client, administrator):
    client.force_login(administrator)
    response = client.get(change_url(administrator))
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("is_administrator", "is_case_worker", "is_active"):
        assert f'name="{name}"' not in content
    assert 'name="first_name"' in content


def test_administrator_cannot_change_own_roles_with_a_crafted_post(client, administrator):
    client.force_login(administrator)
    data = change_form_data(
        administrator,
        is_administrator=False,
        is_active=False,
        is_coordinator=True,
        is_superuser=True,
    )
    data["first_name"] = "Alicia"
    response = client.post(change_url(administrator), data)
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.first_name == "Alicia"
    assert AdminEvent.roles_of(administrator) == ["is_administrator", "is_active"]
    assert not AdminEvent.objects.filter(kind=AdminEventKind.ROLE_CHANGED).exists()


def test_administrator_changes_another_users_roles_and_it_is_recorded(client, administrator, coordinator):
    client.force_login(administrator)
    response = client.post(
        change_url(coordinator), change_form_data(coordinator, is_council_member=True, is_coordinator=False)
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.is_council_member and not coordinator.is_coordinator
    event = AdminEvent.objects.get(kind=AdminEventKind.ROLE_CHANGED)
    assert (event.actor, event.subject) == (administrator, coordinator)
    assert event.roles_before == ["is_coordinator", "is_active"]
    assert event.roles_after == ["is_council_member", "is_active"]
    assert len(event.request_id) >= 8


def test_saving_another_user_without_role_changes_records_nothing(client, administrator, coordinator):
    client.force_login(administrator)
    client.post(change_url(coordinator), change_form_data(coordinator, is_coordinator=True))
    client.post(change_url(coordinator), change_form_data(coordinator, is_coordinator=True))
    assert not AdminEvent.objects.filter(kind=AdminEventKind.ROLE_CHANGED).exists()


# --- password resets and log-ins ----------------------------------------------


def test_password_reset_by_an_administrator_is_recorded_without_the_password(
    client, administrator, case_worker
):
    client.force_login(administrator)
    response = client.post(
        password_url(case_worker),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    case_worker.refresh_from_db()
    assert case_worker.check_password(NEW_PASSWORD)
    event = AdminEvent.objects.get(kind=AdminEventKind.PASSWORD_RESET)
    assert (event.actor, event.subject) == (administrator, case_worker)
    stored = " ".join(str(value) for value in AdminEvent.objects.values_list().get(pk=event.pk))
    assert NEW_PASSWORD not in stored
    assert case_worker.password not in stored


def test_a_refused_password_reset_records_nothing(client, administrator, case_worker):
    client.force_login(administrator)
    response = client.post(
        password_url(case_worker),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": "something-else-entirely"},
    )
    assert response.status_code == 200
    assert not AdminEvent.objects.filter(kind=AdminEventKind.PASSWORD_RESET).exists()


def test_administrator_log_in_is_recorded(client, administrator):
    response = client.post(reverse("login"), {"username": administrator.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    event = AdminEvent.objects.get()
    assert event.kind == AdminEventKind.ADMIN_LOGIN
    assert event.actor == event.subject == administrator
    assert event.request_id == response["X-Request-ID"]


def test_other_users_log_ins_are_not_recorded(client, case_worker):
    client.post(reverse("login"), {"username": case_worker.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" in client.session
    assert not AdminEvent.objects.exists()


# --- append-only ----------------------------------------------------------------


@pytest.fixture
def event(administrator, case_worker):
    return AdminEvent.objects.create(
        actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
    )


def test_the_log_cannot_be_changed_or_deleted_from_the_app(event):
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AdminEvent.objects.all().update(kind=AdminEventKind.ADMIN_LOGIN)
    with pytest.raises(PermissionError):
        AdminEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE resursrad_adminevent SET kind = 'admin_login'",
        "DELETE FROM resursrad_adminevent",
        "TRUNCATE resursrad_adminevent",
    ],
)
def test_postgresql_refuses_to_change_the_log(event, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        # The test suite may empty tables between tests (tests/conftest.py); the app may not.
        cursor.execute("SET LOCAL resursrad.allow_log_truncate = 'off'")
        cursor.execute(statement)
    assert AdminEvent.objects.count() == 1


# --- the page ---------------------------------------------------------------------


def test_administrator_sees_the_log_newest_first_and_filters_by_kind(client, administrator, case_worker):
    first = AdminEvent.objects.create(
        actor=administrator, subject=case_worker, kind=AdminEventKind.PASSWORD_RESET
    )
    second = AdminEvent.objects.create(
        actor=administrator,
        subject=case_worker,
        kind=AdminEventKind.ROLE_CHANGED,
        roles_before=["is_active"],
        roles_after=["is_case_worker", "is_active"],
    )
    client.force_login(administrator)  # records an administrator log-in, the newest event
    url = reverse("admin_events")
    response = client.get(url)
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert events[1:] == [second, first]
    assert events[0].kind == AdminEventKind.ADMIN_LOGIN
    content = response.content.decode()
    assert "Handläggare" in content or "handläggare" in content
    filtered = client.get(url, {"kind": "password_reset"}).context["page"].object_list
    assert list(filtered) == [first]
    # An unknown kind shows everything rather than failing.
    assert client.get(url, {"kind": "nonsense"}).context["page"].paginator.count == 3


@pytest.mark.parametrize(
    "role", ["case_worker", "other_case_worker", "coordinator", "council_member", "steering_member"]
)
def test_other_roles_may_not_see_the_log(client, cast, role):
    client.force_login(cast[role])
    assert client.get(reverse("admin_events")).status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(reverse("admin_events"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_log_page_only_answers_get(client, administrator):
    client.force_login(administrator)
    assert client.post(reverse("admin_events")).status_code == 405


def test_the_log_page_takes_the_same_queries_for_many_events(
    client, administrator, django_assert_max_num_queries
):
    people = UserFactory.create_batch(6)
    AdminEvent.objects.bulk_create(
        AdminEvent(
            actor=administrator,
            subject=people[number % 6],
            kind=AdminEventKind.ROLE_CHANGED,
            roles_before=["is_active"],
            roles_after=["is_coordinator", "is_active"],
        )
        for number in range(60)
    )
    client.force_login(administrator)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("admin_events"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(8):
        assert len(client.get(reverse("admin_events"), {"page": 2}).context["page"].object_list) == 11


def test_the_log_is_linked_from_the_access_log_and_the_start_page(client, administrator):
    client.force_login(administrator)
    url = reverse("admin_events")
    assert f'href="{url}"' in client.get(reverse("access_log")).content.decode()
    assert f'href="{url}"' in client.get(reverse("start_admin")).content.decode()


# --- the log in the Django admin --------------------------------------------------


def test_the_log_is_read_only_in_the_admin(client, administrator, event):
    client.force_login(administrator)
    assert client.get(reverse("admin:resursrad_adminevent_changelist")).status_code == 200
    assert client.get(reverse("admin:resursrad_adminevent_add")).status_code == 403
    detail = reverse("admin:resursrad_adminevent_change", args=[event.pk])
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"kind": "admin_login"}).status_code == 403
    assert client.post(reverse("admin:resursrad_adminevent_delete", args=[event.pk])).status_code == 403
    assert AdminEvent.objects.filter(pk=event.pk, kind=AdminEventKind.PASSWORD_RESET).exists()


def test_administrators_reach_no_case_and_no_access_log_through_the_admin():
    """Administrators must not read cases: the admin registers none of their models."""
    from django.contrib import admin

    from resursrad.models import AccessLog

    registered = set(admin.site._registry)
    assert not [model for model in registered if model._meta.app_label == "cases"]
    assert AccessLog not in registered
