"""Demo deviations in every state, over several quarters, so the styrgrupp's pages show something after `make run`.

The texts are de-identified, as every report must be: what happened, never
who. They go through the real steps (report, take, ask for a statement,
answer, decide, give feedback, close), then their dates are moved back to
spread them over the last five quarters. Försäkringskassan's council member
is the organisation's deviation contact and answers its statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from deviations.models import Deviation, DeviationEvent, StatementRequest
from deviations.workflow import Category, Status
from resursrad.models import Organisation, Party, User

HANDLER = "styrgrupp@demo.resursrad.se"
# Försäkringskassan's avvikelsekontakt (its label in resursrad/demo.py says so).
CONTACT = "rad.fk@demo.resursrad.se"
CONTACT_ORGANISATION = "Försäkringskassan Södertörn"

STEPS = [
    Status.REPORTED,
    Status.RECEIVED,
    Status.INVESTIGATING,
    Status.DECIDED,
    Status.FEEDBACK_GIVEN,
    Status.CLOSED,
]


@dataclass(frozen=True)
class DemoDeviation:
    reporter: str
    days_ago: int
    category: str
    parties: list[str]
    description: str
    consequence: str
    suggestion: str
    # How far the review has come.
    status: str
    # Ask Försäkringskassan for a statement (answered unless the deviation waits for it):
    # the only way to "under investigation".
    ask_fk: bool = False
    decision: str = ""
    responsible_party: str = ""
    feedback: str = ""
    system_fault: bool = False
    related_to: list[int] = field(default_factory=list)


DEMOS = [
    DemoDeviation(
        "samordnare@demo.resursrad.se",
        400,
        Category.INFORMATION,
        [Party.FK, Party.REGION],
        "Ett läkarintyg som regionen skickat nådde inte Försäkringskassan, och ingen av parterna märkte det.",
        "Ersättningen försenades i sex veckor.",
        "En gemensam kvittens när intyg lämnas över.",
        Status.CLOSED,
        ask_fk=True,
        decision="Regionen och Försäkringskassan inför kvittens på elektroniskt överlämnade intyg.",
        responsible_party=Party.REGION,
        feedback="Kvittens på intyg är infört sedan förra kvartalet. Tack för rapporten.",
    ),
    DemoDeviation(
        "handlaggare.kommun@demo.resursrad.se",
        330,
        Category.GOING_ROUND,
        [Party.KOMMUN, Party.AF],
        "En deltagare hänvisades fram och tillbaka mellan försörjningsstöd och Arbetsförmedlingen "
        "om vem som skulle bekosta en utbildningsinsats.",
        "Insatsen kom inte i gång på tre månader.",
        "Ett gemensamt beslutsstöd för vem som bekostar kortare utbildningar.",
        Status.FEEDBACK_GIVEN,
        decision="Kommunen och Arbetsförmedlingen skriver en gemensam vägledning om kostnadsansvar.",
        responsible_party=Party.KOMMUN,
        feedback="En vägledning tas fram och presenteras för resursrådet i vår.",
        system_fault=True,
    ),
    DemoDeviation(
        "handlaggare.af@demo.resursrad.se",
        260,
        Category.GOING_ROUND,
        [Party.AF, Party.KOMMUN],
        "Samma fråga om kostnadsansvar för en utbildning uppstod igen mellan kommunen och Arbetsförmedlingen.",
        "Deltagaren fick vänta på besked i två månader.",
        "",
        Status.DECIDED,
        decision="Följs upp tillsammans med den tidigare avvikelsen om kostnadsansvar.",
        responsible_party=Party.AF,
        system_fault=True,
        related_to=[1],
    ),
    DemoDeviation(
        "handlaggare.region@demo.resursrad.se",
        200,
        Category.WAITING,
        [Party.REGION],
        "Väntetiden till en utredning inom psykiatrin var längre än ett halvår, vilket stoppade planeringen.",
        "Planen mot arbete sköts upp.",
        "Besked om väntetid redan vid remissen, så att andra insatser kan planeras under tiden.",
        Status.FEEDBACK_GIVEN,
        decision="Regionen lämnar besked om väntetid i remissvaret.",
        responsible_party=Party.REGION,
        feedback="Regionen har ändrat sina remissvar: väntetiden står nu med.",
    ),
    DemoDeviation(
        "handlaggare.fk@demo.resursrad.se",
        150,
        Category.RULES_CONFLICT,
        [Party.FK, Party.KOMMUN],
        "Regler om aktivitetskrav hos kommunen krockade med en pågående sjukskrivning hos Försäkringskassan.",
        "Deltagaren fick motstridiga besked från två myndigheter.",
        "En gemensam genomgång av hur kraven samordnas vid sjukskrivning.",
        Status.DECIDED,
        ask_fk=True,
        decision="Kommunen och Försäkringskassan håller en gemensam genomgång av aktivitetskrav.",
        responsible_party=Party.FK,
    ),
    DemoDeviation(
        "rad@demo.resursrad.se",
        110,
        Category.RESPONSIBILITY,
        [Party.FK, Party.REGION, Party.KOMMUN],
        "Det var oklart vem som skulle samordna rehabiliteringen när tre parter hade insatser samtidigt.",
        "Ingen tog initiativ till ett gemensamt möte på två månader.",
        "Utse en samordnande part redan vid första resursrådsmötet.",
        Status.INVESTIGATING,
        ask_fk=True,
    ),
    DemoDeviation(
        "samordnare@demo.resursrad.se",
        80,
        Category.MISSING_INSATS,
        [Party.AF],
        "Det saknas en arbetsförberedande insats för personer med lång tid utanför arbetsmarknaden i kommunens västra del.",
        "Deltagare får resa långt eller avstå.",
        "",
        Status.RECEIVED,
    ),
    DemoDeviation(
        "handlaggare.kommun@demo.resursrad.se",
        40,
        Category.INFORMATION,
        [Party.KOMMUN, Party.REGION],
        "En vårdplan skickades inte vidare till socialtjänsten trots samtycke.",
        "Ett möte fick ställas in.",
        "Påminnelse i vårdens rutin när samtycke finns.",
        Status.RECEIVED,
    ),
    DemoDeviation(
        "handlaggare.af@demo.resursrad.se",
        12,
        Category.OTHER,
        [Party.AF, Party.FK],
        "Kallelser till ett gemensamt möte gick ut med fel adress till mötesrummet.",
        "Två parter kom till fel plats.",
        "",
        Status.REPORTED,
    ),
    DemoDeviation(
        "handlaggare.fk@demo.resursrad.se",
        3,
        Category.WAITING,
        [Party.FK, Party.AF],
        "Beslut om ersättning och start av en insats väntade på varandra i fyra veckor.",
        "",
        "",
        Status.REPORTED,
    ),
]


def _reach(deviation: Deviation, demo: DemoDeviation, handler: User, contact: User | None) -> None:
    """Take the real steps up to the demo's status."""
    target = STEPS.index(Status(demo.status))
    if target >= STEPS.index(Status.RECEIVED):
        deviation.take(by=handler)
    if target >= STEPS.index(Status.INVESTIGATING) and demo.ask_fk and contact is not None:
        [request] = deviation.request_statements(
            by=handler,
            organisations=[Organisation.objects.get(name=CONTACT_ORGANISATION)],
            question="Hur ser Försäkringskassans rutin ut i sådana fall, och vad kan ändras?",
            due_on=timezone.localdate() + timedelta(days=21),
        )
        if demo.status != Status.INVESTIGATING:
            request.give_answer(
                by=contact, answer="Rutinen ses över tillsammans med de andra parterna under kvartalet."
            )
    if target >= STEPS.index(Status.RECEIVED):
        deviation.add_comment(by=handler, comment="Tas upp på nästa styrgruppsmöte.")
    if target >= STEPS.index(Status.DECIDED):
        deviation.decide(
            by=handler,
            decision=demo.decision,
            responsible_party=demo.responsible_party,
            due_on=timezone.localdate() + timedelta(days=30),
        )
    if target >= STEPS.index(Status.FEEDBACK_GIVEN):
        deviation.give_feedback(by=handler, feedback=demo.feedback)
    if target >= STEPS.index(Status.CLOSED):
        deviation.close(by=handler)


