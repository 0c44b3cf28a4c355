"""The standard cast and the rules that make services mandatory in CI.

REQUIRE_POSTGRES, REQUIRE_BROKER and REQUIRE_BROWSER (set by .ci/run) turn a
missing PostgreSQL, Redis or Chromium into a failure instead of a skip.
"""

from __future__ import annotations

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the tests still
# touch the database synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.factories import CaseWorkerFactory, OrganisationFactory, UserFactory  # noqa: E402


def required(name: str) -> bool:
    return os.environ.get(name, "").lower() in {"1", "true", "yes"}


def _allow_log_truncate(sender, connection, **kwargs):  # type: ignore[no-untyped-def]
    """Let the test runner empty the access log between tests (the app never sets this)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET resursrad.allow_log_truncate = 'on'")


def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends.signals import connection_created

    connection_created.connect(_allow_log_truncate)
    if required("REQUIRE_POSTGRES"):
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql":
            raise pytest.UsageError(f"REQUIRE_POSTGRES is set but the database is {engine}.")


@pytest.fixture
def org_a(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Haninge kommun", party="kommun")


@pytest.fixture
def org_b(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="Arbetsförmedlingen Haninge", party="af")


@pytest.fixture
def case_worker(org_a):  # type: ignore[no-untyped-def]
    return CaseWorkerFactory(organisation=org_a, email="karin@haninge.test")


@pytest.fixture
def colleague(org_a):  # type: ignore[no-untyped-def]
    return CaseWorkerFactory(organisation=org_a, email="kollega@haninge.test")


@pytest.fixture
def other_case_worker(org_b):  # type: ignore[no-untyped-def]
    return CaseWorkerFactory(organisation=org_b, email="omar@af.test")


@pytest.fixture
def coordinator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="eva@forbund.test", is_coordinator=True)


@pytest.fixture
def council_member(db):  # type: ignore[no-untyped-def]
    region = OrganisationFactory(name="Region Stockholm", party="region")
    return UserFactory(email="lena@region.test", is_council_member=True, organisation=region)


@pytest.fixture
def steering_member(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="per@styrgrupp.test", is_steering_member=True)


@pytest.fixture
def administrator(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="ali@forbund.test", is_administrator=True)


@pytest.fixture
def cast(case_worker, other_case_worker, coordinator, council_member, steering_member, administrator):  # type: ignore[no-untyped-def]
    """Everyone in the standard cast, by role name."""
    return {
        "case_worker": case_worker,
        "other_case_worker": other_case_worker,
        "coordinator": coordinator,
        "council_member": council_member,
        "steering_member": steering_member,
        "administrator": administrator,
    }


@pytest.fixture(autouse=True, scope="session")
def _compiled_queries_checked():  # type: ignore[no-untyped-def]
    """Every query run from a compiled shape (resursrad.compiled) is built by the ORM as well,
    and a test fails unless the two send the same SQL with the same parameters."""
    from django.test import override_settings

    with override_settings(COMPILED_QUERIES_CHECK=True):
        yield


@pytest.fixture(autouse=True, scope="session")
def _fast_hasher_and_plain_static_files():  # type: ignore[no-untyped-def]
    """MD5 instead of Argon2 (fast tests) and static files without a collected manifest.

    The suite runs with DEBUG=false, whose static storage needs `collectstatic`.
    Factories hash their password once, under this override.
    """
    from django.test import override_settings

    with override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield
