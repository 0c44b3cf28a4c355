"""Cross-cutting hooks on log-in: the administration log and the lockout count.

Connected in ResursradConfig.ready(). They record and reset; no domain logic.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from resursrad.models import AdminEvent, AdminEventKind


@receiver(user_logged_in, dispatch_uid="resursrad.record_admin_login")
def record_admin_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and getattr(user, "is_administrator", False):
        AdminEvent.record(request, kind=AdminEventKind.ADMIN_LOGIN, actor=user, subject=user)


@receiver(user_logged_in, dispatch_uid="resursrad.reset_own_login_failures")
def reset_own_login_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A successful log-in clears that user name's failures, not its address's (settings.py)."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.get_username().strip().lower()).delete()
