"""Fictitious demo referrals in each state, so that a new installation shows something."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.models import Consent, Participant, Referral
from resursrad.demo import USERS
from resursrad.models import User

CASE_WORKER = USERS[0].email
COORDINATOR = "samordnare@demo.resursrad.se"

# Skatteverket's well-known test person; no real person has this number.
DEMO_PEOPLE = [
    {
        "first_name": "Tolvan",
        "last_name": "Tolvansson",
        "personal_number": "191212121212",
        "birth_year": 1912,
        "sex": "man",
    },
    {
        "first_name": "Elva",
        "last_name": "Elvasdotter",
        "personal_number": "",
        "birth_year": 1990,
        "sex": "kvinna",
    },
    {"first_name": "Nio", "last_name": "Niosson", "personal_number": "", "birth_year": 2001, "sex": "man"},
    {"protected_identity": True, "pseudonym": "Person A", "birth_year": 1996, "sex": "ej_angivet"},
]


def register_demo_consents(
    referral: Referral,
    by: User,
    parties: Iterable[str],
    *,
    given_on: date | None = None,
    today: date | None = None,
) -> None:
    """A signed consent for each party (health and work, a year from ``given_on``), registered by ``by``.

    ``given_on`` and ``today`` default to the current day; ``today`` is the
    day of the registration, as in ``Consent.register_many``.
    """
    given_on = given_on or timezone.localdate()
    Consent.register_many(
        referral=referral,
        by=by,
        today=today,
        rows=[
            {
                "party": party,
                "categories": ["health", "work"],
                "given_on": given_on,
                "method": "signed",
                "documented_by": by.get_full_name(),
                "record_reference": "Akt i verksamhetssystemet",
                "valid_until": given_on + timedelta(days=365),
            }
            for party in parties
        ],
    )


def _referral(
    by: User, person: dict[str, Any], parties: list[str], consent_for: list[str] | None = None, **fields: Any
) -> Referral:
    values: dict[str, Any] = {
        "reason": "no_progress",
        "current_situation": "Har varit sjukskriven länge och vill tillbaka till arbete, men vet inte var hen ska börja.",
        "question_to_council": "Vilket stöd behövs för att kunna börja arbetsträna?",
        "requested_parties": parties,
        "tg_long_term_sick": True,
    }
    values.update(fields)
    referral = Referral.create_draft(by=by, participant=Participant(**person), **values)
    register_demo_consents(referral, by, parties if consent_for is None else consent_for)
    return referral


@transaction.atomic
def load_demo_data() -> int:
    """Create the demo referrals unless there are referrals already; returns how many were made."""
    if Referral.objects.exists():
        return 0
    case_worker = User.objects.get(email=CASE_WORKER)
    coordinator = User.objects.get(email=COORDINATOR)
    # The draft still lacks the second party's consent.
    _referral(case_worker, DEMO_PEOPLE[0], ["kommun", "af"], consent_for=["kommun"])
    submitted = _referral(
        case_worker,
        DEMO_PEOPLE[1],
        ["kommun", "region", "fk"],
        tg_long_term_sick=False,
        tg_young_disability=True,
    )
    submitted.submit(by=case_worker)
    asked = _referral(case_worker, DEMO_PEOPLE[2], ["kommun", "af"])
    asked.submit(by=case_worker)
    asked.request_info(by=coordinator, question="Finns det en aktuell planering hos Arbetsförmedlingen?")
    accepted = _referral(case_worker, DEMO_PEOPLE[3], ["kommun", "fk"], reason="unclear_coordination")
    accepted.submit(by=case_worker)
    accepted.accept(by=coordinator)
    return 4
