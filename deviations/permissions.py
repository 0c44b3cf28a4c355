"""Who may do what with deviations. Visibility itself is in DeviationQuerySet.visible_to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from deviations.workflow import Actor, Transition
from resursrad.models import User
from resursrad.permissions import (
    is_case_worker,
    is_coordinator,
    is_council_member,
    is_steering_member,
)

if TYPE_CHECKING:
    from deviations.models import Deviation, StatementRequest


def can_report_deviation(user: User) -> bool:
    """Any case worker, coordinator or council member reports deviations; the styrgrupp receives them."""
    return is_case_worker(user) or is_coordinator(user) or is_council_member(user)


def is_deviation_contact(user: User) -> bool:
    """The party organisation's avvikelsekontakt; its styrgrupp member is one too."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id
        and (user.is_deviation_contact or user.is_steering_member)
    )


def has_deviations(user: User) -> bool:
    """Anyone with a deviations page of their own: reporters, contacts and the styrgrupp."""
    return can_report_deviation(user) or is_deviation_contact(user) or is_steering_member(user)


def can_review_deviations(user: User) -> bool:
    """The styrgrupp's inbox, list, trends, export and report."""
    return is_steering_member(user)


def is_handler(user: Any, deviation: Deviation) -> bool:
    return bool(is_steering_member(user) and deviation.handler_id == user.pk)


def may_perform(user: Any, deviation: Deviation, transition: Transition) -> bool:
    """Any styrgrupp member takes a new deviation; the later steps are its handler's."""
    if transition.actor is Actor.STEERING_MEMBER:
        return is_steering_member(user)
    return is_handler(user, deviation)


def may_comment(user: Any, deviation: Deviation) -> bool:
    return is_steering_member(user)


def may_mark_system_fault(user: Any, deviation: Deviation) -> bool:
    return is_steering_member(user)


def may_answer(user: Any, request: StatementRequest) -> bool:
    """The asked organisation's deviation contact answers its request."""
    return is_deviation_contact(user) and user.organisation_id == request.organisation_id
