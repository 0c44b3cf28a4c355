"""Operations over many referrals."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from cases.models import DomainError, Referral


def end_referrals_with_lapsed_consent(today: date | None = None) -> int:
    """End every active referral whose consent has expired for a requested party."""
    today = today or timezone.localdate()
    ended = 0
    for referral in Referral.objects.with_lapsed_consent(today):
        try:
            ended += referral.apply_consent_change(by=None, today=today)
        except DomainError:
            # Another run ended it first: nothing left to do.
            continue
    return ended
