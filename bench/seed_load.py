"""Fill the load-test database with users and referrals (run by bench/run_load.py).

Creates the demo organisations (all four parties), LOAD_CASE_WORKERS case
workers spread over them, LOAD_COORDINATORS coordinators, and LOAD_REFERRALS
referrals in every open and closed state, all through the domain methods
(create_draft, Consent.register, submit, request_info, accept, ...), with their
creation dates spread over the last half year. Every load user gets the same
password: LOAD_PASSWORD, or a random one. The accounts and the password are
written to LOAD_ACCOUNTS (var/load/accounts.json, readable by the owner only)
for the locustfile.

Refuses to run on a database that already holds referrals: the load database is
made afresh for every run.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resursrad.settings")

from bench import fake_people  # noqa: E402

EMAIL_DOMAIN = "load.resursrad.test"
# The states the referrals end in, drawn with these weights (out of 20).
STATE_MIX = (
    ["draft"] * 4
    + ["submitted"] * 7
    + ["info_requested"] * 3
    + ["answered"] * 1
    + ["accepted"] * 3
    + ["declined"] * 1
    + ["closed"] * 1
)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    number = int(value)
    if number < 1:
        raise SystemExit(f"{name} must be at least 1.")
    return number


def seed(
    *, case_workers: int, coordinators: int, referrals: int, password: str, seed_value: int = 2026
) -> dict[str, Any]:
    """Create the users and referrals; returns the accounts for the locustfile."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Consent, Participant, Referral
    from resursrad.demo import ORGANISATIONS
    from resursrad.models import Organisation, User

    if Referral.objects.exists():
        raise SystemExit("The database already holds referrals: seed only a fresh load database.")
    rng = random.Random(seed_value)
    # One hash for every account: hashing the same password per user only costs time.
    password_hash = make_password(password)
    with transaction.atomic():
        organisations = [
            Organisation.objects.get_or_create(name=name, defaults={"party": party})[0]
            for name, party in ORGANISATIONS
        ]
        # Each case worker's organisation, and so their party, in turn.
        offices = [organisations[index % len(organisations)] for index in range(case_workers)]
        workers = User.objects.bulk_create(
            User(
                email=f"handlaggare{index + 1:03d}@{EMAIL_DOMAIN}",
                first_name=fake_people.FIRST_NAMES[index % len(fake_people.FIRST_NAMES)],
                last_name="Handläggare",
                organisation=offices[index],
                is_case_worker=True,
                password=password_hash,
            )
            for index in range(case_workers)
        )
        deciders = User.objects.bulk_create(
            User(
                email=f"samordnare{index + 1:03d}@{EMAIL_DOMAIN}",
                first_name=fake_people.FIRST_NAMES[index % len(fake_people.FIRST_NAMES)],
                last_name="Samordnare",
                is_coordinator=True,
                password=password_hash,
            )
            for index in range(coordinators)
        )
        today = timezone.localdate()
        now = timezone.now()
        states: Counter[str] = Counter()
        dates = []
        for index in range(referrals):
            by = workers[index % len(workers)]
            own = offices[index % len(workers)].party
            others = [party for party in ("kommun", "region", "af", "fk") if party != own]
            parties = [own, *rng.sample(others, rng.randint(1, 2))]
            referral = Referral.create_draft(
                by=by, participant=Participant(**_participant(rng)), **_referral_fields(rng, parties)
            )
            state = rng.choice(STATE_MIX)
            states[state] += 1
            if state != "draft":
                for party in parties:
                    Consent.register(
                        referral=referral,
                        by=by,
                        party=party,
                        categories=["health", "work", "social"],
                        given_on=today,
                        method="signed",
                        documented_by="",
                        valid_until=today + timedelta(days=365),
                    )
                referral.submit(by=by)
            decider = deciders[index % len(deciders)]
            if state in ("info_requested", "answered"):
                referral.request_info(by=decider, question="Finns det en aktuell plan hos Försäkringskassan?")
            if state == "answered":
                referral.resubmit(by=by, answer="Ja, en plan för återgång i arbete finns sedan i våras.")
            if state == "accepted":
                referral.accept(by=decider)
            if state == "declined":
                referral.decline(by=decider, reason="Behovet kan mötas inom en enda myndighet.")
            if state == "closed":
                referral.close(by=by, reason="Personen har fått arbete och behöver inte rådet längre.")
            created = now - timedelta(days=rng.randint(1, 180), minutes=rng.randint(0, 600))
            dates.append((referral.pk, created, state != "draft"))
        # Spread the referrals over half a year, as a real list would be.
        for pk, created, submitted in dates:
            fields: dict[str, Any] = {"created_at": created}
            if submitted:
                fields["submitted_at"] = created + timedelta(days=rng.randint(0, 3))
            Referral.objects.filter(pk=pk).update(**fields)
    return {
        "password": password,
        "case_workers": [
            {"email": user.email, "party": office.party}
            for user, office in zip(workers, offices, strict=True)
        ],
        "coordinators": [{"email": user.email} for user in deciders],
        "search_names": fake_people.LAST_NAMES,
        "states": dict(states),
    }


