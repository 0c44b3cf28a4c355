"""The administrators' overview in the main navigation (collected by resursrad.navigation).

The notification centre itself is in every user's navigation bar, with its
unread count (``context_processors.py``).
"""

from django.utils.translation import gettext_lazy as _

from resursrad.navigation import NavItem
from resursrad.permissions import can_view_notification_overview

MORE_PAGES = [
    NavItem("notifications:overview", _("Notification overview"), can_view_notification_overview, order=95),
]
