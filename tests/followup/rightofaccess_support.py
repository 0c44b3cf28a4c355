"""A case met by the council, with a finalised record, an earlier version, a plan and a response."""

from __future__ import annotations

from meetings.models import AgendaItem, Outcome, Record
from tests.meetings.run_support import draft, plan_row, slot

OWN_ACCOUNT = "Jag vill börja arbetsträna men orkar bara några timmar om dagen."
FIRST_ACCOUNT = "Första utkastet av min berättelse."
RECOMMENDATION = "Arbetsträning på deltid, samordnad med vårdens rehabilitering."
PERSPECTIVE = "Kommunen erbjuder en arbetskonsulent."
ACTIVITY = "Arbetsträning tre timmar om dagen"
RESPONSE_COMMENT = "Vi beviljar arbetskonsulenten från maj."


def met_case(case_worker, coordinator, council_member, **fields) -> AgendaItem:  # type: ignore[no-untyped-def]
    """The case's slot on today's meeting, recorded twice (one earlier version), finalised and answered."""
    item = slot(case_worker, coordinator, council_member, **fields)
    draft(item, coordinator, own_account=FIRST_ACCOUNT)
    draft(
        item,
        coordinator,
        own_account=OWN_ACCOUNT,
        recommendation=RECOMMENDATION,
        perspectives={"kommun": PERSPECTIVE},
        plan=[plan_row(activity=ACTIVITY)],
    )
    record = Record.objects.get(item=item)
    record.item = item
    record.finalise(by=coordinator, outcome=Outcome.HELD)
    record.respond(party="kommun", answer="follows", comment=RESPONSE_COMMENT, by=case_worker)
    return AgendaItem.objects.select_related("referral__participant").get(pk=item.pk)
