"""Response headers: no caching of pages, a Permissions-Policy, HEAD works, /healthz over HTTP."""

import pytest
from django.urls import reverse

from tests.resursrad.test_security import _sample_path, _walk


def _pages(resolver_patterns):  # type: ignore[no-untyped-def]
    for route, _pattern in _walk(resolver_patterns):
        path = _sample_path(route)
        if "<" in path or "(" in path:
            continue
        yield path


@pytest.mark.parametrize("who", ["administrator", "case_worker", "coordinator"])
def test_every_page_a_logged_in_user_sees_is_not_stored(client, cast, who):
    from django.urls import get_resolver

    client.force_login(cast[who])
    answered = 0
    for path in _pages(get_resolver().url_patterns):
        response = client.get(path)
        assert "no-store" in response.get("Cache-Control", ""), (path, response.status_code)
        assert "camera=()" in response["Permissions-Policy"], path
        answered += response.status_code == 200
    assert answered >= 3


def test_anonymous_pages_are_not_stored_either(client, db):
    response = client.get("/accounts/login/")
    assert "no-store" in response["Cache-Control"]
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


@pytest.mark.parametrize("name", ["healthz", "privacy_notice", "login"])
def test_head_answers_like_get_on_public_pages(client, db, name):
    response = client.head(reverse(name))
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize(
    "who,name",
    [
        ("council_member", "meetings:agendas"),
        ("steering_member", "deviations:inbox"),
        ("administrator", "start_admin"),
        ("administrator", "system_status"),
    ],
)
def test_head_answers_on_start_pages(client, cast, who, name):
    client.force_login(cast[who])
    assert client.head(reverse(name)).status_code == 200


def test_healthz_answers_over_plain_http_when_https_is_required(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz")
    assert response.status_code == 200
    assert client.get("/privacy/").status_code == 301
