"""The styrgrupp's overview: every deviation and its CSV, the trends, the report and the meeting dates."""

from django.urls import path

from deviations.views import trends

urlpatterns = [
    path("all/", trends.deviation_list, name="all"),
    path("all/export.csv", trends.deviation_export, name="export"),
    path("trends/", trends.trends, name="trends"),
    path("steering-report/", trends.steering_report, name="steering_report"),
    path("steering-meetings/", trends.steering_meetings, name="steering_meetings"),
    path(
        "steering-meetings/<int:pk>/delete/",
        trends.steering_meeting_delete,
        name="steering_meeting_delete",
    ),
]
