"""Loading a case for a user, and the access log of what they were shown.

Every read of an individual's record passes through here: the case page and
its actions through ``get_referral_for_user``, lists and searches through
``log_shown``. A refused attempt (a 404 by visibility) is logged as well.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager

from django.db.models import QuerySet
from django.http import Http404

from cases import compiled_case
from cases.models import Referral
from resursrad import personnummer
from resursrad.models import AccessAction, AccessLog
from resursrad.types import AuthenticatedHttpRequest

# The largest id a bigint column holds: a larger one in a URL is simply not found.
MAX_ID = 2**63 - 1


def get_referral_for_user(request: AuthenticatedHttpRequest, pk: int, *, action: str) -> Referral:
    """The referral if the user may see it, logged as ``action``; else a logged refusal and 404."""
    if not 0 < pk <= MAX_ID:
        record_refusal(request, pk)
        raise Http404
    referral = compiled_case.visible_referral(request.user, pk)
    if referral is None:
        record_refusal(request, pk)
        raise Http404
    AccessLog.record(request, referral=referral, action=action)
    return referral


def record_refusal(request: AuthenticatedHttpRequest, pk: int) -> None:
    """A user asked for a case they may not see: who, which case (if it exists), when."""
    target = None
    if 0 < pk <= MAX_ID:
        target = Referral.objects.select_related("participant").filter(pk=pk).first()
    if target is not None:
        AccessLog.record(request, referral=target, action=AccessAction.REFUSED)
    else:
        AccessLog.entry(
            request, action=AccessAction.REFUSED, referral_id=pk if 0 < pk <= MAX_ID else None
        ).save()


def log_shown(request: AuthenticatedHttpRequest, referrals: Iterable[Referral], action: str) -> None:
    """One row per case whose participant a page showed."""
    AccessLog.record_many(request, list(referrals), action)


def logging_shown(
    request: AuthenticatedHttpRequest, referrals: Iterable[Referral], action: str
) -> AbstractContextManager[None]:
    """log_shown around the page's rendering: the rows are committed by the end of the block, or it raises."""
    return AccessLog.recording_many(request, list(referrals), action)


def access_history(request: AuthenticatedHttpRequest, digits: str) -> QuerySet[AccessLog]:
    """Everyone who read the records of the person with this number, even after erasure.

    The lookup is itself logged, once per case found, or once with the hash
    alone when nothing is found.
    """
    subject = personnummer.keyed_hash(digits)
    referrals = list(
        Referral.objects.filter(participant__number_hash=subject)
        .select_related("participant")
        .only("case_number", "participant__number_hash")
    )
    if referrals:
        log_shown(request, referrals, AccessAction.ACCESS_HISTORY)
    else:
        AccessLog.entry(request, action=AccessAction.ACCESS_HISTORY, subject_hash=subject).save()
    return (
        AccessLog.objects.filter(subject_hash=subject)
        .exclude(action=AccessAction.ACCESS_HISTORY)
        .with_people()
    )
