"""Deviations for the styrgrupp's overview tests: a known set through the domain, or many in bulk."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import cycle
from typing import Any

from django.utils import timezone

from deviations.models import Deviation, DeviationEvent, DeviationParty, party_mask
from deviations.workflow import Category, Status
from tests.factories import report_deviation


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def reported_on(by: Any, day: date, **fields: Any) -> Deviation:
    """A deviation reported through the domain, then dated back to ``day``; ``decided_after`` days to a decision."""
    decided_after = fields.pop("decided_after", None)
    status = fields.pop("status", None)
    deviation = report_deviation(by, **fields)
    changes: dict[str, Any] = {
        "reported_at": at(day),
        "updated_at": at(day),
        "answer_due_on": day + timedelta(days=60),
    }
    if decided_after is not None:
        changes.update(status=Status.DECIDED, decided_at=at(day) + timedelta(days=decided_after))
    if status is not None:
        changes["status"] = status
    Deviation.objects.filter(pk=deviation.pk).update(**changes)
    DeviationEvent.objects.filter(deviation=deviation).update(at=at(day))
    deviation.refresh_from_db()
    return deviation


PARTY_SETS = [["fk", "region"], ["kommun"], ["af", "fk", "kommun"], ["region"], ["af", "kommun"]]
STATUSES = [Status.REPORTED, Status.RECEIVED, Status.INVESTIGATING, Status.DECIDED, Status.CLOSED]


def bulk_deviations(by: Any, count: int, *, first_day: date, tag: str = "B") -> None:
    """``count`` deviations over the year from ``first_day``, in every status, category and party set, in bulk."""
    categories = cycle(Category.values)
    statuses = cycle(STATUSES)
    party_sets = cycle(PARTY_SETS)
    rows, parties = [], []
    for index in range(count):
        day = first_day + timedelta(days=index % 365)
        status = next(statuses)
        decided = status in (Status.DECIDED, Status.CLOSED)
        rows.append(
            Deviation(
                number=f"AV-{tag}-{index:06d}",
                reported_by=by,
                reported_at=at(day),
                observed_on=day,
                category=next(categories),
                description="Ett intyg nådde inte fram mellan parterna.",
                answer_due_on=day + timedelta(days=60),
                status=status,
                decided_at=at(day) + timedelta(days=index % 40) if decided else None,
                decision="En gemensam rutin tas fram." if decided else "",
                closed_at=at(day) + timedelta(days=50) if status == Status.CLOSED else None,
            )
        )
        parties.append(next(party_sets))
    for row, codes in zip(rows, parties, strict=True):
        # As Deviation.report writes it beside the party rows.
        row.party_mask = party_mask(codes)
    Deviation.objects.bulk_create(rows, batch_size=2000)
    DeviationParty.objects.bulk_create(
        [
            DeviationParty(deviation=row, party=party)
            for row, codes in zip(rows, parties, strict=True)
            for party in codes
        ],
        batch_size=5000,
    )
