"""The notification and e-mail settings: parsed strictly, with defaults that work."""

import json

import pytest

from tests.resursrad.test_security import PRODUCTION_ENV, _django

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({'digest': str(s.NOTIFICATION_DIGEST_TIME), 'lease': s.NOTIFICATION_LEASE_MINUTES,"
    " 'attempts': s.NOTIFICATION_MAX_ATTEMPTS, 'site': s.SITE_URL, 'backend': s.EMAIL_BACKEND,"
    " 'timeout': getattr(s, 'EMAIL_TIMEOUT', None)}))"
)


def _values(env):  # type: ignore[no-untyped-def]
    result = _django(PRINT, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_in_production():
    assert _values(PRODUCTION_ENV) == {
        "digest": "07:00:00",
        "lease": 5,
        "attempts": 8,
        "site": "https://resursrad.example.se",
        "backend": "django.core.mail.backends.console.EmailBackend",
        "timeout": None,
    }


def test_development_links_point_at_the_local_server():
    assert _values({"DEBUG": "true", "PORT": "8123"})["site"] == "http://127.0.0.1:8123"


def test_smtp_settings_and_site_address_are_read():
    values = _values(
        {
            **PRODUCTION_ENV,
            "EMAIL_HOST": "smtp.example.se",
            "EMAIL_TIMEOUT_SECONDS": "20",
            "SITE_URL": "https://resursrad.exempel.se/",
            "NOTIFICATION_DIGEST_TIME": "6:30",
            "NOTIFICATION_LEASE_MINUTES": "10",
            "NOTIFICATION_MAX_ATTEMPTS": "3",
        }
    )
    assert values == {
        "digest": "06:30:00",
        "lease": 10,
        "attempts": 3,
        "site": "https://resursrad.exempel.se",
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "timeout": 20,
    }


@pytest.mark.parametrize(
    "env,variable",
    [
        ({"NOTIFICATION_DIGEST_TIME": "25:00"}, "NOTIFICATION_DIGEST_TIME"),
        ({"NOTIFICATION_DIGEST_TIME": "morgon"}, "NOTIFICATION_DIGEST_TIME"),
        ({"NOTIFICATION_LEASE_MINUTES": "0"}, "NOTIFICATION_LEASE_MINUTES"),
        ({"NOTIFICATION_MAX_ATTEMPTS": "0"}, "NOTIFICATION_MAX_ATTEMPTS"),
        ({"SITE_URL": "resursrad.example.se"}, "SITE_URL"),
        ({"EMAIL_HOST": "smtp.example.se", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_SSL"),
        ({"EMAIL_HOST": "smtp.example.se", "EMAIL_TIMEOUT_SECONDS": "0"}, "EMAIL_TIMEOUT_SECONDS"),
    ],
)
def test_a_malformed_notification_setting_stops_start_up_naming_it(env, variable):
    result = _django("import django; django.setup()", {**PRODUCTION_ENV, **env})
    assert result.returncode != 0
    assert variable in result.stderr.strip().splitlines()[-1]
