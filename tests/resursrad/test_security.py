import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.resursrad.test_settings_environment import TEST_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]

# URLs anyone may open: the login page, the privacy notice and the health check;
# a personal calendar feed and the participant survey answer their secret address alone
# (tests/meetings/test_cal_feed.py, tests/followup/test_survey_views.py).
PUBLIC_URL_NAMES = {"login", "privacy_notice", "healthz", "feed", "survey_answer"}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _sample_path(route: str) -> str:
    import re

    path = re.sub(r"<(?:int:|uuid:)?(\w+)>", "1", route)
    path = re.sub(r"<(?:str:|slug:|path:)(\w+)>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path


def test_every_url_outside_the_allowlist_requires_login(client, db):
    checked = 0
    for route, pattern in _walk(get_resolver().url_patterns):
        if pattern.name in PUBLIC_URL_NAMES:
            continue
        path = _sample_path(route)
        if path.startswith("/admin/"):
            # The admin's own views redirect to its login, which requires ours.
            continue
        response = client.get(path)
        assert response.status_code in (302, 405), (path, response.status_code)
        if response.status_code == 302:
            assert response.url.startswith("/accounts/login/"), path
        checked += 1
    assert checked >= 8


def test_admin_urls_require_login(client, db):
    for path in ["/admin/", "/admin/resursrad/user/", "/admin/resursrad/organisation/1/change/"]:
        response = client.get(path, follow=True)
        assert response.redirect_chain[-1][0].startswith("/accounts/login/"), path


def test_security_headers_are_present(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) >= 8


def test_no_inline_scripts_or_styles_in_pages(client, case_worker):
    client.force_login(case_worker)
    content = client.get("/cases/").content.decode()
    assert "<script>" not in content
    assert " style=" not in content
    assert "<style" not in content


def test_healthz_answers_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-for-the-check-1234567890",
    "ALLOWED_HOSTS": "resursrad.example.se",
    "PERSONAL_NUMBER_HASH_KEY": "k" * 40,
    "FEDERATION_NAME": "Samordningsförbundet Exempel",
    "CONTROLLER_NAME": "Exempels kommun",
}


def _without(env: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != name}


def _django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter with exactly the given configuration (the suite's own removed)."""
    ignored = {*TEST_ENVIRONMENT, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in ignored and not k.endswith("_FILE")}
    full_env.update(env)
    full_env["DJANGO_SETTINGS_MODULE"] = "resursrad.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_check_deploy_is_clean_with_production_variables():
    result = _django(
        "import django, sys; django.setup(); from django.core.management import call_command;"
        "call_command('check', '--deploy', '--fail-level', 'WARNING')",
        PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr


@pytest.mark.parametrize(
    "env,variable",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": ""}, "DEBUG"),
        ({**PRODUCTION_ENV, "DEBUG": "  "}, "DEBUG"),
        ({**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": ""}, "SECURE_SSL_REDIRECT"),
        ({**PRODUCTION_ENV, "SESSION_IDLE_MINUTES": "half an hour"}, "SESSION_IDLE_MINUTES"),
        ({**PRODUCTION_ENV, "AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT"),
        ({**PRODUCTION_ENV, "DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"),
        ({**PRODUCTION_ENV, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({**PRODUCTION_ENV, "DATABASE_CONNECT_TIMEOUT_SECONDS": "5s"}, "DATABASE_CONNECT_TIMEOUT_SECONDS"),
        ({**PRODUCTION_ENV, "DATABASE_CONNECT_TIMEOUT_SECONDS": "0"}, "DATABASE_CONNECT_TIMEOUT_SECONDS"),
        ({**PRODUCTION_ENV, "DATABASE_STATEMENT_TIMEOUT_SECONDS": "x"}, "DATABASE_STATEMENT_TIMEOUT_SECONDS"),
        ({**PRODUCTION_ENV, "DATABASE_STATEMENT_TIMEOUT_SECONDS": "0"}, "DATABASE_STATEMENT_TIMEOUT_SECONDS"),
        ({**PRODUCTION_ENV, "CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
        ({**PRODUCTION_ENV, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        (_without(PRODUCTION_ENV, "SECRET_KEY"), "SECRET_KEY"),
        ({**PRODUCTION_ENV, "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({**PRODUCTION_ENV, "ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        (_without(PRODUCTION_ENV, "FEDERATION_NAME"), "FEDERATION_NAME"),
        ({**PRODUCTION_ENV, "FEDERATION_NAME": ""}, "FEDERATION_NAME"),
        (_without(PRODUCTION_ENV, "CONTROLLER_NAME"), "CONTROLLER_NAME"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "SECRET_KEY_FILE"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(env, variable):
    result = _django("import django; django.setup()", env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_secret_may_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 60 + "\n")
    env = {**PRODUCTION_ENV, "SECRET_KEY_FILE": str(secret)}
    env.pop("SECRET_KEY")
    result = _django(
        "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "60"
