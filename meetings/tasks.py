"""The meetings' periodic work. Each task calls one service and is safe to run twice."""

from __future__ import annotations

from datetime import date, datetime

from celery import shared_task

from meetings import services
from resursrad.tasks import REPEATABLE


@shared_task(**REPEATABLE)
def return_follow_ups_to_backlog(today: str | None = None) -> int:
    """Held cases whose follow-up date has come return to the backlog (hourly); a second run moves nothing.

    ``today`` (ISO date) is for tests and catching up by hand; the default is today.
    """
    return services.return_follow_ups_to_backlog(date.fromisoformat(today) if today else None)


@shared_task(**REPEATABLE)
def plan_reminders(now: str | None = None) -> int:
    """Plan the meetings' reminders (hourly); a second run adds nothing.

    ``now`` (ISO date and time) is for tests; the default is now.
    """
    return services.plan_reminders(datetime.fromisoformat(now) if now else None)
