"""A demo council and its meetings, so that a new user sees the whole meeting flow at once.

Resursrådet Södertörn with members of all four parties meets every other
Tuesday for the term. The next meeting has an agenda with two slots; the one
two weeks ago has been held, with its record finalised, a plan and a
follow-up date. The individuals are fictitious.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.demo import COORDINATOR, register_demo_consents
from cases.models import Participant, Referral
from meetings.models import (
    Attendance,
    Council,
    CouncilMember,
    ItemStatus,
    Meeting,
    MeetingStatus,
    ParticipationMode,
    PartyPerspective,
    PlanItem,
    Record,
)
from resursrad.models import Party, User

COUNCIL = "Resursrådet Södertörn"
CASE_WORKER_KOMMUN = "handlaggare.kommun@demo.resursrad.se"
CASE_WORKER_AF = "handlaggare.af@demo.resursrad.se"
MEMBERS = [
    ("rad.kommun@demo.resursrad.se", Party.KOMMUN),
    ("rad@demo.resursrad.se", Party.REGION),
    ("rad.af@demo.resursrad.se", Party.AF),
    ("rad.fk@demo.resursrad.se", Party.FK),
]
PEOPLE = [
    {
        "first_name": "Sju",
        "last_name": "Sjusdotter",
        "personal_number": "",
        "birth_year": 1988,
        "sex": "kvinna",
    },
    {"first_name": "Åtta", "last_name": "Åttasson", "personal_number": "", "birth_year": 1979, "sex": "man"},
    {
        "first_name": "Sexan",
        "last_name": "Sexdotter",
        "personal_number": "",
        "birth_year": 1995,
        "sex": "kvinna",
    },
]
TUESDAY = 1


def term_end(today: date) -> date:
    """The end of the current term (mid-June or mid-December); the next one's when it is nearly over."""
    end = date(today.year, 6, 15) if today.month <= 6 else date(today.year, 12, 15)
    if (end - today).days < 8 * 7:
        end = date(today.year, 12, 15) if end.month == 6 else date(today.year + 1, 6, 15)
    return end


def next_tuesday(today: date) -> date:
    return today + timedelta(days=(TUESDAY - today.weekday()) % 7 or 7)


def _accepted(
    by: User, coordinator: User, person: dict[str, Any], parties: list[str], **fields: Any
) -> Referral:
    """A referral through the real steps: draft, consent for every party (given two months ago), submitted, accepted."""
    values: dict[str, Any] = {
        "reason": "no_progress",
        "current_situation": "Har stått utanför arbetsmarknaden i flera år och har kontakt med flera myndigheter.",
        "question_to_council": "Hur kan myndigheterna tillsammans stödja en väg mot arbete?",
        "requested_parties": parties,
        "tg_long_term_sick": True,
    }
    values.update(fields)
    referral = Referral.create_draft(by=by, participant=Participant(**person), **values)
    register_demo_consents(referral, by, parties, given_on=timezone.localdate() - timedelta(days=60))
    referral.submit(by=by)
    referral.accept(by=coordinator)
    return referral


