from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from resursrad.models import Heartbeat


@shared_task
def record_heartbeat() -> None:
    """Record that the scheduler and a worker are alive."""
    Heartbeat.beat("celery")


@shared_task
def clear_expired_sessions() -> int:
    """Remove expired sessions every night: a logged-out session keeps nothing."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
