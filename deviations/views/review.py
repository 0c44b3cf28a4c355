"""A deviation's page and the review: the styrgrupp's inbox and steps, the party contacts' statements."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from deviations import permissions, services, workflow
from deviations.access import get_deviation_for_user, get_statement_for_contact
from deviations.forms.review import (
    AnswerForm,
    CloseForm,
    CommentForm,
    DecideForm,
    FeedbackForm,
    StatementRequestForm,
    StepForm,
    SystemFaultForm,
    TakeForm,
)
from deviations.models import Deviation, StatementRequest
from deviations.workflow import DeviationError
from resursrad.models import User
from resursrad.types import AuthenticatedHttpRequest


@dataclass(frozen=True)
class Step:
    """One action panel on a deviation's page: its form, who may take it, and the model method it calls."""

    name: str
    form: type[StepForm]
    allowed: Callable[[User, Deviation], bool]
    run: Callable[[Deviation, User, dict[str, Any]], Any]
    label: str | Promise
    done: str | Promise
    style: str = "primary"
    hint: str | Promise = ""


def _transition_allowed(name: str) -> Callable[[User, Deviation], bool]:
    transition = workflow.TRANSITIONS[name]

    def allowed(user: User, deviation: Deviation) -> bool:
        return deviation.status in transition.sources and permissions.may_perform(user, deviation, transition)

    return allowed


def _transition_step(name: str, form: type[StepForm], run: Callable[..., Any]) -> Step:
    transition = workflow.TRANSITIONS[name]
    return Step(
        name=name,
        form=form,
        allowed=_transition_allowed(name),
        run=run,
        label=transition.label,
        done=transition.done,
        style=transition.style,
        hint=transition.hint,
    )


STEPS: dict[str, Step] = {
    step.name: step
    for step in [
        _transition_step("take", TakeForm, lambda d, user, data: d.take(by=user, version=data["version"])),
        _transition_step(
            "request_statement",
            StatementRequestForm,
            lambda d, user, data: d.request_statements(
                by=user,
                organisations=list(data["organisations"]),
                question=data["question"],
                due_on=data["due_on"],
                version=data["version"],
            ),
        ),
        _transition_step(
            "decide",
            DecideForm,
            lambda d, user, data: d.decide(
                by=user,
                decision=data["decision"],
                responsible_party=data["responsible_party"],
                due_on=data["action_due_on"],
                version=data["version"],
            ),
        ),
        _transition_step(
            "give_feedback",
            FeedbackForm,
            lambda d, user, data: d.give_feedback(
                by=user, feedback=data["feedback"], version=data["version"]
            ),
        ),
        _transition_step(
            "close",
            CloseForm,
            lambda d, user, data: d.close(by=user, comment=data["comment"], version=data["version"]),
        ),
        Step(
            name="system_fault",
            form=SystemFaultForm,
            allowed=permissions.may_mark_system_fault,
            run=lambda d, user, data: d.mark_system_fault(
                by=user, is_fault=data["is_fault"], related=list(data["related"]), version=data["version"]
            ),
            label=_("System fault and related deviations"),
            done=_("The system fault and the links have been saved."),
            style="outline-secondary",
            hint=_(
                "A system fault recurs: link the deviations of its kind, so the steering group sees them together."
            ),
        ),
        Step(
            name="comment",
            form=CommentForm,
            allowed=permissions.may_comment,
            # A comment changes nothing anyone else wrote: it is added whatever the version.
            run=lambda d, user, data: d.add_comment(by=user, comment=data["comment"]),
            label=_("Add a comment"),
            done=_("The comment has been added to the history."),
            style="outline-secondary",
            hint=_("Comments are for the steering group; the reporter does not see them."),
        ),
    ]
}


def _step_form(step: Step, deviation: Deviation, data: Any = None) -> StepForm:
    extra: dict[str, Any] = {}
    if step.form is SystemFaultForm:
        extra["candidates"] = services.link_candidates(deviation)
    return step.form(data, deviation=deviation, prefix=step.name, **extra)


def _url(step: Step, deviation: Deviation) -> str:
    return reverse("deviations:step", args=[deviation.pk, step.name.replace("_", "-")])


def _errors(*forms: Any) -> dict[str, Any]:
    """Context for the error summary at the top of the page."""
    return {
        "error_forms": forms,
        "extra_errors": [],
        "has_errors": any(form.is_bound and form.errors for form in forms),
    }


