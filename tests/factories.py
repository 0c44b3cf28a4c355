from __future__ import annotations

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password

from resursrad.models import Organisation, Party, User

TEST_PASSWORD = "korrekt-hast-batteri-42"


@lru_cache(maxsize=1)
def _test_password_hash() -> str:
    # Argon2 is slow on purpose: hash once per test session, not once per user.
    return make_password(TEST_PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    party = Party.KOMMUN


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@test.resursrad.se")
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    password = factory.LazyFunction(_test_password_hash)


class CaseWorkerFactory(UserFactory):
    organisation = factory.SubFactory(OrganisationFactory)
    is_case_worker = True
