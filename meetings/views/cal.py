"""The calendar of meetings, the personal calendar feed, and the council member's agendas."""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meetings import ics, permissions
from meetings.access import (
    agenda_slots_for_reader,
    calendar_slots,
    get_calendar_meeting_for_user,
    get_sent_agenda_for_user,
    get_slot_for_council_reader,
)
from meetings.forms.cal import FeedForm, MonthForm
from meetings.models import CalendarFeed, Council, Meeting, MeetingStatus
from resursrad.models import Party
from resursrad.pagination import page_without_count
from resursrad.types import AuthenticatedHttpRequest

PAGE_SIZE = 25
# How far back the feed reaches: the meetings a calendar still shows as recent.
FEED_PAST_DAYS = 90
# The feed's upper bound on meetings: a series runs at most 60 meetings per council.
FEED_MAX_MEETINGS = 500
RECENT_DAYS = 60


def _annotate(user: Any, meetings: list[Meeting], today: date) -> None:
    """Give each meeting the user's slots in it and whether the user may read its agenda."""
    slots = calendar_slots(user, meetings, today)
    readable = set(
        Council.objects.filter(
            Q(pk__in=Council.objects.coordinated_by(user).values("pk"))
            | Q(pk__in=Council.objects.with_member(user).values("pk"))
        ).values_list("pk", flat=True)
    )
    for meeting in meetings:
        meeting.calendar_slots = slots.get(meeting.pk, [])  # type: ignore[attr-defined]
        meeting.agenda_readable = meeting.agenda_is_sent and meeting.council_id in readable  # type: ignore[attr-defined]


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- the calendar ----------------------------------------------------------


@require_safe
@login_required
@permissions.role_or_404(permissions.has_meeting_calendar)
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    meetings = (
        Meeting.objects.in_calendar_of(request.user)
        .upcoming(today)
        .select_related("council")
        .with_slot_count()
    )
    page = page_without_count(meetings, request.GET.get("page"), PAGE_SIZE)
    _annotate(request.user, page.object_list, today)
    context = {"page": page}
    return render(request, "meetings/cal/calendar.html", context)


@require_safe
@login_required
@permissions.role_or_404(permissions.has_meeting_calendar)
def calendar_month(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = MonthForm(request.GET)
    first = (form.cleaned_data["month"] if form.is_valid() else None) or today.replace(day=1)
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    meetings = list(
        Meeting.objects.in_calendar_of(request.user)
        .filter(date__range=(weeks[0][0], weeks[-1][-1]))
        .select_related("council")
        .with_slot_count()
        .order_by("date", "starts_at", "pk")
    )
    _annotate(request.user, meetings, today)
    by_day: dict[date, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        by_day[meeting.date].append(meeting)
    previous = first - timedelta(days=1)
    following = first + timedelta(days=32)
    context = {
        "form": form,
        "month": first,
        "weeks": [[(day, day.month == first.month, by_day.get(day, [])) for day in week] for week in weeks],
        "weekdays": [
            _(name) for name in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
        ],
        "today": today,
        "previous": f"{previous:%Y-%m}" if previous.year >= 2000 else "",
        "next": f"{following:%Y-%m}" if following.year <= 2100 else "",
        "has_meetings": bool(meetings),
    }
    return render(request, "meetings/cal/calendar_month.html", context)


@require_safe
@login_required
@permissions.role_or_404(permissions.has_meeting_calendar)
def meeting_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_calendar_meeting_for_user(request, pk)
    slots = calendar_slots(request.user, [meeting]).get(meeting.pk, [])
    content = ics.calendar_bytes([ics.meeting_event(meeting, slots)])
    return _ics_response(content, f"resursrad-{meeting.date:%Y-%m-%d}.ics")


# --- the personal feed -----------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@permissions.role_or_404(permissions.can_subscribe_to_calendar)
def feed_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FeedForm(request.POST or None)
    address = ""
    if form.is_valid():
        if form.cleaned_data["action"] == FeedForm.ISSUE:
            token = CalendarFeed.issue(request.user)
            # Shown on this page only, never stored: the database keeps the hash.
            address = settings.SITE_URL + reverse("meetings:feed", args=[token])
        else:
            CalendarFeed.revoke_for(request.user)
    active = CalendarFeed.objects.active().filter(user=request.user).first()
    context = {
        "form": form,
        "active": active,
        "address": address,
        "revoked": form.is_valid() and form.cleaned_data["action"] == FeedForm.REVOKE,
    }
    return render(request, "meetings/cal/feed_settings.html", context, status=400 if form.errors else 200)


def _feed_not_found() -> HttpResponse:
    response = HttpResponseNotFound(b"", content_type="text/plain")
    # Django logs every 404 with its path, which here holds the secret: not logged.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The user's meetings as a calendar feed, by the secret address alone (no login)."""
    subscription = CalendarFeed.objects.for_token(token)
    if subscription is None:
        return _feed_not_found()
    user = subscription.user
    today = timezone.localdate()
    meetings = list(
        Meeting.objects.in_calendar_of(user)
        .filter(date__gte=today - timedelta(days=FEED_PAST_DAYS))
        .select_related("council")
        .order_by("date", "starts_at", "pk")[:FEED_MAX_MEETINGS]
    )
    slots = calendar_slots(user, meetings, today)
    events = [ics.meeting_event(meeting, slots.get(meeting.pk, [])) for meeting in meetings]
    return HttpResponse(
        ics.calendar_bytes(events, name=_("Resource council meetings")),
        content_type="text/calendar; charset=utf-8",
    )


# --- the council member's agendas -------------------------------------------


@require_safe
@login_required
@permissions.role_or_404(permissions.has_agendas)
def agendas(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = Meeting.objects.filter(council__in=Council.objects.with_member(request.user).values("pk"))
    coming = mine.upcoming(today).select_related("council").with_slot_count()[:PAGE_SIZE]
    recent = (
        mine.filter(date__lt=today, date__gte=today - timedelta(days=RECENT_DAYS))
        .exclude(status=MeetingStatus.CANCELLED)
        .select_related("council")
        .with_slot_count()
        .order_by("-date", "-starts_at")[:PAGE_SIZE]
    )
    return render(request, "meetings/cal/agendas.html", {"coming": coming, "recent": recent})


@require_safe
@login_required
def agenda_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = get_sent_agenda_for_user(request, pk)
    today = timezone.localdate()
    slots = agenda_slots_for_reader(request, meeting)
    rows = [
        {
            "slot": slot,
            "parties": [Party(code).label for code in slot.item.referral.parties_with_consent(today)],
        }
        for slot in slots
    ]
    context = {"meeting": meeting, "rows": rows, "show_agendas_link": permissions.has_agendas(request.user)}
    return render(request, "meetings/cal/agenda_view.html", context)


@require_safe
@login_required
def slot_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    slot = get_slot_for_council_reader(request, pk)
    referral = slot.item.referral
    context: dict[str, Any] = {
        "slot": slot,
        "meeting": slot.item.meeting,
        "referral": referral,
        "participant": referral.participant,
        "parties": [Party(code).label for code in referral.parties_with_consent(timezone.localdate())],
    }
    return render(request, "meetings/cal/slot_view.html", context)
