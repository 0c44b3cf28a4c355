"""The deviations pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from deviations import permissions
from resursrad.navigation import NavItem

START_PAGES: list[NavItem] = []
MORE_PAGES = [
    # Reporting is everyone's side task, never anyone's start page: after each role's own pages.
    NavItem("deviations:report", _("Report a deviation"), permissions.can_report_deviation, order=80),
    NavItem("deviations:mine", _("My deviations"), permissions.can_report_deviation, order=81),
]
