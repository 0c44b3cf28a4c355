from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from resursrad import permissions
from resursrad.backends import lockout_ends_at
from resursrad.forms import AccessLogFilterForm, LoginForm
from resursrad.models import AccessLog, AdminEvent, AdminEventKind, Heartbeat
from resursrad.navigation import start_pages_for
from resursrad.types import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        }


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@require_POST
def logout_then_message(request: HttpRequest) -> HttpResponse:
    response = auth_views.LogoutView.as_view()(request)
    if response.status_code in (301, 302):
        messages.info(request, _("You have been logged out."))
    return response


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    pages = start_pages_for(request.user)
    if pages:
        return redirect(pages[0].url)
    return render(request, "resursrad/no_role.html")


def _start_page(request: AuthenticatedHttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, template, context)


@require_safe
@login_required
@permissions.role_required(permissions.is_administrator)
def start_admin(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _start_page(request, "resursrad/start_admin.html")


@require_safe
@login_required
@permissions.role_required(permissions.can_view_system_status)
def system_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    heartbeat = Heartbeat.objects.filter(name="celery").first()
    return render(
        request,
        "resursrad/system_status.html",
        {
            "heartbeat": heartbeat,
            "heartbeat_ok": heartbeat is not None
            and not heartbeat.is_stale(now, settings.HEARTBEAT_STALE_AFTER),
            "broker": _("Redis") if settings.CELERY_BROKER_URL.startswith("redis") else _("Built-in (files)"),
            "database": _("PostgreSQL") if connection.vendor == "postgresql" else _("SQLite (development)"),
        },
    )


@require_safe
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "resursrad/privacy_notice.html",
        {
            "controller_name": settings.CONTROLLER_NAME,
            "federation_name": settings.FEDERATION_NAME,
            "erasure_after_consent_ended_days": settings.ERASURE_AFTER_CONSENT_ENDED_DAYS,
            "erasure_after_closed_days": settings.ERASURE_AFTER_CLOSED_DAYS,
        },
    )


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the container platform: answers without touching the database."""
    return JsonResponse({"status": "ok"})


def lockout(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """Shown by django-axes after too many failed logins: says when to try again."""
    cool_off = settings.AXES_COOLOFF_TIME
    retry_at = lockout_ends_at(request, credentials) or timezone.now() + cool_off
    return render(
        request,
        "registration/lockout.html",
        {"retry_at": retry_at, "minutes": int(cool_off.total_seconds() // 60)},
        status=429,
    )


ACCESS_LOG_PAGE_SIZE = 50


@require_GET
@login_required
@permissions.role_required(permissions.can_review_access_log)
def access_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Access-log review (loggkontroll): who read or changed which case, when; newest first."""
    form = AccessLogFilterForm(request.GET or None)
    page = None
    if not form.is_bound:
        page = AccessLog.objects.with_people().page(None, ACCESS_LOG_PAGE_SIZE)
    elif form.is_valid():
        entries = AccessLog.objects.with_people().matching(**form.filters())
        page = entries.page(form.cleaned_data["cursor"], ACCESS_LOG_PAGE_SIZE)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request, "resursrad/access_log.html", {"form": form, "page": page, "params": params.urlencode()}
    )


@require_GET
@login_required
@permissions.role_required(permissions.can_review_access_log)
def admin_events(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The administration log: role changes, password resets and administrator log-ins."""
    kind = request.GET.get("kind", "")
    events = AdminEvent.objects.with_people().of_kind(kind)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "resursrad/admin_events.html",
        {
            "page": page,
            "params": params.urlencode(),
            "kinds": AdminEventKind.choices,
            "kind": kind if kind in AdminEventKind.values else "",
        },
    )
