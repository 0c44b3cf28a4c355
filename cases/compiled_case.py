"""The case page's queries, compiled once per shape (resursrad.compiled).

Every visit to a case page sends the same five queries: the referral as the
user may see it (with its participant, organisation and handler), its
consents, its history, its times on agendas and, for a coordinator, the next
referral waiting in the inbox. Django spent longer building and compiling them
than PostgreSQL spent answering. Here they are built by the same QuerySet
methods as always (``visible_to``, ``waiting_for_coordinator``, ``shown``),
once per shape and process, and run with each request's values.

The shape is the user's roles; the values are the referral's id and, for a
case worker, whose visibility depends on it, the organisation's id. A user
without an organisation, or with neither role, goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any, cast

from django.db.models import Model, QuerySet

from cases.compiled_lists import Viewer, roles
from cases.models import Consent, Referral, ReferralEvent, ReferralQuerySet
from resursrad.compiled import USING, QueryShapes, Value, first_of


def _compiled(user: Any) -> bool:
    """A user whose case page runs from compiled shapes: active, with an organisation and a role that sees cases."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.organisation_id
        and (user.is_case_worker or user.is_coordinator)
    )


def _values(user: Any, pk: int) -> dict[str, Value]:
    """The referral's id, and the organisation's only where the visibility rule reads it."""
    values: dict[str, Value] = {"pk": pk}
    if user.is_case_worker:
        values["organisation"] = user.organisation_id
    return values


def _visible(key: Hashable, values: Mapping[str, Any]) -> ReferralQuerySet:
    case_worker, coordinator = cast(tuple[bool, bool], key)
    viewer = Viewer(None, values.get("organisation"), case_worker, coordinator)
    return Referral.objects.visible_to(viewer)


def _build_referral(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    visible = _visible(key, values).select_related("participant", "organisation", "handler")
    return first_of(visible.filter(pk=values["pk"]))


def _build_next_waiting(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    waiting = _visible(key, values).waiting_for_coordinator().exclude(pk=values["pk"])
    return first_of(waiting.only("pk", "case_number"))


def _build_consents(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    return Consent.objects.filter(referral_id=values["pk"])


def _build_events(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    return ReferralEvent.objects.select_related("by").filter(referral_id=values["pk"])


def _build_agenda_items(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    from meetings.models import AgendaItem

    items = AgendaItem.objects.filter(referral_id=values["pk"]).shown()
    return items.select_related("meeting", "record").order_by("-meeting__date")


_REFERRALS = QueryShapes(_build_referral)
_NEXT_WAITING = QueryShapes(_build_next_waiting)
_CONSENTS = QueryShapes(_build_consents)
_EVENTS = QueryShapes(_build_events)
_AGENDA_ITEMS = QueryShapes(_build_agenda_items)


def visible_referral(user: Any, pk: int) -> Referral | None:
    """Referral.objects.visible_to(user).select_related("participant", "organisation", "handler")
    .filter(pk=pk).first(), from its compiled shape."""
    if not _compiled(user):
        return (
            Referral.objects.visible_to(user)
            .select_related("participant", "organisation", "handler")
            .filter(pk=pk)
            .first()
        )
    values = _values(user, pk)
    found = _REFERRALS.get(roles(user), values, USING).objects(values)
    return cast(Referral, found[0]) if found else None


def next_waiting(user: Any, after: Referral) -> Referral | None:
    """Referral.objects.visible_to(user).next_waiting(after=after), from its compiled shape."""
    if not _compiled(user):
        return Referral.objects.visible_to(user).next_waiting(after=after)
    values = _values(user, after.pk)
    found = _NEXT_WAITING.get(roles(user), values, USING).objects(values)
    return cast(Referral, found[0]) if found else None


def _seed(referral: Referral, name: str, rows: Sequence[Model], base: QuerySet[Any, Any]) -> None:
    """Give referral.<name>.all() these rows, as prefetch_related does with a Prefetch of ``base``:
    its filtered queryset (a later .filter() on it keeps base's joins), its cache, and each row's
    link back to the referral."""
    manager = getattr(referral, name)
    for row in rows:
        setattr(row, manager.field.name, referral)
    queryset = manager._apply_rel_filters(base)
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    cache = referral.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def load_history(referral: Referral) -> None:
    """The referral's consents and its history (with who did what): prefetch_related_objects'
    "consents" and "events" with "by", from compiled shapes. The referral was loaded for a user
    who may see it."""
    values: dict[str, Value] = {"pk": referral.pk}
    _seed(referral, "consents", _CONSENTS.get((), values, USING).objects(values), Consent.objects.all())
    events = _EVENTS.get((), values, USING).objects(values)
    _seed(referral, "events", events, ReferralEvent.objects.select_related("by"))


def agenda_items(referral: Referral) -> list[Any]:
    """referral.agenda_items.shown() with their meetings and records, newest meeting first."""
    values: dict[str, Value] = {"pk": referral.pk}
    items = _AGENDA_ITEMS.get((), values, USING).objects(values)
    for item in items:
        # As the related manager's rows know it (no query for item.referral).
        item.referral = referral  # type: ignore[attr-defined]
    return items
