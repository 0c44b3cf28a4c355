"""Demo cases that have run their course, across two tertials, so that follow-up shows real figures.

Each of the two periods (the previous tertial and the current one, or the
two before it early in a tertial) has seventeen cases of every referring
party and target group: met by the council, most followed up and closed,
some who did not come, a few still waiting for their follow-up, and, in the
older period, cases whose consent was withdrawn and whose personal data has
since been erased. The cases go through the real steps; afterwards their
times are moved back to the days the steps belong to. The council's
participants also answered the survey. The individuals are fictitious.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.demo import register_demo_consents
from cases.models import Consent, Participant, Referral, ReferralEvent
from followup.models_survey import SurveyLink
from meetings.demo import COUNCIL
from meetings.models import (
    AgendaItem,
    Attendance,
    Council,
    FollowUpStatus,
    ItemStatus,
    Meeting,
    MeetingStatus,
    Outcome,
    ParticipationMode,
    PartyPerspective,
    PlanItem,
    Record,
    Response,
)
from resursrad.models import AccessLog, Party, User

COORDINATOR = "samordnare@demo.resursrad.se"
# The referring case worker of each party (resursrad/demo.py).
CASE_WORKERS = {
    Party.KOMMUN: "handlaggare.kommun@demo.resursrad.se",
    Party.AF: "handlaggare.af@demo.resursrad.se",
    Party.FK: "handlaggare.fk@demo.resursrad.se",
    Party.REGION: "handlaggare.region@demo.resursrad.se",
}
CASES_PER_PERIOD = 17
# Sex of each case in a period: seven women, seven men, three not stated.
SEXES = ["kvinna", "man"] * 7 + ["ej_angivet"] * 3
FIRST_NAMES = {
    "kvinna": ["Alva", "Berit", "Cecilia", "Dina", "Elin", "Fatima", "Greta"],
    "man": ["Adam", "Bengt", "Carlos", "Dragan", "Erik", "Farid", "Gustav"],
    "ej_angivet": ["Kim", "Robin", "Alex"],
}
REFERRING = [Party.KOMMUN, Party.AF, Party.FK, Party.REGION]
TARGET_GROUPS = ["tg_long_term_sick", "tg_young_disability", "tg_young_activity_compensation", "tg_other"]
REASONS = ["no_progress", "unclear_coordination"]
OTHER_PARTIES = {
    Party.KOMMUN: [Party.AF, Party.FK],
    Party.AF: [Party.KOMMUN, Party.REGION],
    Party.FK: [Party.REGION, Party.AF],
    Party.REGION: [Party.FK, Party.KOMMUN],
}
PERSPECTIVES = {
    Party.KOMMUN: "Kommunen kan erbjuda stöd av en arbetskonsulent och hjälp med ekonomin.",
    Party.AF: "Arbetsförmedlingen kan ordna en arbetsträningsplats på deltid.",
    Party.FK: "Försäkringskassan ser över ersättningen under arbetsträningen.",
    Party.REGION: "Vården följer upp rehabiliteringen och förnyar läkarintyget.",
}
ANSWERS = ["follows", "follows", "partly", "does_not_follow"]
FOLLOW_UP_STATUSES = [
    FollowUpStatus.DONE,
    FollowUpStatus.DONE,
    FollowUpStatus.NOT_DONE,
    FollowUpStatus.UNDER_WAY,
]
SURVEY = [
    ("fully", "fully", "fully", "Det kändes bra att alla var där samtidigt."),
    ("fully", "partly", "fully", ""),
    ("partly", "partly", "fully", "Jag hade velat ha mer tid."),
    ("fully", "fully", "partly", ""),
    ("fully", "fully", "fully", "Äntligen en plan."),
    ("partly", "not", "dont_know", ""),
    ("fully", "partly", "partly", ""),
]


def tertial_start(day: date) -> date:
    """The first day of the tertial (January–April, May–August, September–December) the day is in."""
    return date(day.year, (day.month - 1) // 4 * 4 + 1, 1)


def periods(today: date) -> list[date]:
    """The first days of the two demo periods: the previous tertial and the current one.

    Early in a tertial, before its cases can have been followed up, the two before it instead.
    """
    current = tertial_start(today)
    previous = tertial_start(current - timedelta(days=1))
    if (today - current).days < 8 * 7:
        return [tertial_start(previous - timedelta(days=1)), previous]
    return [previous, current]


@dataclass
class Demo:
    council: Council
    coordinator: User
    case_workers: dict[str, User]
    today: date
    number: int = 0
    meetings: dict[date, Meeting] = field(default_factory=dict)


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _meeting(demo: Demo, day: date) -> Meeting:
    """The council's meeting that day; a long one, so that every case of the demo has its slot."""
    if day in demo.meetings:
        return demo.meetings[day]
    demo.meetings[day] = Meeting.objects.create(
        council=demo.council,
        date=day,
        starts_at=time(9, 0),
        ends_at=time(16, 0),
        place=demo.council.default_place,
        slot_minutes=demo.council.slot_minutes,
        break_minutes=demo.council.break_minutes,
    )
    return demo.meetings[day]


