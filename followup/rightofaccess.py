"""The register extract (registerutdrag): everything stored about the individual of one case.

The individual's right of access (GDPR art. 15): the case, its consents and
history, every meeting record with its plan, the parties' perspectives and
responses and the earlier versions, and who read the case, when and how. It
is gathered in a fixed number of queries, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from cases.models import Consent, Referral, ReferralEvent
from meetings.models import AgendaItem, Attendance, PlanItem, Record, RecordVersion, Response
from resursrad.models import AccessLog
from resursrad.permissions import is_case_worker, is_coordinator

# The text fields of an earlier record version worth showing the individual (ids and flags say nothing).
VERSION_TEXTS = ("own_account", "recommendation", "gap_note")


@dataclass(frozen=True)
class MeetingEntry:
    """One time the case was on an agenda, and the record written there, if any."""

    item: AgendaItem
    record: Record | None


@dataclass(frozen=True)
class RegisterExtract:
    referral: Referral
    consents: list[Consent]
    events: list[ReferralEvent]
    meetings: list[MeetingEntry]
    access: list[AccessLog]
    produced_at: datetime

    @property
    def is_erased(self) -> bool:
        return self.referral.is_erased


def find_case(referrals: QuerySet[Referral], case_number: str) -> Referral | None:
    """The referral with this (normalised) case number among ``referrals``, or None."""
    return referrals.filter(case_number=case_number).only("pk").first()


def _records(items: list[AgendaItem]) -> None:
    records = [item.record for item in items if _has_record(item)]
    prefetch_related_objects(
        records,
        Prefetch("attendance", queryset=Attendance.objects.select_related("user")),
        "perspectives",
        Prefetch("plan_items", queryset=PlanItem.objects.select_related("responsible_user")),
        Prefetch("responses", queryset=Response.objects.select_related("by")),
        Prefetch("versions", queryset=RecordVersion.objects.select_related("saved_by")),
    )


def _has_record(item: AgendaItem) -> bool:
    try:
        return item.record is not None
    except Record.DoesNotExist:
        return False


def gather(referral: Referral, *, now: Any = None) -> RegisterExtract:
    """Everything stored about the case's individual; the referral as loaded (and logged) by the caller."""
    items = list(
        AgendaItem.objects.filter(referral=referral)
        .select_related("meeting__council", "case_worker", "record__finalised_by")
        .order_by("meeting__date", "position", "pk")
    )
    _records(items)
    return RegisterExtract(
        referral=referral,
        consents=list(Consent.objects.filter(referral=referral).order_by("given_on", "pk")),
        events=list(
            ReferralEvent.objects.filter(referral=referral).select_related("by").order_by("at", "pk")
        ),
        meetings=[MeetingEntry(item, item.record if _has_record(item) else None) for item in items],
        access=list(AccessLog.objects.filter(referral_id=referral.pk).with_people().order_by("at", "pk")),
        produced_at=now or timezone.now(),
    )


def version_texts(version: RecordVersion) -> list[tuple[str, str]]:
    """An earlier version's texts, labelled as the record's fields are."""
    labels = {
        name: str(getattr(Record._meta.get_field(name), "verbose_name", name)) for name in VERSION_TEXTS
    }
    return [(labels[name], str(version.content[name])) for name in VERSION_TEXTS if version.content.get(name)]


def can_produce_register_extracts(user: Any) -> bool:
    """Coordinators, and case workers for their own organisation's cases (the way protected identity asks).

    Which case is then what the user may see (Referral.objects.visible_to):
    the coordinator's cases past the draft, the case worker's organisation's.
    """
    return is_coordinator(user) or is_case_worker(user)
