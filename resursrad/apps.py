from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResursradConfig(AppConfig):
    name = "resursrad"
    verbose_name = _("Users and organisations")
