"""A deviation's page and the review steps; the styrgrupp's inbox; the party contacts' statements."""

from django.urls import path

from deviations.views import review

urlpatterns = [
    path("inbox/", review.inbox, name="inbox"),
    path("statements/", review.statements, name="statements"),
    path("statements/<int:pk>/answer/", review.answer, name="answer"),
    path("<int:pk>/", review.detail, name="detail"),
    path("<int:pk>/step/<slug:action>/", review.step, name="step"),
]
