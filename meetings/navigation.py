"""The meetings pages in the main navigation (collected by resursrad.navigation)."""

from django.utils.translation import gettext_lazy as _

from meetings import permissions
from resursrad.navigation import NavItem

# The coordinator starts on the planning page; the inbox follows in the menu (cases/navigation.py).
START_PAGES = [
    NavItem("meetings:planning", _("Planning"), permissions.can_plan, order=20),
    NavItem("meetings:agendas", _("My agendas"), permissions.has_agendas, order=30),
]
MORE_PAGES = [
    NavItem("meetings:calendar", _("Calendar"), permissions.has_meeting_calendar, order=65),
]
