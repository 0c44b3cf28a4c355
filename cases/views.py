from __future__ import annotations

import uuid
from contextlib import nullcontext
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases import compiled_case, compiled_lists, permissions, workflow
from cases.access import access_history, get_referral_for_user, log_shown, logging_shown
from cases.forms import (
    CommentForm,
    ConsentFormSet,
    DecisionForm,
    InboxFilterForm,
    ParticipantForm,
    ParticipantLookupForm,
    ReferralFilterForm,
    ReferralForm,
    SearchForm,
    WithdrawConsentForm,
)
from cases.models import (
    Consent,
    ConsentRefused,
    DomainError,
    EditConflict,
    Participant,
    Referral,
    ReferralQuerySet,
    Status,
    Todo,
)
from resursrad.models import AccessAction, Organisation, Party, User
from resursrad.navigation import fixed_path
from resursrad.pagination import page_without_count
from resursrad.permissions import can_review_access_log, is_coordinator, role_required
from resursrad.types import AuthenticatedHttpRequest

GET_POST = ["GET", "HEAD", "POST"]


PAGE_SIZE = 25


def _errors(*forms: Any) -> dict[str, Any]:
    """Context for the error summary at the top of a form page."""
    return {"error_forms": forms, "has_errors": any(form.is_bound and form.errors for form in forms)}


def _read_action(request: AuthenticatedHttpRequest) -> str:
    return AccessAction.UPDATE if request.method == "POST" else AccessAction.VIEW


# --- lists -----------------------------------------------------------------


@sensitive_post_parameters("q")
@require_http_methods(GET_POST)
@login_required
@role_required(permissions.can_list_referrals)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Search and filters are one form, so that neither loses the other. It goes
    # by POST and a search is answered at once: no name or personal identity
    # number is put in a URL, a log, the history or the session. Without search
    # text the filters go back into the address, where a link can keep them.
    user, today = request.user, timezone.localdate()
    posted = request.method == "POST"
    search = SearchForm(request.POST if posted and "clear" not in request.POST else None)
    query = search.cleaned_data["q"].strip() if search.is_bound and search.is_valid() else ""
    filters = ReferralFilterForm((request.POST if posted else request.GET) or None, user=user)
    if posted and not query and filters.is_valid():
        return redirect(_list_url(filters.query_string()))
    has_todo_list = permissions.has_todo_list(user)
    worklist = compiled_lists.worklist(user, today) if has_todo_list else None
    chosen = filters.chosen()
    show_organisation = not permissions.lists_only_own_organisation(user)

    def narrowed() -> ReferralQuerySet:
        """The rows the search and filters choose, with what a row shows (not for the compiled page)."""
        return (
            Referral.objects.visible_to(user)
            .with_list_data(organisation=show_organisation)
            .matching(user=user, today=today, **chosen)
            .search(query)
        )

    page: Any
    if query:
        # A search says how many it found: few, found through an index.
        referrals = narrowed()
        if has_todo_list:
            referrals = referrals.by_action_needed(user, today)
        page = Paginator(referrals, PAGE_SIZE).get_page(request.POST.get("page"))
    elif worklist is not None and any(chosen.values()):
        # What needs action first, then the rest newest first, each from an index.
        page = narrowed().page_action_first(
            worklist, today=today, number=request.GET.get("page"), size=PAGE_SIZE, narrowed=True
        )
    elif worklist is not None:
        # The same, unfiltered: the page every visit starts on, from its compiled shape.
        page = compiled_lists.page_action_first(
            user,
            worklist,
            today=today,
            number=request.GET.get("page"),
            size=PAGE_SIZE,
            organisation=show_organisation,
        )
    else:
        page = page_without_count(narrowed().order_by("-created_at"), request.GET.get("page"), PAGE_SIZE)
    show_names = permissions.can_see_names_in_lists(user)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "search": SearchForm(initial={"q": query}),
        "query": query,
        "params": params.urlencode(),
        "show_names": show_names,
        "show_organisation": show_organisation,
        "todo": _todo_list(worklist.counts, filters) if worklist is not None else None,
    }
    # The page is rendered while the database commits the access log's rows, and
    # is only answered once they are committed.
    logging = (
        logging_shown(request, page.object_list, AccessAction.SEARCH if query else AccessAction.LIST)
        if show_names or query
        else nullcontext()
    )
    with logging:
        return render(request, "cases/referral_list.html", context)


def _list_url(query_string: str) -> str:
    return fixed_path("cases:list") + (f"?{query_string}" if query_string else "")


