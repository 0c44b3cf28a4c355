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
    NavItem("cases:list", _("My cases"), permissions.is_case_worker),
    NavItem("cases:inbox", _("Coordination"), permissions.is_coordinator),
    NavItem("start_council", _("Council"), permissions.is_council_member),
    NavItem("start_steering", _("Steering group"), permissions.is_steering_member),
    NavItem("start_admin", _("Administration"), permissions.is_administrator),
]


def start_pages_for(user: User) -> list[NavItem]:
    return [item for item in START_PAGES if item.allowed(user)]


# Further pages in the menu, after the start pages.
MORE_PAGES: list[NavItem] = [
    NavItem("cases:create", _("New referral"), permissions.is_case_worker),
    NavItem(
        "cases:list",
        _("All referrals"),
        lambda user: permissions.is_coordinator(user) and not permissions.is_case_worker(user),
    ),
    NavItem("access_log", _("Access log"), permissions.can_review_access_log),
]


def menu_for(user: User) -> list[NavItem]:
    return start_pages_for(user) + [item for item in MORE_PAGES if item.allowed(user)]
