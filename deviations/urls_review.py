"""A deviation's page and the review steps."""

from django.urls import path

from deviations.views import review

urlpatterns = [
    path("<int:pk>/", review.detail, name="detail"),
]
