"""The statistics page and the Uppföljning Finsam export: aggregates only, never a person's row."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from deviations.stats import bar_chart
from followup import stats
from followup.forms.stats import StatisticsForm
from followup.stats_masking import DERIVED_TEXT, SMALL_TEXT
from resursrad.types import AuthenticatedHttpRequest


def statistics_readers_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """404 unless the user may read the statistics: the page tells others nothing."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not stats.can_view_statistics(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _charts(result: stats.Statistics) -> dict[str, Any]:
    """One chart per table, of its rows' totals; a hidden count draws no bar and says "<5" or "×"."""
    tables = [
        result.participants,
        *result.referral_tables,
        result.meetings,
        result.plan.table,
        result.responses,
    ]
    charts = {}
    for table in tables:
        items, texts = table.chart_items()
        charts[table.key] = bar_chart(table.chart_title, items, texts)
    return charts


@require_safe
@login_required
@statistics_readers_only
def statistics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Participants, referrals, meetings, times, plans and responses per period, small counts hidden."""
    form = StatisticsForm(request.GET or None)
    context: dict[str, Any] = {
        "form": form,
        "has_errors": False,
        "small_text": SMALL_TEXT,
        "derived_text": DERIVED_TEXT,
    }
    if form.is_bound and not form.is_valid():
        # Nothing is counted for a period that is wrong: the errors are beside the fields.
        context["has_errors"] = True
        return render(request, "followup/stats/statistics.html", context)
    period = form.period(timezone.localdate())
    if not form.is_bound:
        form = StatisticsForm(
            initial={"granularity": period.granularity, "period_from": period.start, "period_to": period.end}
        )
    council = form.cleaned_data.get("council") if form.is_bound else None
    result = stats.statistics(period, council)
    charts = _charts(result)
    finsam = stats.finsam_rows(period, council, result.participant_counts)
    context.update(
        {
            "form": form,
            "result": result,
            "charts": charts,
            "referral_sections": [(table, charts[table.key]) for table in result.referral_tables],
            "finsam": finsam,
            "finsam_cells": stats.finsam_on_screen(finsam),
            "insats": stats.insats_name(council),
            "export_query": form.query_string(period),
        }
    )
    return render(request, "followup/stats/statistics.html", context)


@require_safe
@login_required
@statistics_readers_only
def finsam_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """Participants per period, women and men, exact, as CSV for Uppföljning Finsam; headers only when none."""
    form = StatisticsForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # The page shows what is wrong beside the field.
        return statistics(request)
    period = form.period(timezone.localdate())
    council = form.cleaned_data.get("council") if form.is_bound else None
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(stats.finsam_header())
    for row in stats.finsam_rows(period, council):
        writer.writerow(
            [
                row.start.isoformat(),
                row.end.isoformat(),
                row.insats,
                row.total,
                row.women,
                row.men,
                row.unstated,
            ]
        )
    # A byte order mark, so that a spreadsheet reads the file as UTF-8 (as the deviations' export).
    response = HttpResponse("\ufeff" + output.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stats.finsam_file_name(period, council)}"'
    return response
