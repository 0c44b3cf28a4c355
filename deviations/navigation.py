"""The deviations pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from deviations import permissions
from resursrad.navigation import NavItem

# The styrgrupp starts on its inbox; a party's deviation contact on its requests for a statement.
START_PAGES = [
    NavItem("deviations:inbox", _("Deviations to handle"), permissions.can_review_deviations, order=40),
    NavItem(
        "deviations:statements", _("Requests for a statement"), permissions.is_deviation_contact, order=45
    ),
]
MORE_PAGES: list[NavItem] = [
    # The styrgrupp's overview (views/trends.py).
    NavItem("deviations:all", _("All deviations"), permissions.can_review_deviations, order=42),
    NavItem("deviations:trends", _("Trends"), permissions.can_review_deviations, order=43),
    NavItem(
        "deviations:steering_report",
        _("Report to the steering group"),
        permissions.can_review_deviations,
        order=44,
    ),
    # Reporting is everyone's side task, never anyone's start page: after each role's own pages.
    NavItem("deviations:report", _("Report a deviation"), permissions.can_report_deviation, order=80),
    NavItem("deviations:mine", _("My deviations"), permissions.can_report_deviation, order=81),
]
