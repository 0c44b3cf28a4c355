"""Operations over many referrals."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.utils import timezone

from cases.models import DomainError, ErasureRun, Referral


def end_referrals_with_lapsed_consent(today: date | None = None) -> int:
    """Take parties out of, or end, every referral whose consent has expired for a requested party."""
    today = today or timezone.localdate()
    changed = 0
    for referral in Referral.objects.with_lapsed_consent(today):
        try:
            changed += referral.apply_consent_change(by=None, today=today)
        except DomainError:
            # Another run ended it first: nothing left to do.
            continue
    return changed


def erase_due_personal_data(today: date | None = None, *, dry_run: bool = False) -> dict[str, int]:
    """Erase the personal data of every case past its erasure day; counts per kind.

    Safe to run twice or at the same time: each case is claimed by a
    conditional update, so the second run finds nothing left to erase. A real
    run is recorded (kind and count, never which case).
    """
    today = today or timezone.localdate()
    counts: Counter[str] = Counter()
    for referral in Referral.objects.due_for_erasure(today).select_related("participant").order_by("pk"):
        if dry_run or referral.erase_personal_data():
            counts[referral.status] += 1
    if not dry_run:
        ErasureRun.objects.create(counts=dict(counts), total=sum(counts.values()))
    return dict(counts)
