"""Operations over many referrals."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Consent, DomainError, ErasureRun, Referral, Status


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


def plan_reminders(now: datetime | None = None) -> int:
    """Notify of consent that expires within CONSENT_EXPIRY_WARNING_DAYS and of long waits.

    Each reminder has a fixed due time (from the consent's last day, from the
    submission), so running this again, or after a missed run, adds nothing
    twice. Returns the number of objects looked at.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=settings.CONSENT_EXPIRY_WARNING_DAYS)
    expiring = Consent.objects.filter(
        withdrawn_on__isnull=True,
        valid_until__gte=today,
        valid_until__lte=horizon,
        referral__status__in=workflow.CONSENT_BOUND_STATES,
    ).select_related("referral__handler")
    waiting = Referral.objects.filter(
        status=Status.SUBMITTED, submitted_at__lte=now - timedelta(days=settings.INBOX_LONG_WAIT_DAYS)
    )
    looked_at = 0
    with transaction.atomic():
        for consent in expiring:
            if consent.party in consent.referral.requested_parties:
                notifications.notify_consent_expiring(consent)
            looked_at += 1
        for referral in waiting:
            notifications.notify_long_wait(referral)
            looked_at += 1
    return looked_at
