"""The follow-up stats pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
