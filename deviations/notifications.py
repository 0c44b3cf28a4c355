"""The deviations' notifications, declared once (collected by resursrad.notifications.kinds).

A deviation is de-identified, and so are its notifications: they name the
deviation's number (in the ``case_number`` placeholder), a date and parties,
never what was written in it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resursrad.models import Role, User
from resursrad.notifications.kinds import Kind
from resursrad.notifications.services import notify

if TYPE_CHECKING:
    from deviations.models import Deviation, StatementRequest
    from deviations.workflow import Transition

STEERING = frozenset({Role.STEERING_MEMBER})
REPORTERS = frozenset({Role.CASE_WORKER, Role.COORDINATOR, Role.COUNCIL_MEMBER})
# An organisation's deviation contacts: its avvikelsekontakt and its styrgrupp member.
CONTACTS = frozenset({Role.DEVIATION_CONTACT, Role.STEERING_MEMBER})


def _deviation_url(deviation: Deviation) -> str:
    return reverse("deviations:detail", args=[deviation.pk])


def _deviation_context(deviation: Deviation) -> dict[str, str]:
    return {
        "case_number": deviation.number,
        "date": deviation.answer_due_on.isoformat(),
        "parties": deviation.parties_display(),
    }


def steering_members(deviation: Any = None) -> Iterable[User]:
    return User.objects.filter(is_steering_member=True, is_active=True)


def _handler(deviation: Deviation) -> list[User]:
    return [deviation.handler] if deviation.handler else []


def _reporter(deviation: Deviation) -> list[User]:
    return [deviation.reported_by]


REPORTED = Kind(
    name="deviations.reported",
    label=_("A new deviation has been reported"),
    subject=_("New deviation %(case_number)s"),
    text=_(
        "Deviation %(case_number)s has been reported. Parties concerned: %(parties)s. "
        "The reporter is to be answered by %(date)s."
    ),
    context=_deviation_context,
    url=_deviation_url,
    reference=lambda deviation: deviation.number,
    recipients=steering_members,
    audience=STEERING,
)

FEEDBACK_GIVEN = Kind(
    name="deviations.feedback_given",
    label=_("The steering group has answered your deviation"),
    subject=_("Feedback on deviation %(case_number)s"),
    text=_(
        "The steering group has given feedback on deviation %(case_number)s that you reported. Read it in Resursråd."
    ),
    context=_deviation_context,
    url=_deviation_url,
    reference=lambda deviation: deviation.number,
    recipients=_reporter,
    audience=REPORTERS,
)


def _request_context(request: StatementRequest) -> dict[str, str]:
    return {"case_number": request.deviation.number, "date": request.due_on.isoformat()}


def organisation_contacts(organisation_id: int) -> Iterable[User]:
    """The organisation's deviation contacts: its avvikelsekontakt and its styrgrupp member."""
    from django.db.models import Q

    return User.objects.filter(organisation_id=organisation_id, is_active=True).filter(
        Q(is_deviation_contact=True) | Q(is_steering_member=True)
    )


STATEMENT_REQUESTED = Kind(
    name="deviations.statement_requested",
    label=_("The steering group asks your organisation for a statement"),
    subject=_("Statement requested on deviation %(case_number)s by %(date)s"),
    text=_(
        "The steering group asks your organisation for a statement on deviation %(case_number)s. "
        "Answer in Resursråd by %(date)s."
    ),
    context=_request_context,
    url=lambda request: reverse("deviations:detail", args=[request.deviation_id]),
    reference=lambda request: request.deviation.number,
    recipients=lambda request: organisation_contacts(request.organisation_id),
    audience=CONTACTS,
)

STATEMENT_GIVEN = Kind(
    name="deviations.statement_given",
    label=_("A party has given its statement on a deviation"),
    subject=_("Statement given on deviation %(case_number)s"),
    text=_("A party organisation has answered the request for a statement on deviation %(case_number)s."),
    context=_request_context,
    url=lambda request: reverse("deviations:detail", args=[request.deviation_id]),
    reference=lambda request: request.deviation.number,
    recipients=lambda request: _handler(request.deviation),
    audience=STEERING,
)

KINDS = [REPORTED, STATEMENT_REQUESTED, STATEMENT_GIVEN, FEEDBACK_GIVEN]


# --- hooks, called inside the step's transaction ---------------------------------


def after_report(deviation: Deviation) -> None:
    notify(None, REPORTED, deviation, actor=deviation.reported_by)


def after_transition(deviation: Deviation, transition: Transition, *, by: Any) -> None:
    for kind in transition.notifies:
        notify(None, kind, deviation, actor=by)


def after_statement_requested(request: StatementRequest) -> None:
    notify(None, STATEMENT_REQUESTED, request, actor=request.requested_by)


def after_statement_given(request: StatementRequest) -> None:
    notify(None, STATEMENT_GIVEN, request, actor=request.answered_by)
