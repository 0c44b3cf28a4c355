"""Running the meeting and after it: the coordinator's meeting view, the record, the summary, the responses."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.workflow import DomainError
from meetings import permissions
from meetings.access import (
    get_meeting_to_run,
    get_record_to_read,
    get_saved_record_after_conflict,
    get_slot_to_record,
)
from meetings.forms.run import PlanFormSet, RecordForm, ResponseForm, plan_initial
from meetings.models import AgendaItem, Record, RecordConflict, RecordVersion
from meetings.models.records import attendance_people, responsible_people
from resursrad.models import AccessAction, Party, User
from resursrad.types import AuthenticatedHttpRequest

GET_POST = ["GET", "HEAD", "POST"]


def _errors(*forms: Any, extra: list[str] | None = None) -> dict[str, Any]:
    """Context for the error summary at the top of a form page."""
    return {
        "error_forms": forms,
        "extra_errors": extra or [],
        "has_errors": bool(extra) or any(form.is_bound and form.errors for form in forms),
    }


@require_safe
@login_required
def meeting_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The coordinator's view of the meeting: the slots in order, their times and their records."""
    meeting, items = get_meeting_to_run(request, pk)
    slots = []
    for item, (start, end) in zip(items, meeting.slot_times(len(items)), strict=True):
        record = Record.for_item(item)
        slots.append({"item": item, "start": start, "end": end, "record": record})
    return render(request, "meetings/run/meeting.html", {"meeting": meeting, "slots": slots})


