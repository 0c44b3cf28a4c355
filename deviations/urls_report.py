"""The reporter's pages: the report form (on its own or from a meeting slot) and "Mina avvikelser"."""

from django.urls import path

from deviations.views import report

urlpatterns = [
    path("report/", report.report, name="report"),
    path("mine/", report.mine, name="mine"),
]
