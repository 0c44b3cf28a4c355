from typing import Any

from django.conf import settings
from django.http import HttpRequest

from resursrad.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    items = menu_for(user) if user is not None and user.is_authenticated else []  # type: ignore[arg-type]
    # The section the page belongs to: the one the view names (a case page is in the
    # coordinator's "Samordning"), or else the longest menu address the path starts with.
    matches = [item.url for item in items if request.path.startswith(item.url)]
    current = getattr(request, "nav_section", None) or (max(matches, key=len) if matches else None)
    return {
        "nav_items": [
            {"url": item.url, "label": item.label, "active": item.url == current} for item in items
        ],
        "federation_name": settings.FEDERATION_NAME,
    }
