"""The styrgrupp's overview: every deviation with filters and CSV, the trends, and the report to the styrgrupp."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from deviations import permissions, stats
from deviations.forms.trends import DeviationFilterForm, ReportSinceForm, SteeringMeetingForm, TrendPeriodForm
from deviations.models import Deviation, SteeringMeeting
from deviations.workflow import Category, Status
from resursrad.models import Party
from resursrad.pagination import page_without_count
from resursrad.types import AuthenticatedHttpRequest

PAGE_SIZE = 25
# The report is printed: past this many rows the list and the CSV are the place to read on.
REPORT_ROWS = 100
# Without a registered meeting, the report covers this many days back.
REPORT_DEFAULT_DAYS = 90
GET_POST = ["GET", "HEAD", "POST"]


def steering_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """404 unless the user is a styrgrupp member: the overview tells outsiders nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not permissions.can_review_deviations(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def party_labels(codes: str | None, labels: dict[str, str] | None = None) -> str:
    """ "fk,region" as "Försäkringskassan, Region"."""
    if labels is None:
        labels = {code: str(label) for code, label in Party.choices}
    return ", ".join(labels[code] for code in sorted((codes or "").split(",")) if code)


class _RowLabels:
    """What every row of a list or report looks up, worked out once per request rather than once per row.

    The choice labels are translated once, and the detail page's address is
    reversed once with a stand-in key (a reverse costs about 20 µs, a row
    shows one).
    """

    _STAND_IN = "987654321"

    def __init__(self) -> None:
        self.status = {code: str(label) for code, label in Status.choices}
        self.category = {code: str(label) for code, label in Category.choices}
        self.party = {code: str(label) for code, label in Party.choices}
        head, _, tail = reverse("deviations:detail", args=[int(self._STAND_IN)]).rpartition(self._STAND_IN)
        self._url = (head, tail)

    def url(self, pk: int) -> str:
        head, tail = self._url
        return f"{head}{pk}{tail}"

    def parties(self, deviation: Deviation) -> str:
        return party_labels(getattr(deviation, "party_codes", ""), self.party)


def _rows(deviations: list[Deviation], labels: _RowLabels | None = None) -> list[dict[str, Any]]:
    """A list row's cells as plain strings (deviations/trends/partials/rows.html renders them as they are)."""
    labels = labels or _RowLabels()
    return [
        {
            "deviation": deviation,
            "number": deviation.number,
            "url": labels.url(deviation.pk),
            "status": labels.status.get(deviation.status, deviation.status),
            "category": labels.category.get(deviation.category, deviation.category),
            "parties": labels.parties(deviation),
            "reported": _day(deviation.reported_at),
            "answer_due": _day(deviation.answer_due_on),
            "is_overdue": getattr(deviation, "is_overdue", False),
            "is_system_fault": deviation.is_system_fault,
        }
        for deviation in deviations
    ]


def _decision_rows(deviations: list[Deviation], labels: _RowLabels) -> list[dict[str, Any]]:
    """The report's decisions, with their labels and dates as plain strings."""
    return [
        {
            "deviation": deviation,
            "number": deviation.number,
            "category": labels.category.get(deviation.category, deviation.category),
            "parties": labels.parties(deviation),
            "responsible": labels.party.get(deviation.responsible_party, ""),
            "action_due": _day(deviation.action_due_on),
            "decided": _day(deviation.decided_at),
            "decision": deviation.decision,
        }
        for deviation in deviations
    ]


# --- the list and its CSV --------------------------------------------------


@require_safe
@login_required
@steering_only
def deviation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every deviation, newest first, with filters; overdue rows stand out."""
    filters = DeviationFilterForm(request.GET or None)
    today = timezone.localdate()
    deviations = (
        Deviation.objects.visible_to(request.user)
        .matching(**filters.chosen())
        .with_is_overdue(today)
        .with_list_data()
    )
    page = page_without_count(deviations, request.GET.get("page"), PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "rows": _rows(page.object_list),
        "filters": filters,
        "params": params.urlencode(),
        "export_query": filters.query_string(),
    }
    return render(request, "deviations/trends/list.html", context)


class _Echo:
    """A file whose write hands the line back, for csv.writer in a streamed answer."""

    def write(self, value: str) -> str:
        return value


# A cell that starts like a formula is read as text by a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@require_safe
@login_required
@steering_only
def deviation_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, streamed from one query; no names, the reporter's party at most."""
    filters = DeviationFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid():
        # The list shows what is wrong beside the field.
        return deviation_list(request)
    today = timezone.localdate()
    rows = (
        Deviation.objects.visible_to(request.user)
        .matching(**filters.chosen())
        .with_is_overdue(today)
        .with_list_data()
        .values_list(*EXPORT_FIELDS)
    )
    # Labels now, in the request's language: the file is written after the view returns.
    labels = {
        "status": {code: str(label) for code, label in Status.choices},
        "category": {code: str(label) for code, label in Category.choices},
        "party": {code: str(label) for code, label in Party.choices},
        "yes": _("Yes"),
        "no": _("No"),
    }
    header = [str(title) for title in _export_header()]
    response = StreamingHttpResponse(
        _csv_lines(header, rows.iterator(chunk_size=2000), labels), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filters.file_name()}"'
    return response


EXPORT_FIELDS = [
    "number",
    "status",
    "category",
    "party_codes",
    "reported_at",
    "observed_on",
    "answer_due_on",
    "is_overdue",
    "received_at",
    "decided_at",
    "responsible_party",
    "action_due_on",
    "feedback_at",
    "closed_at",
    "is_system_fault",
    "reported_by__organisation__party",
    "description",
    "consequence",
    "suggestion",
    "decision",
    "feedback",
]


def _export_header() -> list[str]:
    return [
        pgettext("deviations overview", "Number"),
        _("Status"),
        pgettext("deviations overview", "Category"),
        pgettext("deviations overview", "Parties concerned"),
        pgettext("deviations overview", "Reported"),
        pgettext("deviations overview", "Date observed"),
        pgettext("deviations overview", "Answer due"),
        pgettext("deviations overview", "Overdue"),
        pgettext("deviations overview", "Received"),
        pgettext("deviations overview", "Decided"),
        pgettext("deviations overview", "Party responsible"),
        pgettext("deviations overview", "Action due"),
        pgettext("deviations overview", "Feedback given"),
        pgettext("deviations overview", "Closed"),
        pgettext("deviations overview", "System fault"),
        pgettext("deviations overview", "Reporter's party"),
        pgettext("deviations overview", "What happened"),
        pgettext("deviations overview", "Consequence"),
        pgettext("deviations overview", "Suggested improvement"),
        pgettext("deviations overview", "Decided action"),
        pgettext("deviations overview", "Feedback to the reporter"),
    ]


def _day(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localdate(value)
    return str(value.isoformat())


def _csv_lines(header: list[str], rows: Iterator[tuple[Any, ...]], labels: dict[str, Any]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte order mark, so that a spreadsheet reads the file as UTF-8.
    yield "\ufeff" + writer.writerow(header)
    parties, yes, no = labels["party"], labels["yes"], labels["no"]
    for (
        number,
        status,
        category,
        party_codes,
        reported_at,
        observed_on,
        answer_due_on,
        is_overdue,
        received_at,
        decided_at,
        responsible_party,
        action_due_on,
        feedback_at,
        closed_at,
        is_system_fault,
        reporter_party,
        *texts,
    ) in rows:
        yield writer.writerow(
            [
                number,
                labels["status"].get(status, status),
                labels["category"].get(category, category),
                ", ".join(parties[code] for code in sorted((party_codes or "").split(",")) if code),
                _day(reported_at),
                _day(observed_on),
                _day(answer_due_on),
                yes if is_overdue else no,
                _day(received_at),
                _day(decided_at),
                parties.get(responsible_party, ""),
                _day(action_due_on),
                _day(feedback_at),
                _day(closed_at),
                yes if is_system_fault else no,
                parties.get(reporter_party or "", ""),
                *(_cell(text) for text in texts),
            ]
        )


# --- the trends ------------------------------------------------------------


@require_safe
@login_required
@steering_only
def trends(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts per category and per party pair by quarter, open and overdue, the median time to a decision."""
    form = TrendPeriodForm(request.GET or None)
    today = timezone.localdate()
    start, end = form.period(today)
    if not form.is_bound:
        form = TrendPeriodForm(initial={"period_from": start, "period_to": end})
    result = stats.trends(Deviation.objects.visible_to(request.user), start, end, today)
    return render(
        request,
        "deviations/trends/trends.html",
        {"form": form, "trends": result, "charts": stats.charts(result), "today": today},
    )


# --- the report to the styrgrupp -----------------------------------------


@require_safe
@login_required
@steering_only
def steering_report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything since the styrgrupp's last meeting (or a chosen date), to print."""
    form = ReportSinceForm(request.GET or None)
    today = timezone.localdate()
    last_meeting = SteeringMeeting.objects.last_before(today)
    since = form.cleaned_data.get("since") if form.is_bound and form.is_valid() else None
    if since is None:
        since = last_meeting.date if last_meeting else today - timedelta(days=REPORT_DEFAULT_DAYS)
    context = stats.report_since(Deviation.objects.visible_to(request.user), since, today, rows=REPORT_ROWS)
    labels = _RowLabels()
    context["rows"] = _rows(context["rows"], labels)
    context["decisions"] = _decision_rows(context["decisions"], labels)
    context["feedback"] = [
        {"number": deviation.number, "day": _day(deviation.feedback_at), "feedback": deviation.feedback}
        for deviation in context["feedback"]
    ]
    context["statements"] = [
        {
            "number": statement.deviation.number,
            "organisation": str(statement.organisation),
            "day": _day(statement.answered_at),
            "answer": statement.answer,
        }
        for statement in context["statements"]
    ]
    context.update({"form": form, "last_meeting": last_meeting})
    return render(request, "deviations/trends/report.html", context)


@require_http_methods(GET_POST)
@login_required
@steering_only
def steering_meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The styrgrupp's meeting dates: the report starts at the last one."""
    form = SteeringMeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = form.save()
        messages.success(
            request, _("The meeting on %(day)s is registered.") % {"day": meeting.date.isoformat()}
        )
        return redirect("deviations:steering_meetings")
    return render(
        request,
        "deviations/trends/meetings.html",
        {
            "form": form,
            "meetings": SteeringMeeting.objects.all()[:200],
            "error_forms": [form],
            "has_errors": form.is_bound and bool(form.errors),
        },
    )


@require_POST
@login_required
@steering_only
def steering_meeting_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(SteeringMeeting, pk=pk)
    meeting.delete()
    messages.success(request, _("The meeting on %(day)s is removed.") % {"day": meeting.date.isoformat()})
    return redirect("deviations:steering_meetings")