# The "Att göra" items: how many cases, said in words, most urgent first.
TODO_LABELS = {
    Todo.QUESTIONS: ngettext_lazy(
        "question from the coordinator to answer", "questions from the coordinator to answer", "count"
    ),
    Todo.DRAFTS: ngettext_lazy("draft to finish", "drafts to finish", "count"),
    Todo.CONSENT: ngettext_lazy(
        "case whose consent expires within %(days)s days",
        "cases whose consent expires within %(days)s days",
        "count",
    ),
    Todo.MEETING: ngettext_lazy(
        "accepted case waiting for a meeting", "accepted cases waiting for a meeting", "count"
    ),
}


def _todo_list(counts: dict[str, int], filters: ReferralFilterForm) -> list[dict[str, Any]]:
    active = filters.chosen().get("todo", "")
    days = settings.CONSENT_EXPIRY_WARNING_DAYS
    # The list's address once for all the items.
    list_url = _list_url("")
    return [
        {
            "kind": kind,
            "count": counts[kind],
            "label": TODO_LABELS[kind] % {"count": counts[kind], "days": days},
            "url": f"{list_url}?{urlencode({'todo': kind.value})}",
            "active": active == kind,
        }
        for kind in Todo
    ]


@require_safe
@login_required
@role_required(is_coordinator)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    visible = Referral.objects.visible_to(request.user)
    waiting = visible.waiting_for_coordinator()
    filters = InboxFilterForm(request.GET or None, organisations=Organisation.objects.as_choices())
    if filters.is_valid():
        if filters.cleaned_data["target_group"]:
            waiting = waiting.in_target_group(filters.cleaned_data["target_group"])
        if filters.cleaned_data["organisation"]:
            waiting = waiting.filter(organisation_id=filters.cleaned_data["organisation"])
    page = Paginator(waiting.with_inbox_data(now), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "now": now,
        "filters": filters,
        "params": params.urlencode(),
        "long_wait_days": settings.INBOX_LONG_WAIT_DAYS,
        **visible.counts_for_inbox(),
    }
    return render(request, "cases/referral_inbox.html", context)


# --- one referral ----------------------------------------------------------


def _step_forms(
    user: User, referral: Referral, bound: dict[str, CommentForm] | None = None
) -> list[dict[str, Any]]:
    """The steps this user can take now, each with its comment form if it has one."""
    steps = []
    uncovered = [str(Party(code).label) for code in referral.uncovered_parties(timezone.localdate())]
    for transition in permissions.transitions_for(user, referral):
        form = (bound or {}).get(transition.name) or _comment_form(transition)
        needs_consent = transition.guard is workflow.consent_covers_requested_parties
        steps.append(
            {"transition": transition, "form": form, "missing_consent": uncovered if needs_consent else []}
        )
    return steps


def _comment_form(transition: workflow.Transition, data: Any = None) -> CommentForm | None:
    if transition.comment is workflow.Comment.NONE:
        return None
    return CommentForm(
        data,
        prefix=transition.name,
        label=transition.comment_label,
        required=transition.comment is workflow.Comment.REQUIRED,
        missing=transition.comment_missing,
    )


def _render_detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    *,
    template: str = "cases/referral_detail.html",
    bound: dict[str, CommentForm] | None = None,
    decision_form: DecisionForm | None = None,
) -> HttpResponse:
    if is_coordinator(request.user) and not permissions.is_referring_case_worker(request.user, referral):
        # The coordinator reads cases from the inbox, as the breadcrumb says.
        request.nav_section = reverse("cases:inbox")
    # The referral as loaded (and logged) gets its consents and history (with who did what) in two more queries.
    compiled_case.load_history(referral)
    today = timezone.localdate()
    user = request.user
    steps = _step_forms(user, referral, bound)
    ending_soon = referral.consent_ending_soon(today)
    context = {
        "referral": referral,
        "participant": referral.participant,
        "today": today,
        "uncovered": [str(Party(code).label) for code in referral.uncovered_parties(today)],
        "consents": [
            {
                "consent": c,
                "in_force": c.in_force(today),
                "ends_soon": c.in_force(today) and ending_soon.get(c.party) == c.valid_until,
                "can_withdraw": permissions.can_withdraw_consent(user, c),
            }
            for c in referral.consents.all()
        ],
        "show_identity": permissions.can_see_identity(user, referral),
        "steps": steps,
        "other_steps": [s for s in steps if s["transition"] not in workflow.DECISIONS],
        "has_main_step": any(s["transition"].style == "primary" for s in steps),
        "can": {
            "edit": permissions.can_edit_referral(user, referral),
            "take_over": permissions.can_take_over_referral(user, referral),
            "register_consent": permissions.can_register_consent(user, referral),
            "withdraw_all": permissions.can_withdraw_all_consents(user, referral),
        },
    }
    decisions = [s["transition"] for s in steps if s["transition"] in workflow.DECISIONS]
    if decisions:
        context["decision_form"] = decision_form or DecisionForm(decisions=decisions)
        context.update(_errors(context["decision_form"]))
    if is_coordinator(user):
        context["next_waiting"] = compiled_case.next_waiting(user, referral)
    context["meeting_slots"] = _meeting_slots(referral)
    return render(request, template, context, status=400 if bound or decision_form else 200)


