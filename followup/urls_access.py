"""The follow-up access pages: access-log review (loggkontroll) and the register extract (registerutdrag)."""

from django.urls import path

from followup.views import access, rightofaccess

urlpatterns = [
    path("log-review/", access.samples, name="log_samples"),
    path("log-review/entry/<int:pk>/", access.review_entry, name="log_review_entry"),
    path("log-review/event/<int:pk>/", access.review_event, name="log_review_event"),
    path("register-extract/", rightofaccess.start, name="register_extract_start"),
    path("register-extract/<int:pk>/", rightofaccess.extract, name="register_extract"),
]
