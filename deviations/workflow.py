"""The deviation workflow, declared once: its states and every move between them.

rapporterad → mottagen → under utredning → åtgärd beslutad → återkopplad → avslutad.
The views, the buttons on a deviation's page, the history and the notifications
follow from this table; ``Deviation.perform`` takes a step under a row lock.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from deviations.models import Deviation
    from resursrad.models import User


class DeviationError(Exception):
    """A refused change; the message can be shown to the user.

    ``field`` names the form field the message belongs beside, if any;
    ``errors`` holds one message per field when several fields are refused.
    """

    def __init__(self, message: Any, field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.errors = errors or ({field: str(message)} if field else {})


class Status(models.TextChoices):
    REPORTED = "reported", _("Reported")
    RECEIVED = "received", _("Received")
    INVESTIGATING = "investigating", _("Under investigation")
    DECIDED = "decided", _("Action decided")
    FEEDBACK_GIVEN = "feedback_given", _("Feedback given")
    CLOSED = "closed", _("Closed")


# The reporter has had their answer once the deviation reaches these states.
ANSWERED = frozenset({Status.FEEDBACK_GIVEN, Status.CLOSED})
OPEN = frozenset(Status.values) - {Status.CLOSED}


class Category(models.TextChoices):
    INFORMATION = "information", _("Information did not reach the other party")
    RESPONSIBILITY = "responsibility", _("Unclear responsibility between parties")
    RULES_CONFLICT = "rules_conflict", _("Two parties' rules conflict")
    WAITING = "waiting", _("Waiting time")
    GOING_ROUND = "going_round", _("Going round between the authorities (rundgång)")
    MISSING_INSATS = "missing_insats", _("An insats is missing")
    OTHER = "other", _("Other")


class Actor(enum.Enum):
    """Who takes a step: read by deviations.permissions.may_perform."""

    STEERING_MEMBER = "steering_member"
    HANDLER = "handler"


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    actor: Actor
    label: str | Promise
    done: str | Promise
    # The text the step needs (decision, feedback), if any: the form's field.
    text_field: str = ""
    text_label: str | Promise = ""
    text_missing: str | Promise = ""
    # Further fields the step sets, from the locked row, the user and today.
    changes: Callable[[Deviation, User, date], dict[str, Any]] | None = None
    style: str = "primary"
    hint: str | Promise = ""
    # Notification kinds sent after the step (deviations/notifications.py).
    notifies: tuple[str, ...] = field(default_factory=tuple)


def _take(deviation: Deviation, by: User, today: date) -> dict[str, Any]:
    from django.utils import timezone

    return {"handler": by, "received_at": timezone.now()}


def _decided(deviation: Deviation, by: User, today: date) -> dict[str, Any]:
    from django.utils import timezone

    return {"decided_at": timezone.now()}


def _feedback(deviation: Deviation, by: User, today: date) -> dict[str, Any]:
    from django.utils import timezone

    return {"feedback_at": timezone.now()}


def _closed(deviation: Deviation, by: User, today: date) -> dict[str, Any]:
    from django.utils import timezone

    return {"closed_at": timezone.now()}


TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in [
        Transition(
            name="take",
            sources=frozenset({Status.REPORTED}),
            target=Status.RECEIVED,
            actor=Actor.STEERING_MEMBER,
            label=_("Take as handler"),
            done=_("You are now the deviation's handler."),
            changes=_take,
            hint=_("The handler asks the parties, decides an action and answers the reporter."),
        ),
        Transition(
            name="request_statement",
            sources=frozenset({Status.RECEIVED, Status.INVESTIGATING}),
            target=Status.INVESTIGATING,
            actor=Actor.HANDLER,
            label=_("Ask for a statement"),
            done=_("The request for a statement has been sent."),
            style="outline-primary",
        ),
        Transition(
            name="decide",
            sources=frozenset({Status.RECEIVED, Status.INVESTIGATING}),
            target=Status.DECIDED,
            actor=Actor.HANDLER,
            label=_("Decide an action"),
            done=_("The action has been decided."),
            text_field="decision",
            text_label=_("Decided action"),
            text_missing=_("Write the action that was decided."),
            changes=_decided,
        ),
        Transition(
            name="give_feedback",
            sources=frozenset({Status.DECIDED}),
            target=Status.FEEDBACK_GIVEN,
            actor=Actor.HANDLER,
            label=_("Give feedback to the reporter"),
            done=_("The feedback has been sent to the reporter."),
            text_field="feedback",
            text_label=_("Feedback to the reporter"),
            text_missing=_("Write the feedback to the reporter."),
            changes=_feedback,
            notifies=("deviations.feedback_given",),
        ),
        Transition(
            name="close",
            sources=frozenset({Status.FEEDBACK_GIVEN}),
            target=Status.CLOSED,
            actor=Actor.HANDLER,
            label=_("Close the deviation"),
            done=_("The deviation has been closed."),
            changes=_closed,
            style="outline-secondary",
        ),
    ]
}
