from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from cases.signals import personal_data_erased
        from meetings.erasure import erase_meeting_texts

        # Erasure of a case takes its meeting records' texts with it.
        personal_data_erased.connect(erase_meeting_texts, dispatch_uid="meetings.erase_meeting_texts")
