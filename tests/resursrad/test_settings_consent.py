"""CONSENT_DEFAULT_VALIDITY_MONTHS: the validity the consent form suggests."""

from tests.resursrad.test_security import PRODUCTION_ENV, _django

PRINT = "import django; django.setup(); from django.conf import settings; print(settings.CONSENT_DEFAULT_VALIDITY_MONTHS)"


def test_the_default_validity_is_twelve_months():
    result = _django(PRINT, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "12"


def test_the_default_validity_is_configurable():
    result = _django(PRINT, {**PRODUCTION_ENV, "CONSENT_DEFAULT_VALIDITY_MONTHS": "6"})
    assert result.stdout.strip().splitlines()[-1] == "6"


def test_a_validity_of_zero_months_is_refused():
    result = _django(PRINT, {**PRODUCTION_ENV, "CONSENT_DEFAULT_VALIDITY_MONTHS": "0"})
    assert result.returncode != 0
    assert "CONSENT_DEFAULT_VALIDITY_MONTHS must be at least 1" in result.stderr
