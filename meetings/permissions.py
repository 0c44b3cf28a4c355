"""Who may do what with councils, meetings and slots. Visibility itself is the QuerySets' visible_to."""

from __future__ import annotations

from meetings.models import Council, Meeting
from resursrad.models import User
from resursrad.permissions import is_coordinator

# --- plan ---


def can_plan(user: User) -> bool:
    """The planning pages are the coordinators'."""
    return is_coordinator(user)


def can_plan_meeting(user: User, meeting: Meeting) -> bool:
    """A coordinator of the meeting's council plans it: its details, its agenda and its slots."""
    if not is_coordinator(user):
        return False
    cache = getattr(user, "_coordinated_council_ids", None)
    if cache is None:
        cache = set(Council.objects.coordinated_by(user).values_list("pk", flat=True))
        user._coordinated_council_ids = cache  # type: ignore[attr-defined]
    return meeting.council_id in cache
