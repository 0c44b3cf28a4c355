from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cases import permissions
from cases.forms import (
    CommentForm,
    ConsentForm,
    ParticipantForm,
    ReferralFilterForm,
    ReferralForm,
    SearchForm,
    WithdrawConsentForm,
)
from cases.models import Consent, DomainError, EditConflict, Participant, Referral, ReferralEvent, Status
from resursrad.models import AccessAction, AccessLog, Party, User
from resursrad.permissions import is_case_worker, is_coordinator, role_required
from resursrad.types import AuthenticatedHttpRequest

PAGE_SIZE = 25
SEARCH_SESSION_KEY = "referral_search"


def _errors(*forms: Any) -> dict[str, Any]:
    """Context for the error summary at the top of a form page."""
    return {"error_forms": forms, "has_errors": any(form.is_bound and form.errors for form in forms)}


def get_referral_for_user(user: User, pk: int) -> Referral:
    """The referral if the user may see it, else 404."""
    queryset = Referral.objects.visible_to(user).select_related(
        "participant", "organisation", "handler", "created_by"
    )
    return get_object_or_404(queryset, pk=pk)


def _can_list(user: User) -> bool:
    return is_case_worker(user) or is_coordinator(user)


# --- lists -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@role_required(_can_list)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The free-text search goes by POST into the session, so that no name or
    # personal identity number ever appears in a URL, a log or the history.
    if request.method == "POST":
        search = SearchForm(request.POST)
        query = search.cleaned_data["q"].strip() if search.is_valid() else ""
        if query and "clear" not in request.POST:
            request.session[SEARCH_SESSION_KEY] = query
        else:
            request.session.pop(SEARCH_SESSION_KEY, None)
        target = reverse("cases:list")
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target)

    query = request.session.get(SEARCH_SESSION_KEY, "")
    filters = ReferralFilterForm(request.GET or None)
    referrals = Referral.objects.visible_to(request.user).with_list_data()
    if filters.is_valid():
        referrals = filters.filter(referrals, request.user)
    if query:
        referrals = referrals.search(query)
    page = Paginator(referrals.order_by("-created_at"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/referral_list.html",
        {
            "page": page,
            "filters": filters,
            "search": SearchForm(initial={"q": query}),
            "query": query,
            "params": params.urlencode(),
            "show_names": is_case_worker(request.user),
        },
    )


@require_http_methods(["GET"])
@login_required
@role_required(is_coordinator)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    waiting = Referral.objects.visible_to(request.user).waiting_for_coordinator().with_list_data()
    page = Paginator(waiting, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {
        "info_requested": Referral.objects.visible_to(request.user)
        .filter(status=Status.INFO_REQUESTED)
        .count(),
        "accepted": Referral.objects.visible_to(request.user).filter(status=Status.ACCEPTED).count(),
    }
    return render(request, "cases/referral_inbox.html", {"page": page, "now": timezone.now(), **counts})


# --- one referral ----------------------------------------------------------


@dataclass(frozen=True)
class TransitionAction:
    """One step a user can take on the case page: who may, what comment it needs, what it does."""

    allowed: Callable[[User, Referral], bool]
    perform: Callable[[Referral, User, str], None]
    done: str | Promise
    comment: str | None = None  # None, "optional" or "required"
    label: str | Promise = ""


TRANSITION_ACTIONS: dict[str, TransitionAction] = {
    "submit": TransitionAction(
        permissions.can_submit_referral,
        lambda referral, user, _comment: referral.submit(by=user),
        gettext_lazy("The referral has been submitted to the coordinator."),
    ),
    "request-info": TransitionAction(
        permissions.can_decide_referral,
        lambda referral, user, comment: referral.request_info(by=user, question=comment),
        gettext_lazy("Your question has been sent to the case worker."),
        "required",
        gettext_lazy("Your question to the case worker"),
    ),
    "resubmit": TransitionAction(
        permissions.can_answer_referral,
        lambda referral, user, comment: referral.resubmit(by=user, answer=comment),
        gettext_lazy("Your answer has been sent and the referral submitted again."),
        "required",
        gettext_lazy("Your answer to the coordinator"),
    ),
    "accept": TransitionAction(
        permissions.can_decide_referral,
        lambda referral, user, comment: referral.accept(by=user, comment=comment),
        gettext_lazy("The referral has been accepted and waits for a time on an agenda."),
        "optional",
        gettext_lazy("Comment (optional)"),
    ),
    "decline": TransitionAction(
        permissions.can_decide_referral,
        lambda referral, user, comment: referral.decline(by=user, reason=comment),
        gettext_lazy("The referral has been declined."),
        "required",
        gettext_lazy("Why the referral is declined"),
    ),
    "close": TransitionAction(
        permissions.can_close_referral,
        lambda referral, user, comment: referral.close(by=user, reason=comment),
        gettext_lazy("The referral has been closed."),
        "required",
        gettext_lazy("Why the referral is closed"),
    ),
}


def _comment_form(action: str, data: Any = None) -> CommentForm:
    spec = TRANSITION_ACTIONS[action]
    return CommentForm(data, prefix=action, label=spec.label, required=spec.comment == "required")


def _action_forms(bound: dict[str, CommentForm] | None = None) -> dict[str, CommentForm]:
    """The comment forms of the case page, keyed for templates (request-info → request_info)."""
    forms = {action: _comment_form(action) for action, spec in TRANSITION_ACTIONS.items() if spec.comment}
    forms.update(bound or {})
    return {key.replace("-", "_"): form for key, form in forms.items()}


def _render_detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    *,
    template: str = "cases/referral_detail.html",
    bound: dict[str, CommentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    referral = (
        Referral.objects.filter(pk=referral.pk)
        .select_related("participant", "organisation", "handler", "created_by")
        .prefetch_related(
            Prefetch("consents", queryset=Consent.objects.select_related("registered_by")),
            Prefetch("events", queryset=ReferralEvent.objects.select_related("by")),
        )
        .get()
    )
    today = timezone.localdate()
    user = request.user
    context = {
        "referral": referral,
        "participant": referral.participant,
        "today": today,
        "uncovered": [str(Party(code).label) for code in referral.uncovered_parties(today)],
        "consents": [
            {
                "consent": c,
                "in_force": c.in_force(today),
                "can_withdraw": permissions.can_withdraw_consent(user, c),
            }
            for c in referral.consents.all()
        ],
        "show_identity": permissions.can_see_identity(user, referral),
        "can": {
            "edit": permissions.can_edit_referral(user, referral),
            "submit": permissions.can_submit_referral(user, referral),
            "answer": permissions.can_answer_referral(user, referral),
            "decide": permissions.can_decide_referral(user, referral),
            "close": permissions.can_close_referral(user, referral),
            "take_over": permissions.can_take_over_referral(user, referral),
            "register_consent": permissions.can_register_consent(user, referral),
            "withdraw_all": permissions.can_withdraw_all_consents(user, referral),
        },
        "forms": _action_forms(bound),
    }
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    AccessLog.record(request, referral=referral, action=AccessAction.VIEW)
    return _render_detail(request, referral)


@require_http_methods(["GET"])
@login_required
def referral_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    AccessLog.record(request, referral=referral, action=AccessAction.PRINT)
    return _render_detail(request, referral, template="cases/referral_print.html")


@require_POST
@login_required
def referral_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    spec = TRANSITION_ACTIONS.get(action)
    if spec is None:
        raise Http404
    if not spec.allowed(request.user, referral):
        messages.error(request, _("That step is not possible for this referral now."))
        return redirect("cases:detail", pk=referral.pk)
    comment = ""
    if spec.comment:
        form = _comment_form(action, request.POST)
        if not form.is_valid():
            AccessLog.record(request, referral=referral, action=AccessAction.VIEW)
            return _render_detail(request, referral, bound={action: form})
        comment = form.cleaned_data["comment"]
    try:
        spec.perform(referral, request.user, comment)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        AccessLog.record(request, referral=referral, action=AccessAction.UPDATE)
        messages.success(request, str(spec.done))
    return redirect("cases:detail", pk=referral.pk)


@require_POST
@login_required
def referral_take_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    if not permissions.can_take_over_referral(request.user, referral):
        messages.error(request, _("You cannot take over this referral."))
        return redirect("cases:detail", pk=referral.pk)
    try:
        referral.take_over(by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You are now the case worker for %(case)s.") % {"case": referral.case_number}
        )
    return redirect("cases:detail", pk=referral.pk)


# --- create and edit -------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@role_required(permissions.can_create_referral)
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    if request.method == "POST":
        participant_form = ParticipantForm(request.POST, prefix="p")
        referral_form = ReferralForm(request.POST, prefix="r", organisation=user.organisation)
        token = _token(request.POST.get("form_token"))
        if participant_form.is_valid() and referral_form.is_valid():
            referral = Referral.create_draft(
                by=user,
                participant=Participant(**participant_form.stored_values()),
                token=token,
                **referral_form.stored_values(),
            )
            AccessLog.record(request, referral=referral, action=AccessAction.CREATE)
            duplicates = Referral.objects.visible_to(user).same_person_as(referral)
            case_numbers = ", ".join(duplicates.values_list("case_number", flat=True))
            if case_numbers:
                messages.warning(
                    request,
                    _("There are already open cases for the same personal identity number: %(cases)s.")
                    % {"cases": case_numbers},
                )
            messages.success(
                request,
                _("Draft %(case)s has been saved. Register consent for each party, then submit.")
                % {"case": referral.case_number},
            )
            return redirect("cases:detail", pk=referral.pk)
    else:
        participant_form = ParticipantForm(prefix="p")
        referral_form = ReferralForm(prefix="r", organisation=user.organisation)
        token = uuid.uuid4()
    return render(
        request,
        "cases/referral_form.html",
        {
            "participant_form": participant_form,
            "referral_form": referral_form,
            "form_token": token or uuid.uuid4(),
            **_errors(participant_form, referral_form),
        },
    )


def _token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@login_required
def referral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    if not permissions.can_edit_referral(request.user, referral):
        messages.error(
            request, _("The referral can only be changed as a draft or when more information is asked for.")
        )
        return redirect("cases:detail", pk=referral.pk)
    organisation = referral.organisation
    conflict = False
    if request.method == "POST":
        participant_form = ParticipantForm(request.POST, prefix="p", instance=referral.participant)
        referral_form = ReferralForm(request.POST, prefix="r", instance=referral, organisation=organisation)
        if participant_form.is_valid() and referral_form.is_valid():
            expected = referral_form.cleaned_data.get("version") or 0
            try:
                referral.save_edit(
                    by=request.user,
                    expected_version=expected,
                    participant_fields=participant_form.stored_values(),
                    referral_fields=referral_form.stored_values(),
                )
            except EditConflict as error:
                conflict = True
                messages.error(request, str(error))
                # The next save is a deliberate choice to replace the other version.
                data = request.POST.copy()
                data["r-version"] = str(error.current_version)
                referral_form = ReferralForm(data, prefix="r", instance=referral, organisation=organisation)
                referral_form.is_valid()
            except DomainError as error:
                messages.error(request, str(error))
                return redirect("cases:detail", pk=referral.pk)
            else:
                AccessLog.record(request, referral=referral, action=AccessAction.UPDATE)
                messages.success(request, _("Your changes have been saved."))
                return redirect("cases:detail", pk=referral.pk)
    else:
        AccessLog.record(request, referral=referral, action=AccessAction.VIEW)
        participant_form = ParticipantForm(prefix="p", instance=referral.participant)
        referral_form = ReferralForm(prefix="r", instance=referral, organisation=organisation)
    saved = Referral.objects.select_related("participant").get(pk=referral.pk) if conflict else None
    return render(
        request,
        "cases/referral_form.html",
        {
            "referral": referral,
            "participant_form": participant_form,
            "referral_form": referral_form,
            "saved": saved,
            **_errors(participant_form, referral_form),
        },
        status=409 if conflict else 200,
    )


# --- consent ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def consent_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    if not permissions.can_register_consent(request.user, referral):
        messages.error(request, _("Consent cannot be registered for this referral now."))
        return redirect("cases:detail", pk=referral.pk)
    if request.method == "POST":
        form = ConsentForm(request.POST, referral=referral)
        if form.is_valid():
            try:
                Consent.register(referral=referral, by=request.user, **form.cleaned_data)
            except DomainError as error:
                messages.error(request, str(error))
            else:
                AccessLog.record(request, referral=referral, action=AccessAction.UPDATE)
                messages.success(request, _("The consent has been registered."))
            return redirect("cases:detail", pk=referral.pk)
    else:
        missing = referral.uncovered_parties(timezone.localdate())
        form = ConsentForm(
            referral=referral,
            initial={
                "party": missing[0] if missing else "",
                "given_on": timezone.localdate(),
                "documented_by": request.user.get_full_name(),
            },
        )
    return render(request, "cases/consent_form.html", {"referral": referral, "form": form, **_errors(form)})


def _withdrawal_page(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    *,
    consent: Consent | None,
    given_on: Any,
    withdraw: Any,
    done: str,
) -> HttpResponse:
    """The date form for a withdrawal of one consent or of all: the same page and rules."""
    if request.method == "POST":
        form = WithdrawConsentForm(request.POST, given_on=given_on)
        if form.is_valid():
            try:
                withdraw(by=request.user, on=form.cleaned_data["withdrawn_on"])
            except DomainError as error:
                messages.error(request, str(error))
            else:
                AccessLog.record(request, referral=referral, action=AccessAction.UPDATE)
                messages.success(request, done)
            return redirect("cases:detail", pk=referral.pk)
    else:
        form = WithdrawConsentForm(given_on=given_on)
    return render(
        request,
        "cases/consent_withdraw.html",
        {"referral": referral, "consent": consent, "form": form, **_errors(form)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    consent = get_object_or_404(referral.consents.all(), pk=consent_pk)
    if not permissions.can_withdraw_consent(request.user, consent):
        messages.error(request, _("This consent cannot be withdrawn here."))
        return redirect("cases:detail", pk=referral.pk)
    return _withdrawal_page(
        request,
        referral,
        consent=consent,
        given_on=consent.given_on,
        withdraw=consent.withdraw,
        done=_("The withdrawal has been registered; sharing with that party stops now."),
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_withdraw_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    if not permissions.can_withdraw_all_consents(request.user, referral):
        messages.error(request, _("There is no consent left to withdraw."))
        return redirect("cases:detail", pk=referral.pk)
    return _withdrawal_page(
        request,
        referral,
        consent=None,
        given_on=max(c.given_on for c in referral.consents.all() if c.withdrawn_on is None),
        withdraw=referral.withdraw_all_consents,
        done=_("The withdrawal has been registered for every party; all sharing stops now."),
    )
