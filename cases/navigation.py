"""The referral pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from cases import permissions
from resursrad.navigation import NavItem
from resursrad.permissions import is_case_worker, is_coordinator

START_PAGES = [
    NavItem("cases:list", _("My cases"), is_case_worker, order=10),
]
MORE_PAGES = [
    # The coordinator's start page is the planning (meetings/navigation.py); the inbox follows it.
    NavItem("cases:inbox", _("Coordination"), is_coordinator, order=25),
    NavItem("cases:create", _("New referral"), permissions.can_create_referral, order=60),
    NavItem(
        "cases:list",
        _("All referrals"),
        lambda user: is_coordinator(user) and not is_case_worker(user),
        order=70,
    ),
]
