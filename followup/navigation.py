"""The follow-up pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from followup.stats import can_view_statistics
from resursrad.navigation import NavItem

START_PAGES: list[NavItem] = []
MORE_PAGES: list[NavItem] = [
    # Aggregates for coordinators and the styrgrupp (views/stats.py), after their own work pages.
    NavItem("followup:statistics", _("Statistics"), can_view_statistics, order=46),
]
