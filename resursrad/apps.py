from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResursradConfig(AppConfig):
    default = True
    name = "resursrad"
    verbose_name = _("Users and organisations")

    def ready(self) -> None:
        from resursrad import signals  # noqa: F401  (connects the log-in hooks)


class AxesConfig(AxesAppConfig):
    """django-axes under a Swedish name in the admin."""

    verbose_name = _("Login lockout")
