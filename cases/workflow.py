"""The referral workflow, declared once: its states, and every move between them.

Everything else follows from this module: which states are open or final,
where consent matters, who may take which step, which comment it needs, the
message after it and the buttons on the case page. Adding a state (the
meetings add "scheduled", "held", "follow-up") touches this file only.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resursrad.models import Party

if TYPE_CHECKING:
    from cases.models import Referral


class DomainError(Exception):
    """A refused change; the message can be shown to the user."""


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    INFO_REQUESTED = "info_requested", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled for a meeting")
    HELD = "held", _("Meeting held")
    FOLLOW_UP = "follow_up", _("Follow-up due")
    DECLINED = "declined", _("Declined")
    CONSENT_ENDED = "consent_ended", _("Consent withdrawn or expired")
    CLOSED = "closed", _("Closed")
    DISCARDED = "discarded", _("Discarded draft")


class Todo(models.TextChoices):
    """What the case worker must act on, most urgent first: "Att göra" on "Mina ärenden"."""

    QUESTIONS = "questions", _("Questions to answer")
    DRAFTS = "drafts", _("Drafts to finish")
    # Not a state: any case whose consent matters and ends soon (see ReferralQuerySet).
    CONSENT = "consent", _("Consent expiring soon")
    MEETING = "meeting", _("Waiting for a meeting")


@dataclass(frozen=True)
class State:
    """What holds while a referral is in a state."""

    # The referring case worker may change the referral's text.
    editable: bool = False
    # Consent can be registered and withdrawn, and a lapse takes parties out.
    consent_matters: bool = False
    # The coordinator sees it (a draft belongs to its organisation alone).
    seen_by_coordinator: bool = True
    # Shown on the case page to those who cannot take the next step.
    waiting: str | Promise = ""
    # Anyone may still open it; a discarded draft is gone for everyone (404).
    visible: bool = True
    # What the referral's case worker must do while it is in this state (a Todo).
    todo: str = ""


STATES: dict[str, State] = {
    Status.DRAFT: State(editable=True, consent_matters=True, seen_by_coordinator=False, todo=Todo.DRAFTS),
    Status.SUBMITTED: State(consent_matters=True, waiting=_("Waiting for the coordinator's decision.")),
    Status.INFO_REQUESTED: State(
        editable=True,
        consent_matters=True,
        waiting=_("Waiting for the case worker's answer."),
        todo=Todo.QUESTIONS,
    ),
    Status.ACCEPTED: State(
        consent_matters=True,
        waiting=_("Accepted: waiting for a time at a council meeting."),
        todo=Todo.MEETING,
    ),
    Status.SCHEDULED: State(
        consent_matters=True, waiting=_("A time on a council meeting's agenda is planned.")
    ),
    Status.HELD: State(
        consent_matters=True,
        waiting=_("The meeting has been held. The plan is followed up at a later meeting."),
    ),
    Status.FOLLOW_UP: State(
        consent_matters=True,
        waiting=_("The follow-up is due: waiting for a time at a council meeting."),
    ),
    Status.DECLINED: State(),
    Status.CONSENT_ENDED: State(),
    Status.CLOSED: State(),
    Status.DISCARDED: State(seen_by_coordinator=False, visible=False),
}


class Actor(enum.Enum):
    """Who takes a step: the permission functions read this."""

    REFERRING_CASE_WORKER = "referring_case_worker"
    CREATOR = "creator"
    COORDINATOR = "coordinator"
    CASE_WORKER_OR_COORDINATOR = "case_worker_or_coordinator"
    SYSTEM = "system"


class Comment(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


Guard = Callable[["Referral", date], None]
Changes = Callable[["Referral", date], dict[str, Any]]


@dataclass(frozen=True)
class Transition:
    """One legal move of a referral."""

    name: str
    sources: frozenset[str]
    target: str
    actor: Actor
    label: str | Promise
    done: str | Promise
    comment: Comment = Comment.NONE
    comment_label: str | Promise = ""
    # The message beside the text field when a required comment is missing.
    comment_missing: str | Promise = ""
    # Runs on the locked row inside the transaction; raises DomainError.
    guard: Guard | None = None
    # Further fields the move sets, computed on the locked row.
    changes: Changes | None = None
    # How the button looks: the main step or a step that ends the case.
    style: str = "primary"
    # A sentence above the button.
    hint: str | Promise = ""
    # Runs on the locked row after the move, in the same transaction.
    after: Callable[[Referral], None] | None = None
    # Runs before the row is locked, in the same transaction: locks that come
    # first in the lock order (the meetings' slots, see lock_agendas).
    before: Callable[[Referral], None] | None = None
    # The case cannot be opened afterwards: go back to the list.
    leaves_case: bool = False
    # Notification kinds sent after the move (cases/notifications.py), to
    # their declared recipients; never to the one who took the step.
    notifies: tuple[str, ...] = ()

    # Taken from the case page's buttons; the meeting steps are taken on the
    # meetings pages (planning, the meeting view), which call them by name.
    case_page: bool = True

    @property
    def on_case_page(self) -> bool:
        return self.case_page and self.actor is not Actor.SYSTEM


# --- guards and changes --------------------------------------------------


def consent_covers_requested_parties(referral: Referral, today: date) -> None:
    if not referral.requested_parties:
        raise DomainError(gettext("Choose at least one party to take part."))
    missing = referral.uncovered_parties(today)
    if missing:
        names = ", ".join(str(Party(code).label) for code in missing)
        raise DomainError(
            gettext("Consent is missing for: %(parties)s. Register it before you submit.")
            % {"parties": names}
        )


def consent_in_force_for_meeting(referral: Referral, today: date) -> None:
    """A case goes on an agenda only while every party it names has consent in force."""
    missing = referral.uncovered_parties(today)
    if missing:
        names = ", ".join(str(Party(code).label) for code in missing)
        raise DomainError(
            gettext("Consent is not in force for: %(parties)s. The case cannot be placed on an agenda.")
            % {"parties": names}
        )


def submitted_now(referral: Referral, today: date) -> dict[str, Any]:
    from django.utils import timezone

    return {"submitted_at": timezone.now()}


def erase_after_closing(referral: Referral, today: date) -> dict[str, Any]:
    due = today + timedelta(days=settings.ERASURE_AFTER_CLOSED_DAYS)
    if referral.erasure_due_on is not None:
        # Closing a case whose consent ended must not postpone that erasure.
        due = min(due, referral.erasure_due_on)
    return {"erasure_due_on": due}


def erase_after_consent_ended(referral: Referral, today: date) -> dict[str, Any]:
    return {"erasure_due_on": today + timedelta(days=settings.ERASURE_AFTER_CONSENT_ENDED_DAYS)}


def erase_now(referral: Referral, today: date) -> dict[str, Any]:
    return {"erasure_due_on": today}


def erase_personal_data(referral: Referral) -> None:
    referral.erase_personal_data()


def waiting_from_now(referral: Referral, today: date) -> dict[str, Any]:
    """The case joins the coordinator's backlog now: it is planned oldest first."""
    from django.utils import timezone

    return {"backlog_since": timezone.now()}


