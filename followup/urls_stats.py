"""The follow-up stats pages: the statistics and the Uppföljning Finsam export."""

from django.urls import URLPattern, path

from followup.views import stats

urlpatterns: list[URLPattern] = [
    path("statistics/", stats.statistics, name="statistics"),
    path("statistics/uppfoljning-finsam.csv", stats.finsam_export, name="finsam_export"),
]
