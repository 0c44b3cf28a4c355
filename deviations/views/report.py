"""Reporting a deviation, on its own or from a meeting slot, and the reporter's own list."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from deviations import permissions
from deviations.forms.report import ReportForm, label
from deviations.meeting_origin import MeetingOrigin, origin_for_slot
from deviations.models import Deviation
from deviations.workflow import DeviationError
from resursrad.types import AuthenticatedHttpRequest

GET_POST = ["GET", "HEAD", "POST"]
PAGE_SIZE = 25


def _reporter_or_404(request: AuthenticatedHttpRequest) -> None:
    # The styrgrupp receives deviations and administrators run the system: neither reports.
    if not permissions.can_report_deviation(request.user):
        raise Http404


def _origin(request: AuthenticatedHttpRequest) -> MeetingOrigin | None:
    """The meeting the form was opened from (?slot=), if any: a slot the user may not see is a 404."""
    value = request.GET.get("slot")
    if value is None:
        return None
    if not value.isdigit():
        raise Http404
    return origin_for_slot(request, int(value))


def _token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@require_http_methods(GET_POST)
@login_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Rapportera avvikelse": saved only once the texts identify nobody; a double submit saves once."""
    _reporter_or_404(request)
    origin = _origin(request)
    today = timezone.localdate()
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None, initial=origin.initial(today) if origin else {}, today=today
    )
    token = _token(request.POST.get("form_token")) or uuid.uuid4()
    if posted and form.is_valid():
        try:
            deviation = Deviation.report(
                by=request.user,
                token=token,
                today=today,
                **form.report_values(),
                **(origin.report_fields() if origin else {}),
            )
        except DeviationError as error:
            form.add_refusal(error)
        else:
            messages.success(
                request,
                _("Deviation %(number)s has been reported. The steering group answers you by %(day)s.")
                % {"number": deviation.number, "day": deviation.answer_due_on.isoformat()},
            )
            return redirect("deviations:detail", pk=deviation.pk)
    context = {
        "form": form,
        "form_token": token,
        "origin": origin,
        "labels": {name: label(name) for name in ["council", "meeting_date", "parties_present"]},
        "error_forms": [form],
        "extra_errors": [],
        "has_errors": form.is_bound and bool(form.errors),
    }
    return render(request, "deviations/report/form.html", context, status=400 if posted else 200)


@require_safe
@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """ "Mina avvikelser": the user's own reports, newest first, overdue ones marked."""
    _reporter_or_404(request)
    today = timezone.localdate()
    reports = Deviation.objects.own_reports(request.user).with_is_overdue(today)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "labels": {
            name: label(name) for name in ["number", "reported_at", "category", "status", "answer_due_on"]
        },
    }
    return render(request, "deviations/report/mine.html", context)
