"""The benchmark's own URLs: the application's, plus admin changelists of referrals.

Administrators must not read cases, so the production admin registers no
referral. Only this benchmark registers one, on AdminSites of its own, as a
plain Django reference for the referral list: one changelist with the case
worker's rows, one with the coordinator's. Served through bench/settings.py
only. The bench names the two users in-process with mirror(), and to the
gunicorn it starts by their ids in BENCH_MIRROR_CASE_WORKER_ID and
BENCH_MIRROR_COORDINATOR_ID.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib import admin
from django.urls import path

from cases.models import Referral
from resursrad.urls import handler400, handler403, handler404, handler500
from resursrad.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class ReferralAdmin(admin.ModelAdmin):
    """A plain changelist of the rows a user's referral list shows, with the list's columns."""

    list_display = ("case_number", "participant", "status", "organisation", "handler", "created_at")
    list_select_related = ("participant", "organisation", "handler")
    ordering = ("-created_at",)
    list_per_page = 25
    # The user whose list this changelist mirrors: set by mirror(), or read
    # once per process from the environment variable naming the user's id.
    rows_of: Any = None
    rows_of_variable = ""

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if self.rows_of is None and os.environ.get(self.rows_of_variable):
            from resursrad.models import User

            self.rows_of = User.objects.get(pk=int(os.environ[self.rows_of_variable]))
        return queryset.visible_to(self.rows_of) if self.rows_of is not None else queryset


class CaseWorkerReferralAdmin(ReferralAdmin):
    rows_of_variable = "BENCH_MIRROR_CASE_WORKER_ID"


class CoordinatorReferralAdmin(ReferralAdmin):
    rows_of_variable = "BENCH_MIRROR_COORDINATOR_ID"


case_worker_site = admin.AdminSite(name="bench_case_worker")
case_worker_site.register(Referral, CaseWorkerReferralAdmin)
coordinator_site = admin.AdminSite(name="bench_coordinator")
coordinator_site.register(Referral, CoordinatorReferralAdmin)

urlpatterns = [
    path("bench-admin/case-worker/", case_worker_site.urls),
    path("bench-admin/coordinator/", coordinator_site.urls),
    *app_urlpatterns,
]


def mirror(case_worker: Any, coordinator: Any) -> None:
    """Show each changelist the rows of that user's referral list."""
    case_worker_site._registry[Referral].rows_of = case_worker  # type: ignore[attr-defined]
    coordinator_site._registry[Referral].rows_of = coordinator  # type: ignore[attr-defined]
