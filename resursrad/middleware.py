"""Cross-cutting request handling: request ids, refusing bad input, private responses."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

current_request_id: ContextVar[str] = ContextVar("request_id", default="-")
current_upstream_request_id: ContextVar[str] = ContextVar("upstream_request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")

logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """The request id is always made here; a proxy's well-formed id is kept beside it, never instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The access log trusts the request id: a client must not choose it.
        request_id = uuid.uuid4().hex
        incoming = request.headers.get("X-Request-ID", "")
        upstream = incoming if _VALID_ID.match(incoming) else ""
        request.request_id = request_id  # type: ignore[attr-defined]
        request.upstream_request_id = upstream  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        upstream_token = current_upstream_request_id.set(upstream or "-")
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
            current_upstream_request_id.reset(upstream_token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.upstream_request_id = current_upstream_request_id.get()
        return True


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


class RejectBadInputMiddleware:
    """A NUL byte in the path, the query, the form or a cookie is a 400, not a 500 from PostgreSQL.

    PostgreSQL cannot store NUL in text, so such a value would fail wherever it
    reaches a query: the session cookie on every page, a search box, an admin filter.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_bad(request):
            from resursrad.errors import bad_request

            logger.warning("Refused a request with a NUL byte: %s %s", request.method, request.path.encode())
            return bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _is_bad(request: HttpRequest) -> bool:
        if "\x00" in request.path_info or "\x00" in request.META.get("QUERY_STRING", ""):
            return True
        if _has_nul(request.COOKIES) or _has_nul(request.COOKIES.values()):
            return True
        for data in (request.GET, request.POST if request.method == "POST" else None):
            if data is None:
                continue
            for key, values in data.lists():
                if "\x00" in key or _has_nul(values):
                    return True
        return False


class PrivateResponseMiddleware:
    """No page is kept by a browser or a proxy cache, and the page may not use devices.

    Every response of the application carries personal data or is cheap to make
    again, so all of them (logged in or not) say `no-store`; static files are
    served before this middleware and keep their long cache life.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a wrong method with an empty 405; a person gets a page that explains it.

    Typically a step's address (which only its button may send) opened from the
    history or a bookmark. The Allow header is kept.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            from resursrad.errors import method_not_allowed

            return method_not_allowed(response.get("Allow", ""))
        return response


class IdleSessionMiddleware:
    """Keep the idle timeout while writing the session at most once a minute.

    Writing the session on every request (SESSION_SAVE_EVERY_REQUEST) costs
    three queries a page. Instead a session the request used is renewed when
    its last renewal is more than SESSION_RENEW_SECONDS old; the idle timeout
    is then exact to within that many seconds. Sessions the request never
    read (the health check) are left alone.
    """

    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.modified or session.is_empty():
            return response
        now = int(time.time())
        if now - int(session.get(self.KEY, 0)) >= settings.SESSION_RENEW_SECONDS:
            session[self.KEY] = now
        return response
