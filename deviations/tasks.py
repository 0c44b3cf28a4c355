"""The deviations' periodic work. Each task calls one service and is safe to run twice."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from deviations import services
from resursrad.tasks import REPEATABLE


@shared_task(**REPEATABLE)
def plan_reminders(now: str | None = None) -> int:
    """Plan the deviations' reminders (hourly); a second run adds nothing.

    ``now`` (ISO date and time) is for tests; the default is now.
    """
    return services.plan_reminders(datetime.fromisoformat(now) if now else None)
