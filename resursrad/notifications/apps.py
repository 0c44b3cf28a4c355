from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "resursrad.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from django.core import checks

        from resursrad.notifications.kinds import check_kinds

        # A kind declared wrongly (a placeholder that could name someone, a
        # name declared twice) stops start-up, not the first step that notifies.
        checks.register(check_kinds, "notifications")
