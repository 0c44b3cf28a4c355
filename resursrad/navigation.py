"""What each role may reach: the start pages and the main navigation.

Each app declares its own pages in ``<app>/navigation.py`` (``START_PAGES``
and ``MORE_PAGES``); this module collects them, so the base package names no
app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from resursrad import permissions
from resursrad.models import User


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    allowed: Callable[[User], bool]
    # Where it stands among all apps' pages, so that a user holding several
    # roles sees their start pages in a fixed order.
    order: int = 100

    @property
    def url(self) -> str:
        return fixed_path(self.url_name)


def fixed_path(url_name: str) -> str:
    """The address of a URL pattern without arguments, reversed once per process.

    The URLconf does not change while the process runs, so the menu's and the
    page frame's links are not resolved anew on every page (a tenth of a
    millisecond each). Keyed by the script prefix and the URLconf in use, as
    reverse() itself depends on them.
    """
    return _fixed_path(url_name, get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)


@lru_cache(maxsize=256)
def _fixed_path(url_name: str, script_prefix: str, urlconf: str | None, root_urlconf: str) -> str:
    return reverse(url_name, urlconf=urlconf)


# The base package's own pages; the start pages of the council and the
# steering group are in the apps that own their work (meetings/, deviations/).
START_PAGES: list[NavItem] = [
    NavItem("start_admin", _("Administration"), permissions.is_administrator, order=50),
    NavItem("access_log", _("Access log"), permissions.is_log_reviewer, order=90),
]
MORE_PAGES: list[NavItem] = [
    NavItem("access_log", _("Access log"), permissions.has_access_log_in_menu, order=90),
]


@cache
def _declared(kind: str) -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.navigation") is not None:
            items.extend(getattr(import_module(f"{config.name}.navigation"), kind, []))
    return sorted(items, key=lambda item: item.order)


def start_pages_for(user: User) -> list[NavItem]:
    return [item for item in _declared("START_PAGES") if item.allowed(user)]


def menu_for(user: User) -> list[NavItem]:
    return start_pages_for(user) + [item for item in _declared("MORE_PAGES") if item.allowed(user)]