@require_http_methods(GET_POST)
@login_required
def record_edit(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """The record of one slot, step by step: saved as a draft, or saved and finalised."""
    posted = request.method == "POST"
    item = get_slot_to_record(request, item_id, action=AccessAction.UPDATE if posted else AccessAction.VIEW)
    record = Record.for_item(item)
    if record.is_final and not posted:
        messages.info(request, _("The record has been finalised and can no longer be changed."))
        return redirect("meetings:record_view", item_id=item.pk)
    finalising = posted and "finalise" in request.POST
    form, plan = _record_forms(item, record, request.POST if posted else None, finalising=finalising)
    if not posted or not (form.is_valid() and plan.is_valid()):
        return _record_page(request, item, record, form, plan, status=400 if posted else 200)
    try:
        record.save_draft(by=request.user, plan=plan.rows(), **form.draft())
    except RecordConflict as error:
        saved = get_saved_record_after_conflict(request, item)
        data = request.POST.copy()
        # The next save is a deliberate choice to replace the other version.
        data["version"] = str(error.current_version)
        form, plan = _record_forms(item, record, data, finalising=False)
        form.is_valid()
        return _record_page(request, item, record, form, plan, saved=saved, extra=[str(error)], status=409)
    except DomainError as error:
        return _record_page(request, item, record, form, plan, extra=[str(error)], status=409)
    if not finalising:
        messages.success(request, _("The record has been saved as a draft."))
        return redirect(reverse("meetings:record", kwargs={"item_id": item.pk}) + "#record-saved")
    try:
        record.finalise(
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            comment=form.cleaned_data["closing_comment"],
        )
    except DomainError as error:
        messages.error(
            request, _("The record was saved as a draft but not finalised: %(reason)s") % {"reason": error}
        )
        return redirect("meetings:record", item_id=item.pk)
    messages.success(request, _("The record has been finalised."))
    return redirect("meetings:record_view", item_id=item.pk)


def _record_forms(item: AgendaItem, record: Record, data: Any, *, finalising: bool) -> tuple[RecordForm, Any]:
    today = timezone.localdate()
    form = RecordForm(
        data,
        record=record,
        people=attendance_people(item),
        parties=item.referral.parties_with_consent(today),
        previous_plan=record.previous_plan(),
        finalising=finalising,
    )
    plan = PlanFormSet(
        data,
        initial=plan_initial(record),
        prefix="plan",
        form_kwargs={"people": responsible_people(item), "meeting": item.meeting},
    )
    return form, plan


def _record_page(
    request: AuthenticatedHttpRequest,
    item: AgendaItem,
    record: Record,
    form: RecordForm,
    plan: Any,
    *,
    saved: Record | None = None,
    extra: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    plan_errors = [str(error) for error in plan.non_form_errors()] if plan.is_bound else []
    context = {
        "item": item,
        "meeting": item.meeting,
        "referral": item.referral,
        "record": record,
        "form": form,
        "plan": plan,
        "saved": saved,
        **_errors(form, *plan.forms, extra=[*(extra or []), *plan_errors]),
    }
    return render(request, "meetings/run/record_form.html", context, status=status)


@require_safe
@login_required
def record_versions(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """Every earlier version of a record, newest first, with what it said."""
    item = get_slot_to_record(request, item_id, action=AccessAction.VIEW)
    record = Record.for_item(item)
    versions = (
        list(RecordVersion.objects.filter(record_id=record.pk).select_related("saved_by"))
        if record.pk
        else []
    )
    user_ids = {
        row["responsible_user"]
        for v in versions
        for row in v.content.get("plan", [])
        if row.get("responsible_user")
    }
    user_ids |= {row["user"] for v in versions for row in v.content.get("attendance", [])}
    names = {user.pk: user.get_full_name() for user in User.objects.filter(pk__in=user_ids)}
    shown = [{"version": v, "content": _readable(v.content, names)} for v in versions]
    return render(request, "meetings/run/versions.html", {"item": item, "record": record, "versions": shown})


def _readable(content: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """A saved version's content with names and labels instead of ids and codes."""
    return {
        **content,
        "attendance": [
            {
                **row,
                "name": names.get(row["user"], "?"),
                "party_label": Party(row["party"]).label if row.get("party") else "",
            }
            for row in content.get("attendance", [])
        ],
        "perspectives": [
            (Party(party).label, note) for party, note in content.get("perspectives", {}).items()
        ],
        "plan": [
            {
                **row,
                "party_label": Party(row["responsible_party"]).label,
                "person": names.get(row["responsible_user"], "")
                if row.get("responsible_user")
                else row.get("responsible_note", ""),
            }
            for row in content.get("plan", [])
        ],
    }


@require_safe
@login_required
def record_view(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """The record, read-only: the coordinator, the referring case workers and the council's members."""
    item, record = get_record_to_read(request, item_id, action=AccessAction.VIEW)
    return _render_record_view(request, item, record)


def _render_record_view(
    request: AuthenticatedHttpRequest,
    item: AgendaItem,
    record: Record,
    *,
    response_form: ResponseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    responses = list(record.responses.select_related("by"))
    answered = {response.party for response in responses}
    parties = [p for p in permissions.parties_user_answers_for(user, item, today) if p not in answered]
    if response_form is None and record.is_final and parties:
        response_form = ResponseForm(parties=parties)
    can = {
        "edit": permissions.can_edit_record(user, item, record),
        "see_identity": permissions.coordinates(user, item.meeting)
        or permissions.is_referring_case_worker_of(user, item),
        "print_summary": permissions.can_print_summary(user, item),
        "see_versions": permissions.coordinates(user, item.meeting),
    }
    context = {
        "item": item,
        "meeting": item.meeting,
        "referral": item.referral,
        "record": record,
        "attendance": record.attendance.select_related("user"),
        "plan_items": record.plan_items.select_related("responsible_user"),
        "previous_plan": record.previous_plan(),
        "responses": responses,
        "response_form": response_form,
        "can": can,
        **_errors(*([response_form] if response_form else [])),
    }
    return render(request, "meetings/run/record_view.html", context, status=status)


@require_safe
@login_required
def summary(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """The summary for the individual, in plain Swedish, to print or save as PDF."""
    item, record = get_record_to_read(request, item_id, action=AccessAction.PRINT, summary=True)
    coordinators = list(item.meeting.council.coordinators.all())
    context = {
        "item": item,
        "meeting": item.meeting,
        "referral": item.referral,
        "record": record,
        "plan_items": record.plan_items.select_related("responsible_user"),
        "case_worker": item.case_worker or item.referral.handler,
        "coordinator": record.finalised_by or (coordinators[0] if coordinators else None),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/run/summary.html", context)


@require_POST
@login_required
def response(request: AuthenticatedHttpRequest, item_id: int) -> HttpResponse:
    """A party's response to the recommendation; a party responds once."""
    item, record = get_record_to_read(request, item_id, action=AccessAction.UPDATE)
    today = timezone.localdate()
    answered = set(record.responses.values_list("party", flat=True))
    parties = [
        p for p in permissions.parties_user_answers_for(request.user, item, today) if p not in answered
    ]
    if not record.is_final or not permissions.parties_user_answers_for(request.user, item, today):
        messages.error(request, _("You cannot respond to this recommendation."))
        return redirect("meetings:record_view", item_id=item.pk)
    chosen = request.POST.get("party", "")
    if chosen in answered and permissions.can_respond(request.user, item, record, chosen, today):
        # A second response from the same party: say so, rather than an unknown choice.
        parties = [*parties, chosen]
    form = ResponseForm(request.POST, parties=parties)
    if not form.is_valid():
        return _render_record_view(request, item, record, response_form=form, status=400)
    try:
        record.respond(
            party=form.cleaned_data["party"],
            answer=form.cleaned_data["answer"],
            comment=form.cleaned_data["comment"],
            by=request.user,
            today=today,
        )
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The response has been recorded."))
    return redirect("meetings:record_view", item_id=item.pk)