def _participant(rng: random.Random) -> dict[str, Any]:
    """Most with a personal identity number, some without, a few with protected identity."""
    roll = rng.random()
    if roll < 0.05:
        return {"protected_identity": True, "pseudonym": f"Person {rng.randint(1, 999)}", "sex": "ej_angivet"}
    first_name, last_name = fake_people.name(rng)
    number = fake_people.personal_number(rng) if roll < 0.9 else ""
    return {
        "first_name": first_name,
        "last_name": last_name,
        "personal_number": number,
        "birth_year": int(number[:4]) if number else rng.randint(1960, 2004),
        # The second last digit is odd for men, even for women.
        "sex": ("man" if int(number[10]) % 2 else "kvinna") if number else rng.choice(["kvinna", "man"]),
        "phone": f"070-{rng.randint(1000000, 9999999)}",
    }


def _referral_fields(rng: random.Random, parties: list[str]) -> dict[str, Any]:
    return {
        "reason": rng.choice(["early_overview", "no_progress", "life_factors", "unclear_coordination"]),
        "current_situation": "Har varit sjukskriven länge och vill tillbaka till arbete, men vet inte var "
        "hen ska börja. Har kontakt med flera myndigheter som inte har en gemensam plan.",
        "parties_involved": "Försäkringskassan (sjukpenning), vårdcentralen, kommunens arbetsmarknadsenhet.",
        "tried_so_far": "Arbetsträning under tre månader, avbruten på grund av smärta.",
        "question_to_council": "Vilket samordnat stöd behövs för att kunna börja arbetsträna igen?",
        "requested_parties": parties,
        "tg_long_term_sick": rng.random() < 0.7,
        "tg_young_disability": rng.random() < 0.2,
        "tg_young_activity_compensation": rng.random() < 0.1,
        "tg_other": rng.random() < 0.05,
    }


def main() -> None:
    import django

    django.setup()
    password = os.environ.get("LOAD_PASSWORD") or secrets.token_urlsafe(18)
    accounts = seed(
        case_workers=_env_int("LOAD_CASE_WORKERS", 40),
        coordinators=_env_int("LOAD_COORDINATORS", 10),
        referrals=_env_int("LOAD_REFERRALS", 500),
        password=password,
    )
    path = Path(os.environ.get("LOAD_ACCOUNTS", "var/load/accounts.json"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # The password is a test password for a throwaway database, still not for others to read.
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as file:
        json.dump(accounts, file, indent=2)
    path.chmod(0o600)
    states = ", ".join(f"{state} {count}" for state, count in sorted(accounts["states"].items()))
    print(
        f"Seeded {len(accounts['case_workers'])} case workers, {len(accounts['coordinators'])} coordinators "
        f"and {sum(accounts['states'].values())} referrals ({states}); accounts in {path}."
    )


if __name__ == "__main__":
    main()