def leave_agendas(referral: Referral) -> None:
    """An ended case leaves every agenda it was planned on (meetings owns the slots)."""
    from meetings.services import release_planned_items

    release_planned_items(referral)


def lock_agendas(referral: Referral) -> None:
    """Lock the meetings and slots the case is planned on before the referral (meetings' lock order)."""
    from meetings.services import lock_agenda_of

    lock_agenda_of(referral.pk)


def _states(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)


# The states in which the individual's consent binds the case to its parties.
_CONSENT_BOUND = _states(
    Status.SUBMITTED,
    Status.INFO_REQUESTED,
    Status.ACCEPTED,
    Status.SCHEDULED,
    Status.HELD,
    Status.FOLLOW_UP,
)
_ALL_OPEN = _states(Status.DRAFT, Status.CONSENT_ENDED) | _CONSENT_BOUND

TRANSITIONS: dict[str, Transition] = {
    transition.name: transition
    for transition in [
        Transition(
            name="submit",
            sources=_states(Status.DRAFT),
            target=Status.SUBMITTED,
            actor=Actor.REFERRING_CASE_WORKER,
            label=_("Submit to the coordinator"),
            done=_("The referral has been submitted to the coordinator."),
            guard=consent_covers_requested_parties,
            changes=submitted_now,
            hint=_("Consent covers every party. The coordinator sees the referral once you submit it."),
            notifies=("cases.submitted",),
        ),
        Transition(
            name="accept",
            sources=_states(Status.SUBMITTED),
            target=Status.ACCEPTED,
            actor=Actor.COORDINATOR,
            label=_("Accept"),
            done=_("The referral has been accepted and waits for a time on an agenda."),
            comment=Comment.OPTIONAL,
            comment_label=_("Comment to the case worker (optional)"),
            changes=waiting_from_now,
            notifies=("cases.accepted",),
        ),
        Transition(
            name="request_info",
            sources=_states(Status.SUBMITTED),
            target=Status.INFO_REQUESTED,
            actor=Actor.COORDINATOR,
            label=_("Ask for more information"),
            done=_("Your question has been sent to the case worker."),
            comment=Comment.REQUIRED,
            comment_label=_("Your question to the case worker"),
            comment_missing=_("Write your question to the case worker."),
            style="outline-primary",
            notifies=("cases.info_requested",),
        ),
        Transition(
            name="resubmit",
            sources=_states(Status.INFO_REQUESTED),
            target=Status.SUBMITTED,
            actor=Actor.REFERRING_CASE_WORKER,
            label=_("Answer and submit again"),
            done=_("Your answer has been sent and the referral submitted again."),
            comment=Comment.REQUIRED,
            comment_label=_("Your answer to the coordinator"),
            comment_missing=_("Write your answer to the coordinator."),
            guard=consent_covers_requested_parties,
            changes=submitted_now,
            notifies=("cases.answered",),
        ),
        Transition(
            name="decline",
            sources=_states(Status.SUBMITTED),
            target=Status.DECLINED,
            actor=Actor.COORDINATOR,
            label=_("Decline"),
            done=_("The referral has been declined."),
            comment=Comment.REQUIRED,
            comment_label=_("Why the referral is declined"),
            comment_missing=_("Write why the referral is declined."),
            changes=erase_after_closing,
            style="outline-danger",
            notifies=("cases.declined",),
        ),
        Transition(
            name="close",
            sources=_ALL_OPEN,
            target=Status.CLOSED,
            actor=Actor.CASE_WORKER_OR_COORDINATOR,
            label=_("Close the referral"),
            done=_("The referral has been closed."),
            comment=Comment.REQUIRED,
            comment_label=_("Why the referral is closed"),
            comment_missing=_("Write why the referral is closed."),
            changes=erase_after_closing,
            before=lock_agendas,
            after=leave_agendas,
            style="outline-danger",
        ),
        Transition(
            name="discard",
            sources=_states(Status.DRAFT),
            target=Status.DISCARDED,
            actor=Actor.CREATOR,
            label=_("Discard the draft"),
            done=_("The draft has been discarded and its personal data erased. The case number remains."),
            hint=_(
                "The personal data is erased at once and cannot be restored. "
                "Only the case number and a history entry remain."
            ),
            changes=erase_now,
            after=erase_personal_data,
            style="outline-danger",
            leaves_case=True,
        ),
        Transition(
            name="end_for_lack_of_consent",
            sources=_CONSENT_BOUND,
            target=Status.CONSENT_ENDED,
            actor=Actor.SYSTEM,
            label=_("End for lack of consent"),
            done=_("The referral has ended because consent was withdrawn or expired."),
            comment=Comment.REQUIRED,
            changes=erase_after_consent_ended,
            after=leave_agendas,
            notifies=("cases.consent_ended",),
        ),
        # --- the meeting steps (taken on the meetings pages) -------------
        Transition(
            name="schedule",
            sources=_states(Status.ACCEPTED, Status.FOLLOW_UP),
            target=Status.SCHEDULED,
            actor=Actor.COORDINATOR,
            label=_("Place on an agenda"),
            done=_("The case has a time on the agenda."),
            guard=consent_in_force_for_meeting,
            case_page=False,
        ),
        Transition(
            name="unschedule",
            sources=_states(Status.SCHEDULED),
            target=Status.ACCEPTED,
            actor=Actor.COORDINATOR,
            label=_("Take off the agenda"),
            done=_("The case is back among the cases waiting for a meeting."),
            comment=Comment.OPTIONAL,
            case_page=False,
        ),
        Transition(
            name="unschedule_follow_up",
            sources=_states(Status.SCHEDULED),
            target=Status.FOLLOW_UP,
            actor=Actor.COORDINATOR,
            label=_("Take the follow-up off the agenda"),
            done=_("The follow-up is back among the cases waiting for a meeting."),
            comment=Comment.OPTIONAL,
            case_page=False,
        ),
        Transition(
            name="hold",
            sources=_states(Status.SCHEDULED),
            target=Status.HELD,
            actor=Actor.COORDINATOR,
            label=_("Finalise the meeting record"),
            done=_("The meeting record is finalised. The plan will be followed up."),
            case_page=False,
        ),
        Transition(
            name="start_follow_up",
            sources=_states(Status.HELD),
            target=Status.FOLLOW_UP,
            actor=Actor.SYSTEM,
            label=_("Follow-up due"),
            done=_("The follow-up is due and waits for a time at a council meeting."),
            changes=waiting_from_now,
        ),
    ]
}


