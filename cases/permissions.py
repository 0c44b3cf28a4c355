"""Who may do what with a referral. Visibility itself is Referral.objects.visible_to."""

from __future__ import annotations

from cases import workflow
from cases.models import Consent, Referral
from resursrad.models import User
from resursrad.permissions import is_case_worker, is_coordinator


def is_referring_case_worker(user: User, referral: Referral) -> bool:
    return is_case_worker(user) and user.organisation_id == referral.organisation_id


def can_create_referral(user: User) -> bool:
    return is_case_worker(user)


def can_list_referrals(user: User) -> bool:
    return is_case_worker(user) or is_coordinator(user)


def is_case_coordinator(user: User, referral: Referral) -> bool:
    """A coordinator acts on what the coordinator sees: not on another organisation's draft."""
    return is_coordinator(user) and referral.state.seen_by_coordinator


def is_actor(user: User, referral: Referral, actor: workflow.Actor) -> bool:
    if actor is workflow.Actor.REFERRING_CASE_WORKER:
        return is_referring_case_worker(user, referral)
    if actor is workflow.Actor.CREATOR:
        return is_referring_case_worker(user, referral) and referral.created_by_id == user.pk
    if actor is workflow.Actor.COORDINATOR:
        return is_case_coordinator(user, referral)
    if actor is workflow.Actor.CASE_WORKER_OR_COORDINATOR:
        return is_referring_case_worker(user, referral) or is_case_coordinator(user, referral)
    return False


def can_transition(user: User, referral: Referral, name: str) -> bool:
    """The step is declared from the referral's state and the user is its actor."""
    transition = workflow.TRANSITIONS.get(name)
    if transition is None or referral.status not in transition.sources:
        return False
    return is_actor(user, referral, transition.actor)


def transitions_for(user: User, referral: Referral) -> list[workflow.Transition]:
    """The steps this user can take on the case page now."""
    return [
        t for t in referral.available_transitions() if t.on_case_page and is_actor(user, referral, t.actor)
    ]


def can_edit_referral(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.is_editable


def can_take_over_referral(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.handler_id != user.pk and referral.is_open


def can_register_consent(user: User, referral: Referral) -> bool:
    return is_referring_case_worker(user, referral) and referral.state.consent_matters


def can_withdraw_consent(user: User, consent: Consent) -> bool:
    """The individual may tell their case worker or the coordinator."""
    referral = consent.referral
    if consent.withdrawn_on is not None or referral.is_erased:
        return False
    return is_referring_case_worker(user, referral) or is_coordinator(user)


def can_withdraw_all_consents(user: User, referral: Referral) -> bool:
    if referral.is_erased or not any(consent.withdrawn_on is None for consent in referral.consents.all()):
        return False
    return is_referring_case_worker(user, referral) or is_coordinator(user)


def can_see_identity(user: User, referral: Referral) -> bool:
    """Names and numbers show on the case page to those who work the case."""
    return is_referring_case_worker(user, referral) or is_coordinator(user)


def can_see_names_in_lists(user: User) -> bool:
    """Lists show names only to the referring organisation's case workers."""
    return is_case_worker(user)


def has_todo_list(user: User) -> bool:
    """Case workers see "Att göra": what waits for them in the cases where they are the case worker."""
    return is_case_worker(user)


def lists_only_own_organisation(user: User) -> bool:
    """The user's lists only ever hold their own organisation's referrals (as visible_to decides).

    Their lists then need no organisation column and no filter by referring party.
    """
    return is_case_worker(user) and not is_coordinator(user)
