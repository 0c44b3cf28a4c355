"""The follow-up pages in the main navigation (collected by resursrad.navigation).

The statistics, the survey results, the register extract and the access-log review.
"""

from django.utils.translation import gettext_lazy as _

from followup.permissions_survey import can_see_survey_results
from followup.rightofaccess import can_produce_register_extracts
from followup.stats import can_view_statistics
from resursrad import permissions
from resursrad.navigation import NavItem

START_PAGES: list[NavItem] = []
MORE_PAGES: list[NavItem] = [
    # Aggregates for coordinators and the styrgrupp (views/stats.py), after their own work pages.
    NavItem("followup:statistics", _("Statistics"), can_view_statistics, order=46),
    NavItem("followup:survey_results", _("Survey results"), can_see_survey_results, order=75),
    NavItem(
        "followup:register_extract_start", _("Register extract"), can_produce_register_extracts, order=76
    ),
    NavItem("followup:log_samples", _("Access-log review"), permissions.can_review_access_log, order=91),
]
