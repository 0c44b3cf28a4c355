"""The meetings pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from meetings.permissions import can_plan
from resursrad.navigation import NavItem

# The coordinator starts on the planning page; the inbox follows in the menu (cases/navigation.py).
START_PAGES = [
    NavItem("meetings:planning", _("Planning"), can_plan, order=20),
]
