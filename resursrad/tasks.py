from celery import shared_task

from resursrad.models import Heartbeat


@shared_task
def record_heartbeat() -> None:
    """Record that the scheduler and a worker are alive."""
    Heartbeat.beat("celery")
