from __future__ import annotations

from functools import lru_cache

import factory
from django.contrib.auth.hashers import make_password

from resursrad.models import Organisation, Party, User

TEST_PASSWORD = "korrekt-hast-batteri-42"


@lru_cache(maxsize=1)
def _test_password_hash() -> str:
    # Hash once per test session, not once per user (the tests use a fast hasher anyway).
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


# --- referrals: built through the real domain methods ---------------------

VALID_PNR = "19850312-2387"  # a valid test number (Luhn-correct)


def make_participant(**fields):
    from cases.models import Participant

    defaults = {
        "first_name": "Anna",
        "last_name": "Andersson",
        "personal_number": "198503122387",
        "birth_year": 1985,
        "sex": "kvinna",
    }
    defaults.update(fields)
    return Participant(**defaults)


def make_referral(by, *, participant=None, parties=None, **fields):
    """A draft referral created by the given case worker."""
    from cases.models import Referral

    values = {
        "tg_long_term_sick": True,
        "reason": "no_progress",
        "current_situation": "Sjukskriven sedan tre år.",
        "question_to_council": "Hur kommer hon vidare mot arbete?",
        "requested_parties": parties or [by.organisation.party],
    }
    values.update(fields)
    return Referral.create_draft(by=by, participant=participant or make_participant(), **values)


def give_consent(referral, by, party, *, given_on=None, valid_until=None):
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import Consent

    today = timezone.localdate()
    return Consent.register(
        referral=referral,
        by=by,
        party=party,
        categories=["health", "work"],
        given_on=given_on or today,
        method="signed",
        documented_by="",
        valid_until=valid_until or today + timedelta(days=365),
    )


def submitted_referral(by, **fields):
    referral = make_referral(by, **fields)
    for party in referral.requested_parties:
        give_consent(referral, by, party)
    referral.submit(by=by)
    return referral


# --- meetings: councils and meetings as plain rows, slots through the domain ---


def make_council(*, coordinators=(), members=(), **fields):
    """A council run by the given coordinators, with (user, party) members as ordinary members."""
    from meetings.models import Council, CouncilMember

    values = {
        "name": "Resursrådet Södertörn",
        "default_place": "Kommunhuset, rum 3",
        "municipalities": "Haninge",
    }
    values.update(fields)
    council, _created = Council.objects.get_or_create(name=values.pop("name"), defaults=values)
    council.coordinators.add(*coordinators)
    for user, party in members:
        CouncilMember.objects.get_or_create(council=council, user=user, defaults={"party": party})
    return council


def make_meeting(council, *, days_ahead=7, starts_at="09:00", ends_at="12:00", **fields):
    from datetime import time, timedelta

    from django.utils import timezone

    from meetings.models import Meeting

    values = {
        "council": council,
        "date": timezone.localdate() + timedelta(days=days_ahead),
        "starts_at": time.fromisoformat(starts_at),
        "ends_at": time.fromisoformat(ends_at),
        "place": council.default_place,
        "slot_minutes": council.slot_minutes,
        "break_minutes": council.break_minutes,
    }
    values.update(fields)
    return Meeting.objects.create(**values)


def accepted_referral(by, coordinator, **fields):
    referral = submitted_referral(by, **fields)
    referral.accept(by=coordinator)
    return referral


def scheduled_referral(by, coordinator, meeting=None, **fields):
    """An accepted referral placed on a coming meeting of a council the coordinator runs."""
    referral = accepted_referral(by, coordinator, **fields)
    meeting = meeting or make_meeting(make_council(coordinators=[coordinator]))
    meeting.place_case(referral, by=coordinator)
    referral.refresh_from_db()
    return referral


# --- deviations: reported and reviewed through the domain methods ---


def report_deviation(by, **fields):
    """A de-identified deviation reported by ``by`` (a case worker, coordinator or council member)."""
    from django.utils import timezone

    from deviations.models import Deviation

    values = {
        "category": "information",
        "description": "Läkarintyget nådde inte Försäkringskassan trots att regionen skickat det.",
        "parties": ["fk", "region"],
        "observed_on": timezone.localdate(),
        "consequence": "Ersättningen försenades i sex veckor.",
        "suggestion": "En gemensam rutin för överlämning av intyg.",
    }
    values.update(fields)
    return Deviation.objects.model.report(by=by, **values)
