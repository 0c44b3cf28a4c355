"""A deviation's page and the styrgrupp's review steps."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from deviations import permissions
from deviations.access import get_deviation_for_user
from deviations.models import StatementRequest
from resursrad.types import AuthenticatedHttpRequest


@require_safe
@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One page per deviation; what it shows follows who reads it (visibility is the queryset's)."""
    user = request.user
    deviation = get_deviation_for_user(user, pk)
    is_steering = permissions.can_review_deviations(user)
    if is_steering:
        statements = list(deviation.statement_requests.select_related("organisation", "answered_by"))
    else:
        # A party contact sees only its own organisation's requests; a reporter none of them.
        statements = list(
            StatementRequest.objects.for_contact(user)
            .filter(deviation=deviation)
            .select_related("organisation", "answered_by")
        )
    events = list(deviation.events.select_related("by", "organisation")) if is_steering else []
    return render(
        request,
        "deviations/review/detail.html",
        {
            "deviation": deviation,
            "parties": deviation.parties_display(),
            "is_steering": is_steering,
            "is_reporter": deviation.reported_by_id == user.pk,
            "statements": statements,
            "events": events,
            "today": timezone.localdate(),
        },
    )