def _move_back(deviation: Deviation, days: int) -> None:
    """Date the deviation and its history ``days`` back, each step a few days after the one before."""
    shift = timedelta(days=days)
    deviation.refresh_from_db()
    reported = deviation.reported_at - shift
    changes: dict[str, Any] = {
        "reported_at": reported,
        "answer_due_on": timezone.localdate(reported) + timedelta(days=60),
    }
    for offset, name in enumerate(["received_at", "decided_at", "feedback_at", "closed_at"], start=1):
        if getattr(deviation, name) is not None:
            changes[name] = reported + timedelta(days=min(8 * offset, max(days - 1, 0)))
    if deviation.action_due_on is not None:
        changes["action_due_on"] = timezone.localdate(changes["decided_at"]) + timedelta(days=60)
    changes["updated_at"] = max(value for key, value in changes.items() if key.endswith("_at"))
    Deviation.objects.filter(pk=deviation.pk).update(**changes)
    for index, event in enumerate(DeviationEvent.objects.filter(deviation=deviation).order_by("pk")):
        DeviationEvent.objects.filter(pk=event.pk).update(at=reported + timedelta(days=min(4 * index, days)))
    for request in StatementRequest.objects.filter(deviation=deviation):
        asked = reported + timedelta(days=min(10, days))
        StatementRequest.objects.filter(pk=request.pk).update(
            requested_at=asked,
            due_on=timezone.localdate(asked) + timedelta(days=21),
            answered_at=asked + timedelta(days=7) if request.answered_at else None,
        )


@transaction.atomic
def load_demo_data() -> int:
    """Report the demo deviations that do not exist yet; returns rows created (none the second time)."""
    handler = User.objects.get(email=HANDLER)
    created = 0
    contact = User.objects.filter(email=CONTACT).first()
    if contact is not None and not contact.is_deviation_contact:
        contact.is_deviation_contact = True
        contact.save(update_fields=["is_deviation_contact"])
        created += 1
    made: dict[int, Deviation] = {}
    for index, demo in enumerate(DEMOS):
        existing = Deviation.objects.filter(description=demo.description).first()
        if existing is not None:
            made[index] = existing
            continue
        deviation = Deviation.report(
            by=User.objects.get(email=demo.reporter),
            category=demo.category,
            description=demo.description,
            parties=list(demo.parties),
            observed_on=timezone.localdate(),
            consequence=demo.consequence,
            suggestion=demo.suggestion,
        )
        _reach(deviation, demo, handler, contact)
        if demo.system_fault:
            deviation.mark_system_fault(
                by=handler, is_fault=True, related=[made[other] for other in demo.related_to if other in made]
            )
        _move_back(deviation, demo.days_ago)
        Deviation.objects.filter(pk=deviation.pk).update(
            observed_on=timezone.localdate() - timedelta(days=demo.days_ago + 2)
        )
        made[index] = deviation
        created += 1
    return created
