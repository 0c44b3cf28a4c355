"""Error pages are Swedish, in the layout, and made without the database."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from resursrad import errors


@pytest.fixture
def stop_database(db):  # type: ignore[no-untyped-def]
    """Call it to make every query fail as if PostgreSQL had stopped; undone before the rollback."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OperationalError("connection to server failed: Connection refused")

    patcher = mock.patch.object(BaseDatabaseWrapper, "cursor", refuse)
    yield patcher.start
    patcher.stop()


def _assert_swedish_layout(content: str) -> None:
    assert '<html lang="sv">' in content
    assert "Hoppa till huvudinnehållet" in content
    assert "Gå till startsidan" in content
    # No user menu: the page does not know (or ask) who is logged in.
    assert "Logga ut" not in content


def test_server_error_page_renders_with_the_database_down(case_worker, stop_database):
    client = Client(raise_request_exception=False)
    client.force_login(case_worker)
    stop_database()
    response = client.get("/cases/")
    assert response.status_code == 500
    content = response.content.decode()
    _assert_swedish_layout(content)
    assert "Något gick fel" in content
    assert "no-store" in response["Cache-Control"]


def test_server_error_handler_touches_no_database(rf, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()


def test_not_found_page_is_swedish_for_a_logged_in_user(client, case_worker):
    client.force_login(case_worker)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    content = response.content.decode()
    _assert_swedish_layout(content)
    assert "Sidan finns inte" in content


def test_permission_denied_page_is_swedish(rf, db):
    response = errors.permission_denied(rf.get("/"))
    assert response.status_code == 403
    assert "Du har inte behörighet till sidan" in response.content.decode()


def test_csrf_failure_page_is_swedish_and_in_the_layout(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "x@y.se", "password": "z"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403
    assert [t.name for t in response.templates][:1] == ["403_csrf.html"]
    _assert_swedish_layout(response.content.decode())
    assert "CSRF verification failed" not in response.content.decode()


def test_bad_request_page_is_swedish(rf, db):
    response = errors.bad_request(rf.get("/"))
    assert response.status_code == 400
    _assert_swedish_layout(response.content.decode())


def test_interface_is_swedish_whatever_the_browser_asks_for(client, db):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "Logga in" in content
    assert "Content-Language" not in response.headers or response["Content-Language"] == "sv"


def test_a_step_address_opened_with_get_explains_itself_and_changes_nothing(client, case_worker):
    from cases.models import Status
    from tests.factories import make_referral

    referral = make_referral(case_worker)
    client.force_login(case_worker)
    response = client.get(f"/cases/{referral.pk}/submit/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    content = response.content.decode()
    _assert_swedish_layout(content)
    assert "Sidan kan inte öppnas på det här sättet" in content
    assert "Ingenting ändrades" in content
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT


def test_a_wrong_method_page_is_made_without_the_database(rf, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        response = errors.method_not_allowed("GET, HEAD")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
