"""The follow-up survey pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