def _thursday(day: date) -> date:
    """The council's regular meetings are on Tuesdays (meetings/demo.py); these were extra Thursdays."""
    return day + timedelta(days=(3 - day.weekday()) % 7)


def _referral(demo: Demo, index: int, sex: str, start: date) -> Referral:
    party = REFERRING[index % len(REFERRING)]
    by = demo.case_workers[party]
    demo.number += 1
    first = FIRST_NAMES[sex][(index // 2) % len(FIRST_NAMES[sex])]
    parties = [party, *OTHER_PARTIES[party]][: 2 + index % 2]
    target_group: dict[str, Any] = {TARGET_GROUPS[index % len(TARGET_GROUPS)]: True}
    referral = Referral.create_draft(
        by=by,
        participant=Participant(
            first_name=first,
            last_name=f"Demosson {demo.number}",
            personal_number="",
            sex=sex,
            birth_year=1965 + (index * 3) % 38,
        ),
        reason=REASONS[index % 2],
        current_situation="Har stått utanför arbetsmarknaden länge och har kontakt med flera myndigheter.",
        question_to_council="Hur kan myndigheterna tillsammans stödja en väg mot arbete eller studier?",
        requested_parties=parties,
        **target_group,
    )
    given_on = start + timedelta(days=1)
    register_demo_consents(referral, by, parties, given_on=given_on, today=given_on)
    referral.submit(by=by, today=given_on)
    referral.accept(by=demo.coordinator)
    return referral


def _record(item: AgendaItem, demo: Demo, *, attended: bool, index: int, follow_up_on: date | None) -> Record:
    referral = item.referral
    record = Record.objects.create(
        item=item,
        individual_attended=attended,
        individual_participation=(ParticipationMode.REMOTE if index % 3 == 0 else ParticipationMode.ON_SITE)
        if attended
        else "",
        own_account=(
            "Jag vill komma tillbaka till arbete men orkar inte heltid än. Jag vill att ni pratar med varandra."
            if attended
            else ""
        ),
        recommendation=(
            "Gruppen rekommenderar arbetsträning på deltid med stöd, samordnad med vårdens rehabilitering."
            if attended
            else ""
        ),
        follow_up_on=follow_up_on,
        gap_note="Oklart vem som ansvarar för övergången till arbetsträning." if index % 4 == 0 else "",
        updated_by=demo.coordinator,
    )
    Attendance.objects.create(
        record=record, user=referral.handler, party=referral.organisation.party, present=True
    )
    if attended:
        PartyPerspective.objects.bulk_create(
            [
                PartyPerspective(record=record, party=code, note=PERSPECTIVES[code])
                for code in referral.requested_parties
            ]
        )
    item.status = ItemStatus.DONE
    item.save(update_fields=["status", "updated_at"])
    return record


def _finalise(record: Record, demo: Demo, outcome: str, day: date) -> None:
    Record.objects.filter(pk=record.pk).update(
        outcome=outcome, finalised_at=_at(day, 14), finalised_by=demo.coordinator
    )


def _plan(record: Record, referral: Referral, due: date) -> None:
    parties = referral.requested_parties
    PlanItem.objects.bulk_create(
        [
            PlanItem(
                record=record,
                position=1,
                activity="Arbetsträning tre timmar om dagen",
                goal="Pröva arbetsförmågan i en verklig arbetsmiljö",
                responsible_party=parties[1 % len(parties)],
                responsible_note="Handläggaren hos parten",
                due_on=due,
            ),
            PlanItem(
                record=record,
                position=2,
                activity="Samordnat samtal om ersättning och vård",
                responsible_party=parties[0],
                responsible_user=referral.handler,
                due_on=due - timedelta(days=7),
            ),
        ]
    )


def _responses(record: Record, referral: Referral, index: int, day: date) -> None:
    Response.objects.bulk_create(
        [
            Response(
                record=record,
                party=code,
                answer=ANSWERS[(index + n) % len(ANSWERS)],
                comment="Vi beviljar insatsen." if (index + n) % 3 == 0 else "",
                by=referral.handler,
                at=_at(day + timedelta(days=3)),
            )
            for n, code in enumerate(referral.requested_parties)
        ]
    )


def _place(meeting: Meeting, referral: Referral, demo: Demo) -> AgendaItem:
    item = meeting.place_case(referral, by=demo.coordinator, today=meeting.date)
    item.referral = referral
    return item


def _case(demo: Demo, index: int, start: date, older: bool) -> None:
    """One case of a period, from referral to where it stands today."""
    referral = _referral(demo, index, SEXES[index], start)
    first_day = _thursday(start) + timedelta(weeks=1 + index % 3)
    follow_day = first_day + timedelta(weeks=4)
    kind = index % 6
    meeting = _meeting(demo, first_day)
    item = _place(meeting, referral, demo)
    if kind == 0:
        # Did not come, and the case worker learnt the individual had moved: closed.
        record = _record(item, demo, attended=False, index=index, follow_up_on=None)
        _finalise(record, demo, Outcome.CLOSED, first_day)
        referral.perform(
            "close", by=demo.coordinator, comment="Individen kom inte och har flyttat.", today=first_day
        )
        _backdate(referral, start, [first_day])
        return
    record = _record(item, demo, attended=True, index=index, follow_up_on=follow_day)
    _plan(record, referral, follow_day - timedelta(days=3))
    _finalise(record, demo, Outcome.HELD, first_day)
    referral.perform("hold", by=demo.coordinator, today=first_day, fields={"follow_up_on": follow_day})
    _responses(record, referral, index, first_day)
    if kind == 1:
        # Met, the plan under way; the follow-up is still to come.
        coming = demo.today + timedelta(weeks=3)
        Referral.objects.filter(pk=referral.pk).update(follow_up_on=coming)
        Record.objects.filter(pk=record.pk).update(follow_up_on=coming)
        _backdate(referral, start, [first_day])
        return
    if kind == 2 and older:
        # The individual withdrew consent after the meeting; the data was erased on schedule.
        withdrawn = first_day + timedelta(days=10)
        referral.withdraw_all_consents(by=referral.handler, on=withdrawn, today=withdrawn)
        _backdate(referral, start, [first_day, withdrawn])
        referral.refresh_from_db()
        if referral.erasure_due_on is not None and referral.erasure_due_on <= demo.today:
            referral.erase_personal_data(now=_at(referral.erasure_due_on, 2))
        return
    referral.perform("start_follow_up", by=None, today=follow_day - timedelta(days=7))
    follow_meeting = _meeting(demo, follow_day)
    follow_item = _place(follow_meeting, referral, demo)
    attended = index % 5 != 3
    follow_record = _record(follow_item, demo, attended=attended, index=index, follow_up_on=None)
    for n, plan in enumerate(record.plan_items.all()):
        plan.follow_up_status = FOLLOW_UP_STATUSES[(index + n) % len(FOLLOW_UP_STATUSES)]
        plan.follow_up_comment = (
            "Påbörjad men avbruten av sjukdom." if plan.follow_up_status == "not_done" else ""
        )
        plan.save(update_fields=["follow_up_status", "follow_up_comment"])
    _finalise(follow_record, demo, Outcome.CLOSED, follow_day)
    reason = "Planen är genomförd." if attended else "Individen kom inte till uppföljningen och vill avsluta."
    referral.perform("close", by=demo.coordinator, comment=reason, today=follow_day)
    _backdate(referral, start, [first_day, follow_day - timedelta(days=7), follow_day])


def _backdate(referral: Referral, start: date, days: list[date]) -> None:
    """Move the case's times back to the days its steps belong to (the steps ran today).

    Creation, consent, submission and acceptance fall in the period's first
    week; each later step on the day it belongs to, in order.
    """
    given_on = start + timedelta(days=1)
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("pk"))
    early = [
        e
        for e in events
        if e.kind in ("created", "consent_registered") or e.to_status in ("submitted", "accepted")
    ]
    later = [e for e in events if e not in early]
    for n, event in enumerate(early):
        event.at = _at(given_on, 8) + timedelta(minutes=10 * n)
    # The later events follow the meeting days: a day per step, the last ones on the last day.
    for n, event in enumerate(later):
        day = days[min(n * len(days) // max(len(later), 1), len(days) - 1)]
        event.at = _at(day, 10 + n % 6)
    ReferralEvent.objects.bulk_update(events, ["at"])
    submitted = next((e.at for e in events if e.to_status == "submitted"), None)
    waiting = [e.at for e in events if e.to_status in ("accepted", "follow_up")]
    Referral.objects.filter(pk=referral.pk).update(
        created_at=_at(given_on, 8), submitted_at=submitted, updated_at=events[-1].at
    )
    Referral.objects.filter(pk=referral.pk, backlog_since__isnull=False).update(backlog_since=waiting[-1])
    Consent.objects.filter(referral=referral).update(registered_at=_at(given_on, 8) + timedelta(minutes=10))


def _survey(demo: Demo, month: date) -> int:
    """The participants' answers after the council's meetings of one month (at least five, so they show)."""
    for listened, plan, right, text in SURVEY:
        link = SurveyLink.objects.for_token(SurveyLink.issue(demo.council, month, today=month), today=month)
        assert link is not None
        link.answer(
            today=month + timedelta(days=5),
            listened_to=listened,
            plan_forward=plan,
            right_people=right,
            free_text=text,
        )
    return len(SURVEY) * 2


def _reads(demo: Demo) -> int:
    """Reads in the access log of the last weeks, for the log review's samples to show.

    The coordinator and the case workers read their cases in office hours;
    one case worker read a case their organisation takes no part in, late one
    evening: what the log review is for.
    """
    recent = list(
        Referral.objects.filter(participant__erased_at__isnull=True, agenda_items__isnull=False)
        .select_related("participant", "handler")
        .distinct()
        .order_by("-pk")[:8]
    )
    rows = []
    for n, referral in enumerate(recent):
        day = demo.today - timedelta(days=2 + 3 * n)
        for user, hour in ((demo.coordinator, 9), (referral.handler, 13)):
            rows.append((user, referral, _at(day, hour), "view"))
    outsider = demo.case_workers[Party.FK]
    strange = next((r for r in recent if Party.FK not in r.requested_parties), None)
    if strange is not None:
        rows.append((outsider, strange, _at(demo.today - timedelta(days=4), 21), "view"))
    AccessLog.objects.bulk_create(
        AccessLog(
            at=at,
            user=user,
            organisation_id=user.organisation_id,
            referral_id=referral.pk,
            participant_id=referral.participant_id,
            case_number=referral.case_number,
            subject_hash=referral.participant.number_hash,
            action=action,
        )
        for user, referral, at, action in rows
    )
    return len(rows)


@transaction.atomic
def load_demo_data(today: date | None = None) -> int:
    """Create the follow-up demo unless it exists (its survey answers mark it); returns rows created."""
    from followup.models_survey import SurveyAnswer

    council = Council.objects.filter(name=COUNCIL).first()
    if council is None or SurveyAnswer.objects.filter(council=council).exists():
        return 0
    today = today or timezone.localdate()
    demo = Demo(
        council=council,
        coordinator=User.objects.get(email=COORDINATOR),
        case_workers={party: User.objects.get(email=email) for party, email in CASE_WORKERS.items()},
        today=today,
        number=Referral.objects.count(),
    )
    created = 0
    for n, start in enumerate(periods(today)):
        for index in range(CASES_PER_PERIOD):
            _case(demo, index, start, older=n == 0)
        created += CASES_PER_PERIOD
    # Every slot is recorded: the meetings are closed.
    Meeting.objects.filter(pk__in=[m.pk for m in demo.meetings.values()]).update(status=MeetingStatus.CLOSED)
    created += len(demo.meetings)
    created += _survey(demo, periods(today)[1] + timedelta(days=31))
    created += _reads(demo)
    return created
