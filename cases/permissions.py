"""Who may do what with a referral. Visibility itself is Referral.objects.visible_to."""

from __future__ import annotations

from cases.models import ACTIVE_STATES, Consent, Referral, Status
from resursrad.models import User
from resursrad.permissions import is_case_worker, is_coordinator


def is_referring_case_worker(user: User, referral: Referral) -> bool:
    return is_case_worker(user) and user.organisation_id == referral.organisation_id


def can_create_referral(user: User) -> bool:
    return is_case_worker(user)


def can_edit_referral(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.status in (
        Status.DRAFT,
        Status.INFO_REQUESTED,
    )


def can_submit_referral(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.status == Status.DRAFT


def can_answer_referral(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.status == Status.INFO_REQUESTED


def can_decide_referral(user: User, referral: Referral) -> bool:
    """Ask for more information, accept or decline."""
    return is_coordinator(user) and referral.status == Status.SUBMITTED


def can_close_referral(user: User, referral: Referral) -> bool:
    if not referral.can_move_to(Status.CLOSED):
        return False
    return is_coordinator(user) or is_referring_case_worker(user, referral)


def can_take_over_referral(user: User, referral: Referral) -> bool:
    return (
        is_referring_case_worker(user, referral)
        and referral.handler_id != user.pk
        and referral.status not in (Status.CLOSED, Status.DECLINED)
    )


def can_register_consent(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.status in ACTIVE_STATES


def can_withdraw_consent(user: User, consent: Consent) -> bool:
    """The individual may tell their case worker or the coordinator."""
    referral = consent.referral
    if consent.withdrawn_on is not None:
        return False
    return is_referring_case_worker(user, referral) or (
        is_coordinator(user) and referral.status != Status.DRAFT
    )


def can_withdraw_all_consents(user: User, referral: Referral) -> bool:
    if not any(consent.withdrawn_on is None for consent in referral.consents.all()):
        return False
    return is_referring_case_worker(user, referral) or (
        is_coordinator(user) and referral.status != Status.DRAFT
    )


def can_see_identity(user: User, referral: Referral) -> bool:
    """Names and numbers show on the case page to those who work the case."""
    return is_referring_case_worker(user, referral) or is_coordinator(user)
