"""Bad input is a 400, never a 500: NUL bytes, forged request ids."""

import logging

import pytest
from django.urls import reverse

from resursrad.middleware import RequestIdFilter, current_upstream_request_id
from resursrad.models import AccessLog
from tests.factories import submitted_referral


def _assert_swedish_400(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400
    content = response.content.decode()
    assert '<html lang="sv">' in content
    assert "Gå till startsidan" in content


@pytest.mark.parametrize("path", ["/healthz", "/accounts/login/", "/cases/"])
def test_nul_in_the_session_cookie_is_a_bad_request_without_the_database(
    client, db, django_assert_num_queries, path
):
    with django_assert_num_queries(0):
        response = client.get(path, HTTP_COOKIE="sessionid=abc\x00def")
    _assert_swedish_400(response)


def test_nul_in_any_cookie_is_a_bad_request(client, db):
    _assert_swedish_400(client.get("/accounts/login/", HTTP_COOKIE="other\x00=1"))


def test_nul_in_a_query_string_is_a_bad_request(client, case_worker):
    client.force_login(case_worker)
    _assert_swedish_400(client.get("/cases/?q=%00"))
    _assert_swedish_400(client.get("/cases/?%00=1"))


def test_nul_in_an_admin_filter_is_a_bad_request(client, administrator):
    client.force_login(administrator)
    _assert_swedish_400(client.get("/admin/resursrad/user/?q=%00"))


def test_nul_in_the_path_is_a_bad_request(client, db):
    _assert_swedish_400(client.get("/cases/%00/"))


def test_nul_in_a_form_field_is_a_bad_request(client, db):
    response = client.post("/accounts/login/", {"username": "a\x00@b.se", "password": "x"})
    _assert_swedish_400(response)


def test_an_ordinary_query_still_works(client, case_worker):
    client.force_login(case_worker)
    assert client.get("/cases/?q=RR-2026").status_code == 200


def test_the_request_id_is_made_on_the_server_and_a_proxy_id_kept_beside_it(client, case_worker, coordinator):
    referral = submitted_referral(case_worker)
    client.force_login(coordinator)
    response = client.get(reverse("cases:detail", args=[referral.pk]), HTTP_X_REQUEST_ID="proxy-12345678")
    entry = AccessLog.objects.get(user=coordinator)
    assert entry.request_id == response["X-Request-ID"]
    assert entry.request_id != "proxy-12345678"
    assert response.wsgi_request.upstream_request_id == "proxy-12345678"


@pytest.mark.parametrize("incoming", ["<script>alert(1)</script>", "short", "x" * 65, "a b c d e f g h"])
def test_an_odd_incoming_request_id_is_neither_used_nor_kept(client, db, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32
    assert response.wsgi_request.upstream_request_id == ""


def test_every_request_gets_a_new_id(client, db):
    first = client.get("/healthz", HTTP_X_REQUEST_ID="same-id-12345678")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="same-id-12345678")["X-Request-ID"]
    assert first != second


def test_log_records_carry_the_upstream_id():
    token = current_upstream_request_id.set("proxy-12345678")
    try:
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "message", None, None)
        RequestIdFilter().filter(record)
    finally:
        current_upstream_request_id.reset(token)
    assert record.upstream_request_id == "proxy-12345678"  # type: ignore[attr-defined]
