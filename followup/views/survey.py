"""The participant survey: the public answer page (no login) and the results for coordinators and the styrgrupp."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from followup.forms.survey import SurveyAnswerForm, SurveyResultsForm
from followup.models_survey import (
    QUESTIONS,
    SURVEY_MIN_ANSWERS,
    Agreement,
    AlreadyAnswered,
    SurveyAnswer,
    SurveyLink,
)
from followup.permissions_survey import can_see_survey_results, survey_councils_for
from meetings.permissions import role_or_404
from resursrad.types import AuthenticatedHttpRequest


def _not_found(request: HttpRequest) -> HttpResponse:
    response = render(request, "404.html", status=404)
    # Django logs every 404 with its path, which here holds the secret token: not logged.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey, by the printed link alone: no login, nothing that identifies the participant."""
    link = SurveyLink.objects.for_token(token)
    if link is None:
        return _not_found(request)
    if link.used_on is not None:
        return render(request, "followup/survey/already.html")
    form = SurveyAnswerForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        context = {"form": form, "council": link.council, "error_forms": [form], "has_errors": form.is_bound}
        return render(request, "followup/survey/answer.html", context, status=400 if form.is_bound else 200)
    try:
        link.answer(**form.answers())
    except AlreadyAnswered:
        return render(request, "followup/survey/already.html")
    return render(request, "followup/survey/thanks.html")


def _default_period(today: date) -> tuple[date, date]:
    return today.replace(month=1, day=1), today.replace(day=1)


@require_safe
@login_required
@role_or_404(can_see_survey_results)
def results(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Counts per question and answer for one council and period; nothing shown under five answers."""
    councils = survey_councils_for(request.user)
    start, end = _default_period(timezone.localdate())
    data = request.GET if "council" in request.GET else None
    form = SurveyResultsForm(
        data, councils=councils, initial={"council": councils.first(), "start": start, "end": end}
    )
    council = councils.first()
    if form.is_bound and form.is_valid():
        council, start, end = (
            form.cleaned_data["council"],
            form.cleaned_data["start"],
            form.cleaned_data["end"],
        )
    context: dict[str, Any] = {
        "form": form,
        "council": council,
        "start": start,
        "end": end,
        "min": SURVEY_MIN_ANSWERS,
        "error_forms": [form],
        "has_errors": bool(form.errors),
    }
    if council is not None and not form.errors:
        context.update(_results(SurveyAnswer.objects.for_period(council, start, end)))
    return render(request, "followup/survey/results.html", context, status=400 if form.errors else 200)


def _results(answers: Any) -> dict[str, Any]:
    counts = answers.counts()
    shown = counts["total"] >= SURVEY_MIN_ANSWERS
    rows = [
        {"question": label, "cells": [counts[f"{field}__{value}"] for value in Agreement.values]}
        for field, label in QUESTIONS
    ]
    return {
        "total": counts["total"],
        "shown": shown,
        "rows": rows if shown else [],
        "answer_labels": Agreement.labels,
        "free_texts": answers.free_texts() if shown else [],
    }
