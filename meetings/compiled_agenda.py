"""The agenda's queries, compiled once per shape (resursrad.compiled).

Every visit to a meeting's agenda sends the same queries: the meeting as the
user may see it, its planned slots, their invited representatives and the
council's other coming meetings (for "Flytta till"). Django spent longer
building and compiling them than PostgreSQL spent answering. Here they are
built by the same QuerySet methods as always (``visible_to``, ``planned``,
``for_agenda``, ``coming_choices``), once per shape and process, and run with each
request's values.

The shape is the user's roles, which filters a list of meetings takes, and the
number of slots; the values are the user's and the meeting's ids, the
council's, and today. A user with no role that sees meetings goes through the ORM.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any, cast

from django.db.models import QuerySet

from meetings.models import AgendaItem, Meeting, Representative
from resursrad.compiled import USING, QueryShapes, Value, first_of
from resursrad.models import User


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _stand_in_user(user_id: int, *, coordinator: bool, member: bool = False) -> User:
    """What the visibility rules read of a user: the id (a value) and the roles (the shape)."""
    return User(pk=user_id, is_active=True, is_coordinator=coordinator, is_council_member=member)


def _build_meeting(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    coordinator, member = cast(tuple[bool, bool], key)
    user = _stand_in_user(values["user"], coordinator=coordinator, member=member)
    return first_of(Meeting.objects.visible_to(user).select_related("council").filter(pk=values["pk"]))


def _build_items(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    return AgendaItem.objects.filter(meeting_id=values["meeting"]).planned().for_agenda()


def _build_representatives(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    return Representative.name_rows(values["items"])


def _build_coming(key: Hashable, values: Mapping[str, Any]) -> QuerySet[Any, Any]:
    limit = cast(int, key)
    user = _stand_in_user(values["user"], coordinator=True)
    meetings = Meeting.objects.coming_choices(
        user, values["today"], council=values["council"], exclude=values["exclude"]
    )
    return meetings[:limit]


_MEETINGS = QueryShapes(_build_meeting)
_ITEMS = QueryShapes(_build_items)
_REPRESENTATIVES = QueryShapes(_build_representatives)
_COMING = QueryShapes(_build_coming)


def visible_meeting(user: Any, pk: int) -> Meeting | None:
    """Meeting.objects.visible_to(user).select_related("council").filter(pk=pk).first(), from its shape."""
    if not _active(user):
        return None  # Meeting.objects.visible_to: nothing for a signed-out or inactive user
    roles = (bool(user.is_coordinator), bool(user.is_council_member))
    if not any(roles):
        return Meeting.objects.visible_to(user).select_related("council").filter(pk=pk).first()
    values: dict[str, Value] = {"user": user.pk, "pk": pk}
    found = _MEETINGS.get(roles, values, USING).objects(values)
    return cast(Meeting, found[0]) if found else None


def planned_items(meeting: Meeting) -> list[AgendaItem]:
    """meeting.items.planned().for_agenda(), from its shape; each slot knows its meeting."""
    values: dict[str, Value] = {"meeting": meeting.pk}
    items = cast(list[AgendaItem], _ITEMS.get((), values, USING).objects(values))
    for item in items:
        # As the related manager's rows know it (no query for item.meeting).
        item.meeting = meeting
    return items


def representative_names(items: list[AgendaItem]) -> dict[int, list[tuple[str, str]]]:
    """Representative.names_by_item(items), its rows from their shape (one per number of slots)."""
    if not items:
        return {}
    values: dict[str, Value] = {"items": [item.pk for item in items]}
    return Representative.names_by_item(items, rows=_REPRESENTATIVES.get((), values, USING).rows(values))


def other_coming_meetings(user: Any, meeting: Meeting, *, today: date, limit: int) -> list[Meeting]:
    """The user's other open coming meetings of the meeting's council, with their planned counts."""
    if not (_active(user) and user.is_coordinator) or limit <= 0:
        return []  # Council.objects.coordinated_by: no council, no meeting; or none asked for
    values: dict[str, Value] = {
        "user": user.pk,
        "today": today,
        "council": meeting.council_id,
        "exclude": meeting.pk,
    }
    return cast(list[Meeting], _COMING.get(limit, values, USING).objects(values))
