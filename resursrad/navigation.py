"""What each role may reach: the start pages and the main navigation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from resursrad import permissions
from resursrad.models import User


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    allowed: Callable[[User], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# One start page per role, in the order a user holding several sees them.
START_PAGES: list[NavItem] = [
    NavItem("start_case_worker", _("My cases"), permissions.is_case_worker),
    NavItem("start_coordinator", _("Coordination"), permissions.is_coordinator),
    NavItem("start_council", _("Council"), permissions.is_council_member),
    NavItem("start_steering", _("Steering group"), permissions.is_steering_member),
    NavItem("start_admin", _("Administration"), permissions.is_administrator),
]


def start_pages_for(user: User) -> list[NavItem]:
    return [item for item in START_PAGES if item.allowed(user)]


def menu_for(user: User) -> list[NavItem]:
    return start_pages_for(user)