def _hold(meeting: Meeting, referral: Referral, coordinator: User, case_worker: User) -> int:
    """The meeting two weeks ago: the case met, its record written and finalised, the plan set."""
    item = meeting.place_case(referral, by=coordinator, today=meeting.date)
    follow_up_on = meeting.date + timedelta(weeks=8)
    record = Record.objects.create(
        item=item,
        individual_attended=True,
        individual_participation=ParticipationMode.ON_SITE,
        own_account=(
            "Jag vill arbeta men orkar inte heltid. Jag har fått olika besked från olika håll "
            "och vet inte vem jag ska vända mig till."
        ),
        recommendation=(
            "Gruppen rekommenderar en arbetsträning på deltid med stöd av Arbetsförmedlingen, "
            "samordnad med vårdens rehabilitering. Handläggaren på kommunen håller ihop planeringen."
        ),
        follow_up_on=follow_up_on,
        gap_note="Oklart vem som ansvarar för övergången från sjukskrivning till arbetsträning.",
        updated_by=coordinator,
        finalised_at=timezone.now(),
        finalised_by=coordinator,
    )
    people = [(case_worker, referral.organisation.party)] + [
        (representative.member.user, representative.member.party)
        for representative in item.representatives.select_related("member__user")
    ]
    Attendance.objects.bulk_create(
        [Attendance(record=record, user=user, party=party, present=True) for user, party in people]
    )
    notes = {
        Party.KOMMUN: "Kommunen kan erbjuda stöd av en arbetskonsulent.",
        Party.AF: "Arbetsförmedlingen kan ordna en arbetsträningsplats på deltid.",
        Party.FK: "Försäkringskassan ser över ersättningen under arbetsträningen.",
    }
    PartyPerspective.objects.bulk_create(
        [
            PartyPerspective(record=record, party=party, note=notes[party])
            for party in referral.requested_parties
        ]
    )
    PlanItem.objects.create(
        record=record,
        position=1,
        activity="Arbetsträning fyra timmar om dagen",
        goal="Pröva arbetsförmågan i en verklig arbetsmiljö",
        responsible_party=Party.AF,
        responsible_user=User.objects.get(email=CASE_WORKER_AF),
        due_on=meeting.date + timedelta(weeks=6),
    )
    PlanItem.objects.create(
        record=record,
        position=2,
        activity="Samordnat samtal om ersättning",
        responsible_party=Party.FK,
        responsible_note="Handläggaren på Försäkringskassan",
        due_on=meeting.date + timedelta(weeks=3),
    )
    item.status = ItemStatus.DONE
    item.save(update_fields=["status", "updated_at"])
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status", "updated_at"])
    referral.perform("hold", by=coordinator, fields={"follow_up_on": follow_up_on})
    return 2 + len(people) + len(referral.requested_parties) + 2


@transaction.atomic
def load_demo_data() -> int:
    """Create the demo council and its meetings unless it exists; returns rows created."""
    if Council.objects.filter(name=COUNCIL).exists():
        return 0
    coordinator = User.objects.get(email=COORDINATOR)
    kommun = User.objects.get(email=CASE_WORKER_KOMMUN)
    af = User.objects.get(email=CASE_WORKER_AF)
    council = Council.objects.create(
        name=COUNCIL, municipalities="Haninge, Nynäshamn", default_place="Haninge kommunhus, rum Utö"
    )
    council.coordinators.add(coordinator)
    CouncilMember.objects.bulk_create(
        [
            CouncilMember(council=council, user=User.objects.get(email=email), party=party)
            for email, party in MEMBERS
        ]
    )
    today = timezone.localdate()
    coming = next_tuesday(today)
    meetings = Meeting.create_series(
        council=council,
        first=coming - timedelta(weeks=2),
        last=term_end(today),
        every_weeks=2,
        starts_at=time(9, 0),
        ends_at=time(12, 0),
        remote_link="https://mote.example.se/resursradet-sodertorn",
    )
    held, upcoming = meetings[0], meetings[1]
    created = 1 + len(MEMBERS) + len(meetings)
    met = _accepted(kommun, coordinator, PEOPLE[0], [Party.KOMMUN, Party.AF, Party.FK])
    created += 1 + _hold(held, met, coordinator, kommun)
    first = _accepted(
        kommun, coordinator, PEOPLE[1], [Party.KOMMUN, Party.REGION], reason="unclear_coordination"
    )
    second = _accepted(
        af, coordinator, PEOPLE[2], [Party.AF, Party.KOMMUN, Party.FK], tg_long_term_sick=False, tg_other=True
    )
    for referral in (first, second):
        upcoming.place_case(referral, by=coordinator)
        created += 2
    # Sent, so that a council member who logs in finds it under "Mina dagordningar".
    upcoming.send_agenda(by=coordinator)
    return created
