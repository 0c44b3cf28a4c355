from django.urls import path

from meetings.views import cal

urlpatterns = [
    path("calendar/", cal.calendar, name="calendar"),
    path("calendar/month/", cal.calendar_month, name="calendar_month"),
    path("calendar/feed/", cal.feed_settings, name="feed_settings"),
    # The secret address of a personal feed: no login, see cal.feed.
    path("calendar/<str:token>.ics", cal.feed, name="feed"),
    path("<int:pk>/calendar.ics", cal.meeting_ics, name="meeting_ics"),
    path("agendas/", cal.agendas, name="agendas"),
    path("agendas/<int:pk>/", cal.agenda_view, name="agenda_view"),
    path("agendas/slots/<int:pk>/", cal.slot_view, name="slot_view"),
]
