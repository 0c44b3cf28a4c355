"""The coordinator's planning pages (helper part "plan")."""

from django.urls import path

from meetings.views import plan

urlpatterns = [
    path("plan/", plan.planning, name="planning"),
    path("plan/cases/<int:referral_pk>/place/", plan.place_case, name="place_case"),
    path("plan/new/", plan.meeting_create, name="meeting_create"),
    path("plan/series/new/", plan.series_create, name="series_create"),
    path("plan/<int:pk>/", plan.agenda, name="agenda"),
    path("plan/<int:pk>/edit/", plan.meeting_edit, name="meeting_edit"),
    path("plan/<int:pk>/cancel/", plan.meeting_cancel, name="meeting_cancel"),
    path("plan/<int:pk>/send/", plan.agenda_send, name="agenda_send"),
    path("plan/slots/<int:pk>/", plan.slot_edit, name="slot_edit"),
    path("plan/slots/<int:pk>/move/", plan.slot_move, name="slot_move"),
    path("plan/slots/<int:pk>/move-to/", plan.slot_move_to, name="slot_move_to"),
    path("plan/slots/<int:pk>/take-off/", plan.slot_take_off, name="slot_take_off"),
]
