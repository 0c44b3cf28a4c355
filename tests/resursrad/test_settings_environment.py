"""The environment the test suite runs in, set before pytest-django reads the settings.

Loaded as a plugin (``-p`` in pyproject's addopts) because pytest-django
imports the settings before any conftest.py: a conftest cannot set them.
The suite runs in production mode (DEBUG=false) with test values; variables
already in the environment (Makefile, .ci/run, a developer) win.
"""

from __future__ import annotations

import os

TEST_ENVIRONMENT = {
    "DEBUG": "false",
    "SECRET_KEY": "test-only-secret-key-never-used-outside-the-test-suite-0123456789",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "PERSONAL_NUMBER_HASH_KEY": "test-only-hash-key-0123456789abcdef",
    "FEDERATION_NAME": "Samordningsförbundet Test",
    "CONTROLLER_NAME": "Testkommunen",
    # The test client and the live server speak plain HTTP.
    "SECURE_SSL_REDIRECT": "false",
}

for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)


def test_the_suite_runs_with_debug_off():
    from django.conf import settings

    assert os.environ["DEBUG"].lower() in {"false", "0", "no", "off"}
    assert settings.FEDERATION_NAME
    assert settings.SESSION_COOKIE_SECURE is True
