"""Access-log review (loggkontroll): the samples, and marking a sampled row as reviewed."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from followup.forms.access import ReviewForm
from followup.models_review import (
    OFFICE_CLOSES,
    OFFICE_OPENS,
    SAMPLE_PERIOD_DAYS,
    LogReview,
    Sample,
    sample_rows,
)
from resursrad import permissions
from resursrad.models import AccessLog, AdminEvent
from resursrad.types import AuthenticatedHttpRequest


def reviewers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """404 unless the user reviews the access log: the samples tell others nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not permissions.can_review_access_log(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
@login_required
@reviewers_only
def samples(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One sample of the last period, chosen by a tab; each row links to its review."""
    sample = request.GET.get("sample", Sample.RANDOM)
    if sample not in Sample.values:
        sample = Sample.RANDOM
    return render(
        request,
        "followup/access/samples.html",
        {
            "samples": Sample.choices,
            "sample": sample,
            "sample_label": Sample(sample).label,
            "rows": sample_rows(sample),
            "is_admin_sample": sample == Sample.ADMIN,
            "period_days": SAMPLE_PERIOD_DAYS,
            "opens": OFFICE_OPENS,
            "closes": OFFICE_CLOSES,
        },
    )


def _review(request: AuthenticatedHttpRequest, row: AccessLog | AdminEvent, sample: str) -> HttpResponse:
    own = LogReview.is_own(request.user, row)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if own:
            form.add_error(None, _("You cannot review your own reads or actions. Another reviewer must."))
        elif form.is_valid():
            LogReview.record(
                reviewer=request.user, row=row, sample=sample, comment=form.cleaned_data["comment"]
            )
            messages.success(request, _("The review has been saved."))
            return redirect(f"{reverse('followup:log_samples')}?sample={sample}")
    reviews = row.reviews.with_people()  # type: ignore[union-attr]
    return render(
        request,
        "followup/access/review.html",
        {
            "row": row,
            "is_event": isinstance(row, AdminEvent),
            "sample": sample,
            "sample_label": Sample(sample).label,
            "form": form,
            "own": own,
            "reviews": reviews,
        },
    )


def _sample_of(request: HttpRequest, default: str) -> str:
    sample = request.GET.get("sample", default)
    return sample if sample in Sample.values and sample != Sample.ADMIN else default


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reviewers_only
def review_entry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(AccessLog.objects.with_people(), pk=pk)
    return _review(request, entry, _sample_of(request, Sample.RANDOM))


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reviewers_only
def review_event(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AdminEvent.objects.with_people(), pk=pk)
    return _review(request, event, Sample.ADMIN)
