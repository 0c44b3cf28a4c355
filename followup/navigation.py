"""The follow-up pages in the main navigation (collected by resursrad.navigation).

The survey results, the access-log review and the register extract; the
statistics pages join them here.
"""

from django.utils.translation import gettext_lazy as _

from followup.permissions_survey import can_see_survey_results
from followup.rightofaccess import can_produce_register_extracts
from resursrad import permissions
from resursrad.navigation import NavItem

START_PAGES: list[NavItem] = []
MORE_PAGES: list[NavItem] = [
    NavItem("followup:survey_results", _("Survey results"), can_see_survey_results, order=75),
    NavItem(
        "followup:register_extract_start", _("Register extract"), can_produce_register_extracts, order=76
    ),
    NavItem("followup:log_samples", _("Access-log review"), permissions.can_review_access_log, order=91),
]
