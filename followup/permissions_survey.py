"""Who may see the survey results."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from meetings.models import Council
from resursrad.models import User


def survey_councils_for(user: Any) -> QuerySet[Council]:
    """The councils whose survey results the user may see: a coordinator's own, every one for the styrgrupp."""
    if not (user.is_authenticated and user.is_active):
        return Council.objects.none()
    if user.is_steering_member:
        return Council.objects.all()
    return Council.objects.coordinated_by(user)


def can_see_survey_results(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_steering_member or user.is_coordinator))