# --- derived state sets --------------------------------------------------

FINAL_STATES = frozenset(
    status for status in STATES if not any(status in t.sources for t in TRANSITIONS.values())
)
OPEN_STATES = frozenset(STATES) - FINAL_STATES
EDITABLE_STATES = frozenset(status for status, state in STATES.items() if state.editable)
CONSENT_STATES = frozenset(status for status, state in STATES.items() if state.consent_matters)
COORDINATOR_STATES = frozenset(status for status, state in STATES.items() if state.seen_by_coordinator)
VISIBLE_STATES = frozenset(status for status, state in STATES.items() if state.visible)
# Once consent no longer matters (closed, declined, consent ended) erasure may come.
ERASABLE_STATES = frozenset(STATES) - CONSENT_STATES
# A lapse of consent ends the referral (or takes a party out) in these states;
# in a draft it only means that consent is missing before submitting.
CONSENT_BOUND_STATES = TRANSITIONS["end_for_lack_of_consent"].sources
# The coordinator's backlog: cases waiting for a time on an agenda, first or follow-up.
BACKLOG_STATES = TRANSITIONS["schedule"].sources
# The states that put a referral on its case worker's to-do list, per kind of work.
TODO_STATES = {
    kind: frozenset(status for status, state in STATES.items() if state.todo == kind) for kind in Todo
}
# The coordinator's decision: the steps the coordinator takes on a submitted referral.
DECISIONS = [t for t in TRANSITIONS.values() if t.actor is Actor.COORDINATOR]


def check_declaration() -> None:
    """Every state is reachable and every target is a known state (run by a test)."""
    for transition in TRANSITIONS.values():
        assert transition.target in STATES, transition.name
        assert transition.sources <= set(STATES), transition.name
    assert all(state.todo in {"", *Todo.values} for state in STATES.values())
    reachable = {Status.DRAFT} | {t.target for t in TRANSITIONS.values()}
    assert reachable == set(STATES), set(STATES) - reachable
