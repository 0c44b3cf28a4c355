"""Loading deviations for a user: from what the user may see, or a 404."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from deviations.models import Deviation, StatementRequest


def get_deviation_for_user(user: Any, pk: int) -> Deviation:
    """The deviation if the user may see it (DeviationQuerySet.visible_to), else a 404."""
    return get_object_or_404(
        Deviation.objects.visible_to(user).select_related("reported_by", "handler", "council"),
        pk=pk,
    )


def get_statement_for_contact(user: Any, pk: int) -> StatementRequest:
    """A request for a statement to the user's organisation, if the user is its contact, else a 404."""
    return get_object_or_404(StatementRequest.objects.for_contact(user), pk=pk)
