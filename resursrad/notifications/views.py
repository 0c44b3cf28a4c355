"""The notification centre, the preference page and the administrators' overview."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from resursrad import permissions
from resursrad.notifications.forms import (
    OverviewFilterForm,
    PreferenceForm,
    encode_cursor,
    status_choices,
)
from resursrad.notifications.kinds import registry
from resursrad.notifications.models import Notification
from resursrad.types import AuthenticatedHttpRequest

PAGE_SIZE = 25
OVERVIEW_PAGE_SIZE = 50
# The largest id a bigint column holds: a larger one in a URL is simply not found.
MAX_ID = 2**63 - 1


def get_notification_for_user(request: AuthenticatedHttpRequest, pk: int) -> Notification:
    """One of the user's own notifications in their centre; anyone else's is a 404."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    notification = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def _list_url(page: str | None = None) -> str:
    url = reverse("notifications:list")
    return f"{url}?page={page}" if page and page.isdigit() else url


# --- the notification centre ----------------------------------------------------


@require_GET
@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(Notification.objects.for_user(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_GET
@login_required
def notification_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link: it is read now; the page it leads to decides who may see it."""
    notification = get_notification_for_user(request, pk)
    notification.mark_read()
    if not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(notification.url)


@require_POST
@login_required
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for_user(request, pk)
    notification.mark_read()
    messages.success(
        request,
        _("The notification about %(case)s is marked as read.")
        % {"case": notification.reference or notification.kind_label},
    )
    return redirect(_list_url(request.POST.get("page")))


@require_POST
@login_required
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = Notification.objects.mark_all_read(request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d notification is marked as read.",
                "%(count)d notifications are marked as read.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("You had no unread notifications."))
    return redirect(_list_url(request.POST.get("page")))


# --- preferences ------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST or None, user=request.user)
    if form.is_bound and form.is_valid():
        if form.save():
            messages.success(request, _("Your choices for notifications are saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preference_form.html",
        {
            "form": form,
            "error_forms": [form],
            "has_errors": form.is_bound and bool(form.errors),
            "digest_time": settings.NOTIFICATION_DIGEST_TIME,
        },
    )


# --- the administrators' overview ---------------------------------------------------


@require_GET
@login_required
@permissions.role_required(permissions.can_view_notification_overview)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is waiting, sent and failed, by kind; a filtered list with retry for failed rows."""
    form = OverviewFilterForm(request.GET or None)
    chosen = form.chosen()
    period = Notification.objects.due_between(chosen.get("due_from"), chosen.get("due_to"))
    rows = period.for_overview().of_kind(chosen.get("kind")).with_status(chosen.get("status"))
    page, next_cursor = rows.page_after(chosen.get("after"), OVERVIEW_PAGE_SIZE)
    filters = {
        name: request.GET[name] for name in ("kind", "status", "due_from", "due_to") if request.GET.get(name)
    }
    return render(
        request,
        "notifications/overview.html",
        {
            "form": form,
            "error_forms": [form],
            "has_errors": bool(form.errors),
            "counts": _count_rows(period.overview_counts()),
            "statuses": status_choices(),
            "rows": page,
            "first_url": "?" + urlencode(filters) if chosen.get("after") else None,
            "next_url": "?" + urlencode({**filters, "after": encode_cursor(next_cursor)})
            if next_cursor
            else None,
            "return_to": request.get_full_path(),
        },
    )


def _count_rows(counts: dict[str, dict[str, int]]) -> list[dict[str, object]]:
    """One row per kind for the summary table, in the order of the status columns."""
    labels = dict(registry.choices())
    return [
        {
            "kind": kind,
            "label": labels.get(kind, kind),
            "counts": [(status, label, by_status.get(status, 0)) for status, label in status_choices()],
        }
        for kind, by_status in sorted(counts.items(), key=lambda item: labels.get(item[0], item[0]))
    ]


@require_POST
@login_required
@permissions.role_required(permissions.can_view_notification_overview)
def retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send a failed notification again: due at once, the next sweep sends it."""
    if not 0 < pk <= MAX_ID:
        raise Http404
    notification = Notification.objects.filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.retry():
        messages.success(
            request,
            _("The notification about %(case)s will be sent again within a minute.")
            % {"case": notification.reference or notification.kind_label},
        )
    else:
        messages.info(request, _("That notification had not failed; nothing was changed."))
    back = request.POST.get("next", "")
    overview_url = reverse("notifications:overview")
    if back.startswith(overview_url) and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect(overview_url)
