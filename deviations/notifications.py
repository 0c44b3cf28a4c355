"""The deviations' notifications, declared once (collected by resursrad.notifications.kinds).

A deviation is de-identified, and so are its notifications: they name the
deviation's number (in the ``case_number`` placeholder), a date and parties,
never what was written in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.notifications import REMINDER_TIME
from resursrad.models import Role, User
from resursrad.notifications.kinds import Kind
from resursrad.notifications.models import Notification
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


def _deviation_reference(deviation: Deviation) -> str:
    return deviation.number


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
    reference=_deviation_reference,
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
    reference=_deviation_reference,
    recipients=_reporter,
    audience=REPORTERS,
)


def _request_context(request: StatementRequest) -> dict[str, str]:
    return {"case_number": request.deviation.number, "date": request.due_on.isoformat()}


def _request_url(request: StatementRequest) -> str:
    return reverse("deviations:detail", args=[request.deviation_id])


def _request_reference(request: StatementRequest) -> str:
    return request.deviation.number


def _request_contacts(request: StatementRequest) -> Iterable[User]:
    return organisation_contacts(request.organisation_id)


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
    url=_request_url,
    reference=_request_reference,
    recipients=_request_contacts,
    audience=CONTACTS,
)

STATEMENT_GIVEN = Kind(
    name="deviations.statement_given",
    label=_("A party has given its statement on a deviation"),
    subject=_("Statement given on deviation %(case_number)s"),
    text=_("A party organisation has answered the request for a statement on deviation %(case_number)s."),
    context=_request_context,
    url=_request_url,
    reference=_request_reference,
    recipients=lambda request: _handler(request.deviation),
    audience=STEERING,
)


# --- reminders: a statement's deadline and the answer deadline, near and passed ----


def _answerers(deviation: Deviation) -> Iterable[User]:
    """The handler; while nobody has taken the deviation, every styrgrupp member."""
    return _handler(deviation) or steering_members(deviation)


@dataclass(frozen=True)
class _Deadline:
    """A date that reminders are sent about, and how they are filled, linked and addressed.

    Each deadline has two reminders (near and passed) that differ only in their texts.
    """

    context: Callable[[Any], dict[str, str]]
    url: Callable[[Any], str]
    reference: Callable[[Any], str]
    recipients: Callable[[Any], Iterable[User]]
    audience: frozenset[str]

    def reminder(self, name: str, label: Promise, subject: Promise, text: Promise) -> Kind:
        return Kind(
            name=name,
            label=label,
            subject=subject,
            text=text,
            context=self.context,
            url=self.url,
            reference=self.reference,
            recipients=self.recipients,
            audience=self.audience,
        )


# A statement's deadline: to the asked organisation's deviation contacts.
STATEMENT_DEADLINE = _Deadline(
    _request_context, _request_url, _request_reference, _request_contacts, CONTACTS
)
# The answer deadline: to the handler, or every styrgrupp member while nobody has taken it.
ANSWER_DEADLINE = _Deadline(_deviation_context, _deviation_url, _deviation_reference, _answerers, STEERING)

# Each reminder: its deadline, then its name, label, subject and text.
STATEMENT_DUE_SOON = STATEMENT_DEADLINE.reminder(
    "deviations.statement_due_soon",
    _("A statement your organisation was asked for is due soon"),
    _("The statement on deviation %(case_number)s is due on %(date)s"),
    _(
        "The steering group has asked your organisation for a statement on deviation %(case_number)s. "
        "Answer in Resursråd by %(date)s."
    ),
)
STATEMENT_OVERDUE = STATEMENT_DEADLINE.reminder(
    "deviations.statement_overdue",
    _("A statement your organisation was asked for is overdue"),
    _("The statement on deviation %(case_number)s was due on %(date)s"),
    _(
        "The steering group asked your organisation for a statement on deviation %(case_number)s "
        "by %(date)s, and it has not been given. Answer in Resursråd as soon as you can."
    ),
)
ANSWER_DUE_SOON = ANSWER_DEADLINE.reminder(
    "deviations.answer_due_soon",
    _("A deviation is to be answered soon"),
    _("Deviation %(case_number)s is to be answered by %(date)s"),
    _("The reporter of deviation %(case_number)s is to have feedback from the steering group by %(date)s."),
)
ANSWER_OVERDUE = ANSWER_DEADLINE.reminder(
    "deviations.answer_overdue",
    _("A deviation has not been answered in time"),
    _("Deviation %(case_number)s was to be answered by %(date)s"),
    _(
        "The reporter of deviation %(case_number)s was to have feedback from the steering group by %(date)s, "
        "and has not had it yet."
    ),
)

STATEMENT_REMINDERS = [STATEMENT_DUE_SOON.name, STATEMENT_OVERDUE.name]
ANSWER_REMINDERS = [ANSWER_DUE_SOON.name, ANSWER_OVERDUE.name]
REMINDER_KINDS = [*STATEMENT_REMINDERS, *ANSWER_REMINDERS]

KINDS = [
    REPORTED,
    STATEMENT_REQUESTED,
    STATEMENT_DUE_SOON,
    STATEMENT_OVERDUE,
    STATEMENT_GIVEN,
    ANSWER_DUE_SOON,
    ANSWER_OVERDUE,
    FEEDBACK_GIVEN,
]


# --- fixed due times: a repeated or missed run plans nothing twice -------------


def at_reminder_time(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME))


def due_soon_at(due_on: date) -> datetime:
    return at_reminder_time(due_on - timedelta(days=settings.DEVIATION_REMINDER_DAYS))


def overdue_at(due_on: date) -> datetime:
    return at_reminder_time(due_on + timedelta(days=1))


def notify_statement_due_soon(request: StatementRequest) -> None:
    notify(None, STATEMENT_DUE_SOON, request, due_at=due_soon_at(request.due_on))


def notify_statement_overdue(request: StatementRequest) -> None:
    notify(None, STATEMENT_OVERDUE, request, due_at=overdue_at(request.due_on))


def notify_answer_due_soon(deviation: Deviation) -> None:
    notify(None, ANSWER_DUE_SOON, deviation, due_at=due_soon_at(deviation.answer_due_on))


def notify_answer_overdue(deviation: Deviation) -> None:
    notify(None, ANSWER_OVERDUE, deviation, due_at=overdue_at(deviation.answer_due_on))


# --- hooks, called inside the step's transaction ---------------------------------


def after_report(deviation: Deviation) -> None:
    notify(None, REPORTED, deviation, actor=deviation.reported_by)


def after_transition(deviation: Deviation, transition: Transition, *, by: Any) -> None:
    from deviations.workflow import ANSWERED, Status

    for kind in transition.notifies:
        notify(None, kind, deviation, actor=by)
    reminders = Notification.objects.about(deviation).filter(kind__in=ANSWER_REMINDERS)
    if transition.target in ANSWERED:
        # The reporter has had the answer: nobody is reminded of it any more.
        reminders.cancel()
    elif deviation.handler_id:
        # The handler answers now: the reminders to the rest of the styrgrupp are not sent.
        reminders.exclude(recipient_id=deviation.handler_id).cancel()
    if transition.target == Status.CLOSED:
        Notification.objects.about(*deviation.statement_requests.all()).filter(
            kind__in=STATEMENT_REMINDERS
        ).cancel()


def after_statement_requested(request: StatementRequest) -> None:
    notify(None, STATEMENT_REQUESTED, request, actor=request.requested_by)


def after_statement_given(request: StatementRequest) -> None:
    notify(None, STATEMENT_GIVEN, request, actor=request.answered_by)
    Notification.objects.about(request).filter(kind__in=STATEMENT_REMINDERS).cancel()
