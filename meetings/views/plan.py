"""The coordinator's planning: the backlog, meetings and series, and each meeting's agenda."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases import workflow
from cases.access import get_referral_for_user, log_shown
from cases.models import Referral
from cases.workflow import DomainError
from meetings import compiled_agenda
from meetings.access import get_agenda_item_for_user, get_meeting_for_user
from meetings.forms.plan import (
    CancelMeetingForm,
    MeetingForm,
    MoveToForm,
    MoveWithinForm,
    PlaceCaseForm,
    SeriesForm,
    SlotForm,
    meeting_options,
)
from meetings.models import AgendaItem, Council, Meeting, MeetingStatus
from meetings.models.meetings import AgendaDoesNotFit, MeetingEditConflict
from meetings.permissions import can_plan, can_plan_meeting, role_or_404
from resursrad.models import AccessAction, User
from resursrad.types import AuthenticatedHttpRequest

GET_POST = ["GET", "HEAD", "POST"]
# As the other lists: each row carries its own form with every coming meeting to choose from,
# and a meeting has room for a dozen cases.
BACKLOG_PAGE_SIZE = 25
# The coming meetings the planning page offers; later ones are reached from an agenda.
MEETINGS_SHOWN = 30


def _errors(*forms: Any) -> dict[str, Any]:
    """Context for the error summary at the top of a form page."""
    return {"error_forms": forms, "has_errors": any(form.is_bound and form.errors for form in forms)}


def _plans_item(user: User, item: AgendaItem) -> bool:
    return can_plan_meeting(user, item.meeting)


def _coming_meetings(
    user: User, *, council: Council | None = None, exclude: Meeting | None = None
) -> list[Meeting]:
    meetings = Meeting.objects.coming_choices(
        user, timezone.localdate(), council=council, exclude=exclude.pk if exclude else None
    )
    return list(meetings[:MEETINGS_SHOWN])


def _time_message(item: AgendaItem) -> str:
    start, _end = item.times()
    return _("%(case)s has a time at the meeting on %(date)s at %(time)s.") % {
        "case": item.referral.case_number,
        "date": item.meeting.date.isoformat(),
        "time": f"{timezone.localtime(start):%H:%M}",
    }


# --- the planning page ----------------------------------------------------------


@require_safe
@login_required
@role_or_404(can_plan)
def planning(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render_planning(request)


def _render_planning(
    request: AuthenticatedHttpRequest, *, bound: PlaceCaseForm | None = None, bound_pk: int | None = None
) -> HttpResponse:
    user = request.user
    meetings = _coming_meetings(user)
    # Rows of five values, not referrals: the page shows these and links each case (meeting_rows).
    backlog = (
        Referral.objects.visible_to(user)
        .backlog()
        .values_list("pk", "case_number", "status", "backlog_since", "requested_parties", named=True)
    )
    page = Paginator(backlog, BACKLOG_PAGE_SIZE).get_page(request.GET.get("page"))
    options = meeting_options(meetings)
    rows = [
        {
            "referral": referral,
            "follow_up": referral.status == workflow.Status.FOLLOW_UP,
            "field_id": f"place-{referral.pk}-meeting",
            "form": bound if bound is not None and referral.pk == bound_pk else None,
        }
        for referral in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "meetings": [
            {
                "meeting": m,
                "overruns": m.overruns(m.planned_count),  # type: ignore[attr-defined]
                "full": not m.has_room_after(m.planned_count),  # type: ignore[attr-defined]
            }
            for m in meetings
        ],
        # The same options in every row: written once, not once per row (meeting_rows.backlog_rows).
        "meeting_options": options,
        "councils": list(Council.objects.coordinated_by(user).filter(is_active=True)),
        "now": timezone.now(),
        **_errors(*(row["form"] for row in rows if row["form"] is not None)),
    }
    return render(request, "meetings/plan/planning.html", context, status=400 if bound else 200)


@require_POST
@login_required
@role_or_404(can_plan)
def place_case(request: AuthenticatedHttpRequest, referral_pk: int) -> HttpResponse:
    referral = get_referral_for_user(request, referral_pk, action=AccessAction.UPDATE)
    if referral.status not in workflow.BACKLOG_STATES:
        messages.info(request, _("%(case)s no longer waits for a meeting.") % {"case": referral.case_number})
        return redirect("meetings:planning")
    form = PlaceCaseForm(
        request.POST, meetings=_coming_meetings(request.user), auto_id=f"place-{referral.pk}-%s"
    )
    if not form.is_valid():
        return _render_planning(request, bound=form, bound_pk=referral.pk)
    try:
        item = form.chosen.place_case(referral, by=request.user)
    except DomainError as error:
        messages.error(request, f"{referral.case_number}: {error}")
    else:
        messages.success(request, _time_message(item))
    return redirect("meetings:planning")


# --- meetings and series --------------------------------------------------------


def _chosen_council(request: AuthenticatedHttpRequest, councils: Any) -> Council | None:
    wanted = request.GET.get("council", "")
    chosen = councils.filter(pk=int(wanted)).first() if wanted.isdigit() and len(wanted) < 10 else None
    return chosen or councils.first()


@require_http_methods(GET_POST)
@login_required
@role_or_404(can_plan)
def meeting_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    councils = Council.objects.coordinated_by(request.user).filter(is_active=True)
    initial = MeetingForm.initial_for(_chosen_council(request, councils))
    form = MeetingForm(request.POST or None, councils=councils, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting, created = Meeting.plan(council=form.cleaned_data["council"], **form.details())
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request,
                    _("The meeting on %(date)s has been created.") % {"date": meeting.date.isoformat()},
                )
            else:
                messages.info(request, _("The meeting had already been created."))
            return redirect("meetings:agenda", pk=meeting.pk)
    context = {"form": form, "has_councils": councils.exists(), **_errors(form)}
    return render(request, "meetings/plan/meeting_form.html", context)


@require_http_methods(GET_POST)
@login_required
@role_or_404(can_plan)
def series_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    councils = Council.objects.coordinated_by(request.user).filter(is_active=True)
    initial = SeriesForm.initial_for(_chosen_council(request, councils))
    form = SeriesForm(request.POST or None, councils=councils, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meetings, created = Meeting.plan_series(
                council=data["council"],
                first=data["first"],
                last=data["last"],
                every_weeks=data["every_weeks"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                remote_link=data["remote_link"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if created:
                messages.success(
                    request, _("%(count)s meetings have been created.") % {"count": len(meetings)}
                )
            else:
                messages.info(request, _("The series had already been created."))
            return redirect("meetings:planning")
    context = {"form": form, "has_councils": councils.exists(), **_errors(form)}
    return render(request, "meetings/plan/series_form.html", context)


@require_http_methods(GET_POST)
@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, allowed=can_plan_meeting)
    if not meeting.is_open:
        messages.error(
            request,
            _("The meeting is “%(status)s”: it can no longer change.")
            % {"status": meeting.get_status_display()},
        )
        return redirect("meetings:agenda", pk=meeting.pk)
    form = MeetingForm(
        request.POST or None, councils=None, editing=meeting, initial=MeetingForm.initial_from(meeting)
    )
    saved = None
    if request.method == "POST" and form.is_valid():
        try:
            meeting.update_details(
                expected_version=form.cleaned_data["version"] or 0, by=request.user, **form.details()
            )
        except MeetingEditConflict as error:
            messages.error(request, str(error))
            saved = error.current
            # The next save is a deliberate choice to replace the other version.
            data = request.POST.copy()
            data["version"] = str(saved.version)
            form = MeetingForm(data, councils=None, editing=meeting)
            form.is_valid()
        except AgendaDoesNotFit as error:
            form.add_error(error.field, str(error))
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The meeting's details have been saved."))
            return redirect("meetings:agenda", pk=meeting.pk)
    context = {"form": form, "meeting": meeting, "saved": saved, **_errors(form)}
    return render(request, "meetings/plan/meeting_form.html", context, status=409 if saved else 200)


@require_http_methods(GET_POST)
@login_required
def meeting_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, allowed=can_plan_meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.info(request, _("The meeting had already been cancelled."))
        return redirect("meetings:planning")
    form = CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cancelled = meeting.cancel(by=request.user, reason=form.cleaned_data["cancel_reason"])
        except DomainError as error:
            messages.error(request, str(error))
            return redirect("meetings:agenda", pk=meeting.pk)
        if cancelled:
            messages.success(
                request,
                _(
                    "The meeting on %(date)s is cancelled. Its cases are back among those waiting for a meeting."
                )
                % {"date": meeting.date.isoformat()},
            )
        else:
            messages.info(request, _("The meeting had already been cancelled."))
        return redirect("meetings:planning")
    planned = meeting.items.planned().count()
    context = {"form": form, "meeting": meeting, "planned": planned, **_errors(form)}
    return render(request, "meetings/plan/meeting_cancel.html", context)


# --- the agenda -------------------------------------------------------------------


@require_safe
@login_required
def agenda(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, allowed=can_plan_meeting)
    return _render_agenda(request, meeting)


def _render_agenda(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    *,
    bound: MoveToForm | None = None,
    bound_pk: int | None = None,
) -> HttpResponse:
    items = compiled_agenda.planned_items(meeting)
    representatives = compiled_agenda.representative_names(items)
    # The slots name cases and what each individual needs (interpreter, participation): a read of each.
    log_shown(request, [item.referral for item in items], AccessAction.VIEW)
    others = (
        compiled_agenda.other_coming_meetings(
            request.user, meeting, today=timezone.localdate(), limit=MEETINGS_SHOWN
        )
        if meeting.is_open
        else []
    )
    move_options = meeting_options(others)
    slots = [
        {
            "item": item,
            "start": start,
            "end": end,
            "number": number,
            "first": number == 1,
            "last": number == len(items),
            "representatives": representatives[item.pk],
            "field_id": f"move-{item.pk}-meeting",
            "move_form": bound if bound is not None and item.pk == bound_pk else None,
        }
        for number, (item, (start, end)) in enumerate(
            zip(items, meeting.slot_times(len(items)), strict=True), start=1
        )
    ]
    context = {
        "meeting": meeting,
        "slots": slots,
        "overruns": meeting.overruns(len(items)),
        "move_options": move_options,
        "can": {
            "change": meeting.is_open,
            "send": meeting.status == MeetingStatus.PLANNED and bool(items),
        },
        **_errors(*(slot["move_form"] for slot in slots if slot["move_form"] is not None)),
    }
    return render(request, "meetings/plan/agenda.html", context, status=400 if bound else 200)


@require_POST
@login_required
def agenda_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, allowed=can_plan_meeting)
    try:
        sent = meeting.send_agenda(by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if sent:
            messages.success(request, _("The agenda has been sent to the council's members."))
        else:
            messages.info(request, _("The agenda had already been sent."))
    return redirect("meetings:agenda", pk=meeting.pk)


@require_POST
@login_required
def slot_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Flytta upp / Flytta ned: one step in the agenda's order."""
    item = get_agenda_item_for_user(request, pk, action=AccessAction.UPDATE, allowed=_plans_item)
    form = MoveWithinForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose move up or move down."))
    else:
        try:
            item.move_within(form.step, by=request.user, seen_position=form.cleaned_data["position"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The order has been changed. The times follow the new order."))
    return redirect(f"{_agenda_url(item.meeting_id)}#slot-{item.pk}")


def _agenda_url(meeting_pk: int) -> str:
    return reverse("meetings:agenda", args=[meeting_pk])


@require_POST
@login_required
def slot_move_to(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_agenda_item_for_user(request, pk, action=AccessAction.UPDATE, allowed=_plans_item)
    meeting = item.meeting
    form = MoveToForm(
        request.POST,
        meetings=_coming_meetings(request.user, council=meeting.council, exclude=meeting),
        auto_id=f"move-{item.pk}-%s",
    )
    if not form.is_valid():
        return _render_agenda(request, meeting, bound=form, bound_pk=item.pk)
    try:
        moved = item.move_to(form.chosen, by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
        return redirect("meetings:agenda", pk=meeting.pk)
    messages.success(request, _time_message(moved))
    return redirect("meetings:agenda", pk=meeting.pk)


@require_POST
@login_required
def slot_take_off(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    item = get_agenda_item_for_user(request, pk, action=AccessAction.UPDATE, allowed=_plans_item)
    try:
        item.take_off(by=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(case)s has been taken off the agenda and waits for a meeting again.")
            % {"case": item.referral.case_number},
        )
    return redirect("meetings:agenda", pk=item.meeting_id)


@require_http_methods(GET_POST)
@login_required
def slot_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = AccessAction.UPDATE if request.method == "POST" else AccessAction.VIEW
    item = get_agenda_item_for_user(request, pk, action=action, allowed=_plans_item)
    if not (item.is_planned and item.meeting.is_open):
        messages.error(request, _("The case is no longer on this agenda."))
        return redirect("meetings:agenda", pk=item.meeting_id)
    today = timezone.localdate()
    initial = {
        "case_worker": item.case_worker_id,
        "representatives": [r.member_id for r in item.representatives.all()],
        "interpreter_language": item.interpreter_language,
        "participation": item.participation,
    }
    form = SlotForm(
        request.POST or None,
        initial=initial,
        case_workers=item.case_worker_choices(),
        members=item.representative_choices(today),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item.set_details(
                by=request.user,
                case_worker=data["case_worker"],
                members=list(data["representatives"]),
                interpreter_language=data["interpreter_language"],
                participation=data["participation"],
                today=today,
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("The slot for %(case)s has been saved.") % {"case": item.referral.case_number}
            )
            return redirect(f"{_agenda_url(item.meeting_id)}#slot-{item.pk}")
    start, end = item.times()
    context = {
        "item": item,
        "meeting": item.meeting,
        "form": form,
        "start": start,
        "end": end,
        "parties_without_consent": [
            label
            for code, label in zip(
                item.referral.requested_parties, item.referral.requested_party_labels, strict=True
            )
            if code in item.referral.uncovered_parties(today)
        ],
        **_errors(form),
    }
    return render(request, "meetings/plan/slot_form.html", context)
