"""What the meetings do when a case changes under them (called by cases on the locked referral)."""

from __future__ import annotations

from cases.models import Referral
from meetings.models import AgendaItem, ItemStatus


def release_planned_items(referral: Referral) -> int:
    """A case that ended leaves every coming agenda; its slots are freed."""
    items = list(AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED))
    for item in items:
        item.representatives.all().delete()
    return AgendaItem.objects.filter(pk__in=[item.pk for item in items]).update(status=ItemStatus.REMOVED)


def parties_left_case(referral: Referral, parties: list[str]) -> int:
    """Parties whose consent ended are no longer invited to the case's coming slots."""
    removed = 0
    for item in AgendaItem.objects.filter(referral=referral, status=ItemStatus.PLANNED):
        removed += item.withdraw_parties(parties)
    return removed
