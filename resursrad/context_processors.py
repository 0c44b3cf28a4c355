from typing import Any

from django.conf import settings
from django.http import HttpRequest

from resursrad.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = menu_for(user) if user is not None and user.is_authenticated else []  # type: ignore[arg-type]
    # Each address reversed once per request.
    urls = [(item.url, item.label) for item in items]
    # The section the page belongs to: the one the view names (a case page is in the
    # coordinator's "Samordning"), or else the longest menu address the path starts with.
    matches = [url for url, _ in urls if request.path.startswith(url)]
    current = getattr(request, "nav_section", None) or (max(matches, key=len) if matches else None)
    return {
        "nav_items": [{"url": url, "label": label, "active": url == current} for url, label in urls],
        "federation_name": settings.FEDERATION_NAME,
    }
