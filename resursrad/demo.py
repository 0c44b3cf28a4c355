"""The demo förbund: organisations of all four parties and a user in every role."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from resursrad.models import Organisation, Party, User

DEMO_PASSWORD = "Resursrad-demo-2026"

ORGANISATIONS = [
    ("Haninge kommun", Party.KOMMUN),
    ("Nynäshamns kommun", Party.KOMMUN),
    ("Region Stockholm", Party.REGION),
    ("Arbetsförmedlingen Haninge", Party.AF),
    ("Försäkringskassan Södertörn", Party.FK),
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    first_name: str
    last_name: str
    organisation: str | None
    role_label: str
    roles: dict[str, bool] = field(default_factory=dict)


USERS = [
    DemoUser(
        "handlaggare.kommun@demo.resursrad.se",
        "Karin",
        "Lind",
        "Haninge kommun",
        "Handläggare (kommun)",
        {"is_case_worker": True},
    ),
    DemoUser(
        "handlaggare.af@demo.resursrad.se",
        "Omar",
        "Haddad",
        "Arbetsförmedlingen Haninge",
        "Handläggare (Arbetsförmedlingen)",
        {"is_case_worker": True},
    ),
    DemoUser(
        "handlaggare.fk@demo.resursrad.se",
        "Sara",
        "Nilsson",
        "Försäkringskassan Södertörn",
        "Handläggare (Försäkringskassan)",
        {"is_case_worker": True},
    ),
    DemoUser(
        "handlaggare.region@demo.resursrad.se",
        "Johan",
        "Berg",
        "Region Stockholm",
        "Handläggare (region)",
        {"is_case_worker": True},
    ),
    DemoUser("samordnare@demo.resursrad.se", "Eva", "Holm", None, "Samordnare", {"is_coordinator": True}),
    DemoUser(
        "rad@demo.resursrad.se",
        "Lena",
        "Ek",
        "Region Stockholm",
        "Rådsrepresentant (region)",
        {"is_council_member": True},
    ),
    # The council's other members, one per party (meetings/demo.py seats them).
    DemoUser(
        "rad.kommun@demo.resursrad.se",
        "Maria",
        "Strand",
        "Haninge kommun",
        "Rådsrepresentant (kommun)",
        {"is_council_member": True},
    ),
    DemoUser(
        "rad.af@demo.resursrad.se",
        "Ahmed",
        "Karimi",
        "Arbetsförmedlingen Haninge",
        "Rådsrepresentant (Arbetsförmedlingen)",
        {"is_council_member": True},
    ),
    DemoUser(
        "rad.fk@demo.resursrad.se",
        "Ingrid",
        "Dahl",
        "Försäkringskassan Södertörn",
        "Rådsrepresentant (Försäkringskassan), avvikelsekontakt",
        {"is_council_member": True},
    ),
    DemoUser(
        "styrgrupp@demo.resursrad.se",
        "Per",
        "Sandberg",
        "Haninge kommun",
        "Styrgruppsledamot",
        {"is_steering_member": True},
    ),
    DemoUser("admin@demo.resursrad.se", "Ali", "Yilmaz", None, "Administratör", {"is_administrator": True}),
    DemoUser(
        "loggkontroll@demo.resursrad.se", "Greta", "Ståhl", None, "Loggranskare", {"is_log_reviewer": True}
    ),
]


@transaction.atomic
def load_demo_data() -> int:
    """Create what is missing; running it again changes nothing. Returns rows created."""
    created = 0
    organisations = {}
    for name, party in ORGANISATIONS:
        organisation, was_created = Organisation.objects.get_or_create(name=name, defaults={"party": party})
        organisations[name] = organisation
        created += was_created
    for demo in USERS:
        if User.objects.filter(email__iexact=demo.email).exists():
            continue
        User.objects.create_user(
            demo.email,
            DEMO_PASSWORD,
            first_name=demo.first_name,
            last_name=demo.last_name,
            organisation=organisations[demo.organisation] if demo.organisation else None,
            **demo.roles,
        )
        created += 1
    return created
