"""Error pages in the application's layout, made without the database.

An error page must render when the database is down, the session is broken
or the request is malformed: it gets a plain context (no request, so no
context processor reads the user or the session) and the layout shows no
user menu.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _error_page(template: str, status: int) -> HttpResponse:
    # No request: the context processors (user, messages, navigation) would touch the database.
    content = render_to_string(template, {"federation_name": settings.FEDERATION_NAME})
    return HttpResponse(content, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error_page("400.html", 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error_page("403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was sent without a valid CSRF token, most often from a page left open too long."""
    return _error_page("403_csrf.html", 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return _error_page("404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _error_page("500.html", 500)


def method_not_allowed(allowed: str) -> HttpResponse:
    """A 405 a person can read: the address does its work only from its form's button."""
    response = _error_page("405.html", 405)
    response["Allow"] = allowed
    return response
