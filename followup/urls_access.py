"""The follow-up access pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
