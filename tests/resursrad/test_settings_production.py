"""Settings fail closed: without DEBUG=true the application is in production mode."""

import json

from tests.resursrad.test_security import PRODUCTION_ENV, _django, _without

PRINT_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default'], "
    "'federation': s.FEDERATION_NAME, 'controller': s.CONTROLLER_NAME}, default=str))"
)
POSTGRES = {"DATABASE_URL": "postgres://resursrad@db.example:5432/resursrad"}


def _settings(env):  # type: ignore[no-untyped-def]
    result = _django(PRINT_SETTINGS, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_debug_is_off_when_not_set():
    assert _settings(_without(PRODUCTION_ENV, "DEBUG"))["debug"] is False


def test_without_debug_a_missing_secret_key_says_how_to_develop():
    result = _django("import django; django.setup()", {})
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert "SECRET_KEY" in last_line and "DEBUG=true" in last_line


def test_development_mode_has_demo_names():
    values = _settings({"DEBUG": "true"})
    assert values["debug"] is True
    assert "(demo)" in values["federation"] and "(demo)" in values["controller"]


def test_production_uses_the_named_federation_and_controller():
    values = _settings(PRODUCTION_ENV)
    assert (values["federation"], values["controller"]) == ("Samordningsförbundet Exempel", "Exempels kommun")


def test_postgresql_connections_are_health_checked_and_time_out_by_default():
    database = _settings({**PRODUCTION_ENV, **POSTGRES})["db"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 5
    assert database["OPTIONS"]["options"] == "-c statement_timeout=15000"


def test_connect_timeout_is_configurable():
    env = {**PRODUCTION_ENV, **POSTGRES, "DATABASE_CONNECT_TIMEOUT_SECONDS": "2"}
    assert _settings(env)["db"]["OPTIONS"]["connect_timeout"] == 2


def test_statement_timeout_is_configurable():
    env = {**PRODUCTION_ENV, **POSTGRES, "DATABASE_STATEMENT_TIMEOUT_SECONDS": "60"}
    assert _settings(env)["db"]["OPTIONS"]["options"] == "-c statement_timeout=60000"


def test_manage_py_without_configuration_says_what_is_missing_not_a_traceback():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY must be set when DEBUG is false (production). "
        "For development set DEBUG=true."
    )


def test_the_consent_expiry_warning_is_thirty_days_unless_set_and_never_zero():
    code = "import django; django.setup(); from django.conf import settings as s; print(s.CONSENT_EXPIRY_WARNING_DAYS)"
    assert _django(code, PRODUCTION_ENV).stdout.strip().splitlines()[-1] == "30"
    assert _django(code, {**PRODUCTION_ENV, "CONSENT_EXPIRY_WARNING_DAYS": "45"}).stdout.strip() == "45"
    refused = _django(code, {**PRODUCTION_ENV, "CONSENT_EXPIRY_WARNING_DAYS": "0"})
    assert refused.returncode != 0
    assert "CONSENT_EXPIRY_WARNING_DAYS must be at least 1" in refused.stderr
