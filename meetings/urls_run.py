from django.urls import path

from meetings.views import run

urlpatterns = [
    path("<int:pk>/run/", run.meeting_run, name="run"),
    path("slots/<int:item_id>/record/", run.record_edit, name="record"),
    path("slots/<int:item_id>/record/versions/", run.record_versions, name="record_versions"),
    path("slots/<int:item_id>/record/view/", run.record_view, name="record_view"),
    path("slots/<int:item_id>/record/summary/", run.summary, name="summary"),
    path("slots/<int:item_id>/record/response/", run.response, name="response"),
]
