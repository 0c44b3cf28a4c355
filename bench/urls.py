"""The benchmark's own URLs: the application's, plus an admin changelist of referrals.

Administrators must not read cases, so the production admin registers no
referral. Only this benchmark registers one, on an AdminSite of its own, as a
plain Django reference for the referral list.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from cases import workflow
from cases.models import Referral
from resursrad.urls import handler400, handler403, handler404, handler500
from resursrad.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

bench_site = admin.AdminSite(name="bench_admin")


class ReferralAdmin(admin.ModelAdmin):
    """A plain changelist of the rows the referral list shows, with the same columns."""

    list_display = ("case_number", "participant", "status", "organisation", "handler", "created_at")
    list_select_related = ("participant", "organisation", "handler")
    ordering = ("-created_at",)
    list_per_page = 25
    # The bench sets this to the case worker's organisation: the same rows as their list.
    organisation_id: int | None = None

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if self.organisation_id is not None:
            queryset = queryset.filter(
                organisation_id=self.organisation_id, status__in=workflow.VISIBLE_STATES
            )
        return queryset


bench_site.register(Referral, ReferralAdmin)

urlpatterns = [path("bench-admin/", bench_site.urls), *app_urlpatterns]