def _detail_page(
    request: AuthenticatedHttpRequest,
    deviation: Deviation,
    *,
    bound: StepForm | None = None,
    bound_step: Step | None = None,
    answer_forms: dict[int, AnswerForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    is_steering = permissions.can_review_deviations(user)
    if is_steering:
        statements = list(deviation.statement_requests.select_related("organisation", "answered_by"))
        request.nav_section = reverse("deviations:inbox")
    else:
        # A party contact sees only its own organisation's requests; a reporter none of them.
        statements = list(
            StatementRequest.objects.for_contact(user)
            .filter(deviation=deviation)
            .select_related("organisation", "answered_by")
        )
    events = list(deviation.events.select_related("by", "organisation")) if is_steering else []
    panels = []
    for step in STEPS.values():
        if bound_step is step and bound is not None:
            # A refused form stays, with what was typed, even if the step is no longer open.
            panels.append({"step": step, "form": bound, "url": _url(step, deviation)})
        elif step.allowed(user, deviation):
            panels.append({"step": step, "form": _step_form(step, deviation), "url": _url(step, deviation)})
    answer_forms = answer_forms or {}
    forms = [panel["form"] for panel in panels]
    for statement in statements:
        if (
            statement.answered_at is None
            and deviation.status != workflow.Status.CLOSED
            and permissions.may_answer(user, statement)
        ):
            form = answer_forms.get(statement.pk) or AnswerForm(prefix=f"answer-{statement.pk}")
            statement.answer_form = form  # type: ignore[attr-defined]
            forms.append(form)
    return render(
        request,
        "deviations/review/detail.html",
        {
            "deviation": deviation,
            "parties": deviation.parties_display(),
            "is_steering": is_steering,
            "is_reporter": deviation.reported_by_id == user.pk,
            "statements": statements,
            "panels": panels,
            "related": list(deviation.related.order_by("-reported_at")) if is_steering else [],
            "events": events,
            "today": timezone.localdate(),
            **_errors(*forms),
        },
        status=status,
    )


@require_safe
@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One page per deviation; what it shows follows who reads it (visibility is the queryset's)."""
    return _detail_page(request, get_deviation_for_user(request.user, pk))


@require_POST
@login_required
def step(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the review, from its panel; a stale page is told, and what was typed is kept."""
    chosen = STEPS.get(action.replace("-", "_"))
    deviation = get_deviation_for_user(request.user, pk)
    if chosen is None or not permissions.can_review_deviations(request.user):
        raise Http404
    form = _step_form(chosen, deviation, request.POST)
    if not form.is_valid():
        return _detail_page(request, deviation, bound=form, bound_step=chosen, status=400)
    try:
        chosen.run(deviation, request.user, form.cleaned_data)
    except DeviationError as error:
        # Read it again: someone else may have changed it; the next submit is made after reading.
        fresh = get_deviation_for_user(request.user, pk)
        form = _step_form(chosen, fresh, form.with_current_version(request.POST, fresh.version))
        form.is_valid()
        form.refuse(error)
        return _detail_page(
            request, fresh, bound=form, bound_step=chosen, status=400 if error.errors else 409
        )
    messages.success(request, str(chosen.done))
    return redirect("deviations:detail", pk=deviation.pk)


@require_POST
@login_required
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The asked organisation's contact gives its statement; once only."""
    statement = get_statement_for_contact(request.user, pk)
    deviation = get_deviation_for_user(request.user, statement.deviation_id)
    form = AnswerForm(request.POST, prefix=f"answer-{statement.pk}")
    if not form.is_valid():
        return _detail_page(request, deviation, answer_forms={statement.pk: form}, status=400)
    try:
        statement.give_answer(by=request.user, answer=form.cleaned_data["answer"])
    except DeviationError as error:
        form.refuse(error)
        if not error.errors:
            # Already answered by a colleague (the page shows that answer) or the deviation
            # is closed (the page no longer offers the form): say so above it.
            messages.error(request, str(error))
            return redirect("deviations:detail", pk=deviation.pk)
        return _detail_page(request, deviation, answer_forms={statement.pk: form}, status=400)
    messages.success(request, str(_("Your organisation's statement has been sent to the steering group.")))
    return redirect("deviations:detail", pk=deviation.pk)


@require_safe
@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The styrgrupp's start page: new deviations to take, the ones I handle, statements answered."""
    if not permissions.can_review_deviations(request.user):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "deviations/review/inbox.html",
        {"inbox": services.inbox_for(request.user, today), "today": today},
    )


@require_safe
@login_required
def statements(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A party contact's requests for a statement: waiting ones with their due dates, then answered ones."""
    if not permissions.is_deviation_contact(request.user):
        raise Http404
    waiting, answered = services.statements_for_contact(request.user)
    return render(
        request,
        "deviations/review/statements.html",
        {"waiting": waiting, "answered": answered, "organisation": request.user.organisation},
    )
