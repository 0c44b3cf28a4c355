"""Delivery tasks. Each takes ids, calls one service, and is safe to run twice.

They acknowledge only when done (``acks_late``) and are given back to the
queue if the worker process dies (``reject_on_worker_lost``): a second run
finds its rows taken and does nothing. Their time limits stay below the
lease (NOTIFICATION_LEASE_MINUTES) and the broker's visibility timeout, so a
row is never claimed again while a send of it may still be running.
"""

from __future__ import annotations

import uuid

from celery import shared_task

from resursrad.notifications import services

# Seconds. The send's hard limit must stay below the lease (checked in settings).
SEND_SOFT_TIME_LIMIT = 40
SEND_TIME_LIMIT = 50
SWEEP_SOFT_TIME_LIMIT = 120
SWEEP_TIME_LIMIT = 150

DELIVERY = {"acks_late": True, "reject_on_worker_lost": True, "ignore_result": True}


@shared_task(soft_time_limit=SWEEP_SOFT_TIME_LIMIT, time_limit=SWEEP_TIME_LIMIT, **DELIVERY)
def sweep_due_notifications() -> int:
    """Claim what is due and publish its e-mails (beat, every minute, and after each notify)."""
    return services.sweep()


@shared_task(soft_time_limit=SEND_SOFT_TIME_LIMIT, time_limit=SEND_TIME_LIMIT, **DELIVERY)
def send_notifications(claim: str, pks: list[int]) -> int:
    """Send these notifications' e-mails, those this message still holds the claim of."""
    return services.send_claimed(uuid.UUID(claim), pks=pks)


@shared_task(soft_time_limit=SEND_SOFT_TIME_LIMIT, time_limit=SEND_TIME_LIMIT, **DELIVERY)
def send_digest(claim: str, recipient_id: int) -> int:
    """Send one recipient's daily digest, if this message still holds its claim."""
    return services.send_claimed(uuid.UUID(claim), recipient_id=recipient_id)