def _meeting_slots(referral: Referral) -> list[dict[str, Any]]:
    """The case's times on agendas (the meetings app's slots), with when each starts, newest first."""
    slots = []
    for item in compiled_case.agenda_items(referral):
        starts, ends = item.times()
        record = getattr(item, "record", None)
        slots.append(
            {"item": item, "starts": starts, "ends": ends, "final": bool(record and record.is_final)}
        )
    return slots


@require_safe
@login_required
def referral_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=AccessAction.VIEW)
    return _render_detail(request, referral)


@require_safe
@login_required
def referral_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=AccessAction.PRINT)
    return _render_detail(request, referral, template="cases/referral_print.html")


@require_POST
@login_required
def referral_transition(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    name = action.replace("-", "_")
    transition = workflow.TRANSITIONS.get(name)
    if transition is None or not transition.on_case_page:
        raise Http404
    referral = get_referral_for_user(request, pk, action=AccessAction.UPDATE)
    if not permissions.can_transition(request.user, referral, name):
        messages.error(request, _("That step is not possible for this referral now."))
        return redirect("cases:detail", pk=referral.pk)
    form = _comment_form(transition, request.POST)
    if form is not None and not form.is_valid():
        if transition in workflow.DECISIONS:
            # The page shows decisions as one form: show the error there.
            data = {"decision-decision": name, "decision-text": request.POST.get(f"{name}-comment", "")}
            decision = DecisionForm(data, decisions=workflow.DECISIONS)
            decision.is_valid()
            return _render_detail(request, referral, decision_form=decision)
        return _render_detail(request, referral, bound={name: form})
    try:
        referral.perform(name, by=request.user, comment=form.cleaned_data["comment"] if form else "")
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if transition.leaves_case:
            # The list the user lands on no longer shows the case: say which one it was.
            messages.success(request, f"{referral.case_number}: {transition.done}")
            return redirect("cases:list")
        messages.success(request, str(transition.done))
    return redirect("cases:detail", pk=referral.pk)


@require_POST
@login_required
def referral_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The coordinator's decision: accept, ask for more information or decline, in one form."""
    referral = get_referral_for_user(request, pk, action=AccessAction.UPDATE)
    decisions = [t for t in permissions.transitions_for(request.user, referral) if t in workflow.DECISIONS]
    if not decisions:
        messages.error(request, _("That step is not possible for this referral now."))
        return redirect("cases:detail", pk=referral.pk)
    form = DecisionForm(request.POST, decisions=decisions)
    if not form.is_valid():
        return _render_detail(request, referral, decision_form=form)
    try:
        referral.perform(form.chosen.name, by=request.user, comment=form.cleaned_data["text"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, str(form.chosen.done))
    return redirect("cases:detail", pk=referral.pk)


@require_safe
@login_required
@role_required(is_coordinator)
def inbox_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The referral that has waited longest: the coordinator's next one to read."""
    waiting = Referral.objects.visible_to(request.user).waiting_for_coordinator().first()
    if waiting is None:
        messages.info(request, _("The inbox is empty: no referral is waiting for a decision."))
        return redirect("cases:inbox")
    return redirect("cases:detail", pk=waiting.pk)


@require_POST
@login_required
def referral_take_over(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=AccessAction.TAKE_OVER)
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

IDENTIFYING_POST_FIELDS = [
    f"p-{name}"
    for name in (
        "first_name",
        "last_name",
        "personal_number",
        "phone",
        "email",
        "address",
        "pseudonym",
        "accessibility_needs",
    )
]


@sensitive_post_parameters(*IDENTIFYING_POST_FIELDS)
@require_http_methods(GET_POST)
@login_required
@role_required(permissions.can_create_referral)
def referral_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user: User = request.user
    participant_form = ParticipantForm(request.POST or None, prefix="p")
    referral_form = ReferralForm(request.POST or None, prefix="r", organisation=user.organisation)
    token = _token(request.POST.get("form_token")) or uuid.uuid4()
    same_person: list[Referral] = []
    if request.method == "POST" and "stop" in request.POST:
        messages.info(request, _("No new referral was saved."))
        return redirect("cases:list")
    if request.method == "POST" and participant_form.is_valid() and referral_form.is_valid():
        # Before saving: an open case about the same number is named first (confirmation step).
        same_person = _unconfirmed_same_person(
            request, participant_form.cleaned_data["personal_number"], token
        )
        if not same_person:
            try:
                referral = Referral.create_draft(
                    by=user,
                    participant=Participant(**participant_form.stored_values()),
                    token=token,
                    **referral_form.stored_values(),
                )
            except DomainError as error:
                messages.error(request, str(error))
                token = uuid.uuid4()
            else:
                log_shown(request, [referral], AccessAction.CREATE)
                messages.success(
                    request,
                    _("Draft %(case)s has been saved. Register consent for each party, then submit.")
                    % {"case": referral.case_number},
                )
                return redirect("cases:detail", pk=referral.pk)
    return render(
        request,
        "cases/referral_form.html",
        {
            "participant_form": participant_form,
            "referral_form": referral_form,
            "form_token": token,
            "same_person": same_person,
            "same_person_confirmation": ",".join(r.case_number for r in same_person),
            **_errors(participant_form, referral_form),
        },
    )


def _unconfirmed_same_person(
    request: AuthenticatedHttpRequest,
    digits: str,
    token: uuid.UUID | None,
    *,
    editing: Referral | None = None,
) -> list[Referral]:
    """Open cases about the typed number that the user may see and has not yet confirmed.

    Only the user's own cases are named. An open case at another organisation
    is not mentioned at all: even "the council may know this person" would
    tell one authority of the person's contact with another, which secrecy
    (OSL) forbids until the individual consents. The coordinator sees both
    referrals once they are submitted.

    The user confirms by the case numbers shown ("continue" sends them back):
    a case that appears after the confirmation is shown before saving, and a
    double submit of "continue" (the same form token) finds its own draft.
    """
    candidates = Referral.objects.visible_to(request.user).open_for_number(digits)
    if editing is not None:
        candidates = candidates.exclude(pk=editing.pk)
    else:
        candidates = candidates.exclude(creation_token=token, created_by=request.user)
    matches = list(candidates.select_related("participant"))
    confirmed = set(request.POST.get("confirmed_same_person", "").split(","))
    if {referral.case_number for referral in matches} <= confirmed:
        return []
    # The page now says that this number has these cases: a search by number.
    log_shown(request, matches, AccessAction.SEARCH)
    return matches


def _token(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@sensitive_post_parameters(*IDENTIFYING_POST_FIELDS)
@require_http_methods(GET_POST)
@login_required
def referral_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=_read_action(request))
    if not permissions.can_edit_referral(request.user, referral):
        messages.error(
            request, _("The referral can only be changed as a draft or when more information is asked for.")
        )
        return redirect("cases:detail", pk=referral.pk)
    organisation = referral.organisation
    # The form writes what was typed onto the instance when it validates: keep the stored number.
    stored_number = referral.participant.personal_number
    participant_form = ParticipantForm(request.POST or None, prefix="p", instance=referral.participant)
    referral_form = ReferralForm(
        request.POST or None, prefix="r", instance=referral, organisation=organisation
    )
    saved = None
    same_person: list[Referral] = []
    if request.method == "POST" and "stop" in request.POST:
        messages.info(request, _("Nothing was changed."))
        return redirect("cases:detail", pk=referral.pk)
    if request.method == "POST" and participant_form.is_valid() and referral_form.is_valid():
        digits = participant_form.cleaned_data.get("personal_number") or ""
        if digits and digits != stored_number:
            # A changed number may be a person the organisation already has an open case for.
            same_person = _unconfirmed_same_person(request, digits, None, editing=referral)
    if (
        request.method == "POST"
        and not same_person
        and participant_form.is_valid()
        and referral_form.is_valid()
    ):
        try:
            referral.save_edit(
                by=request.user,
                expected_version=referral_form.cleaned_data.get("version") or 0,
                participant_fields=participant_form.stored_values(),
                referral_fields=referral_form.stored_values(),
            )
        except EditConflict as error:
            messages.error(request, str(error))
            # The page shows the other version: that is a read of it, too.
            saved = Referral.objects.select_related("participant").get(pk=referral.pk)
            log_shown(request, [saved], AccessAction.CONFLICT)
            # The next save is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["r-version"] = str(error.current_version)
            referral_form = ReferralForm(data, prefix="r", instance=referral, organisation=organisation)
            referral_form.is_valid()
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("cases:detail", pk=referral.pk)
        else:
            messages.success(request, _("Your changes have been saved."))
            return redirect("cases:detail", pk=referral.pk)
    context = {
        "referral": referral,
        "participant_form": participant_form,
        "referral_form": referral_form,
        "saved": saved,
        "same_person": same_person,
        "same_person_confirmation": ",".join(r.case_number for r in same_person),
        **_errors(participant_form, referral_form),
    }
    return render(request, "cases/referral_form.html", context, status=409 if saved else 200)


# --- consent ---------------------------------------------------------------


@require_http_methods(GET_POST)
@login_required
def consent_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Consent for several parties in one form: a row per party still without consent in force."""
    referral = get_referral_for_user(request, pk, action=_read_action(request))
    if not permissions.can_register_consent(request.user, referral):
        messages.error(request, _("Consent cannot be registered for this referral now."))
        return redirect("cases:detail", pk=referral.pk)
    prefetch_related_objects([referral], "consents")
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    formset = ConsentFormSet(data, referral=referral, user=request.user, today=today)
    if formset.is_bound and formset.is_valid():
        try:
            consents = Consent.register_many(
                referral=referral, by=request.user, rows=formset.rows(), today=today
            )
        except ConsentRefused as error:
            formset.refuse(error)
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("cases:detail", pk=referral.pk)
        else:
            parties = ", ".join(consent.get_party_display() for consent in consents)
            messages.success(
                request, _("Consent has been registered for: %(parties)s.") % {"parties": parties}
            )
            return redirect("cases:detail", pk=referral.pk)
    context = {
        "referral": referral,
        "formset": formset,
        "in_force": referral.consents_in_force(today),
        "error_forms": formset.forms,
        "extra_errors": formset.non_form_errors() if formset.is_bound else [],
        "has_errors": formset.has_errors(),
    }
    return render(request, "cases/consent_form.html", context)


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
    form = WithdrawConsentForm(request.POST or None, given_on=given_on)
    if request.method == "POST" and form.is_valid():
        removed_before = set(referral.removed_parties)
        try:
            withdraw(by=request.user, on=form.cleaned_data["withdrawn_on"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            _say_what_the_withdrawal_did(request, referral, removed_before)
        return redirect("cases:detail", pk=referral.pk)
    parties = [consent.party] if consent else list(referral.requested_parties)
    context = {
        "referral": referral,
        "consent": consent,
        "form": form,
        "outcome": referral.consent_loss_outcome(parties),
        "erasure_days": settings.ERASURE_AFTER_CONSENT_ENDED_DAYS,
        **_errors(form),
    }
    return render(request, "cases/consent_withdraw.html", context)


def _say_what_the_withdrawal_did(
    request: AuthenticatedHttpRequest, referral: Referral, removed_before: set[str]
) -> None:
    referral.refresh_from_db()
    if referral.status == Status.CONSENT_ENDED:
        own = referral.organisation.get_party_display()
        if referral.organisation.party in referral.uncovered_parties(timezone.localdate()):
            text = _(
                "The referral has ended because the consent for the referring party (%(party)s) "
                "is no longer in force. You need to do nothing more."
            )
        else:
            text = _(
                "The referral has ended because no party other than the referring one (%(party)s) "
                "remains. You need to do nothing more."
            )
        messages.warning(request, text % {"party": own})
        return
    newly_removed = [
        str(Party(code).label) for code in referral.removed_parties if code not in removed_before
    ]
    if newly_removed:
        messages.info(
            request,
            _("%(parties)s no longer take part in the case and will not be invited to its meeting.")
            % {"parties": ", ".join(newly_removed)},
        )


@require_http_methods(GET_POST)
@login_required
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=_read_action(request))
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


@require_http_methods(GET_POST)
@login_required
def consent_withdraw_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, pk, action=_read_action(request))
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


# --- the individual's access history ---------------------------------------


@sensitive_post_parameters("personal_number")
@require_http_methods(GET_POST)
@login_required
@role_required(can_review_access_log)
def participant_access_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone who read a participant's record, for the individual's request (by POST: no number in a URL)."""
    form = ParticipantLookupForm(request.POST or None)
    entries = None
    if request.method == "POST" and form.is_valid():
        entries = access_history(request, form.cleaned_data["personal_number"])
    return render(request, "cases/access_history.html", {"form": form, "entries": entries})
