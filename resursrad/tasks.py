from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from resursrad.models import Heartbeat

# Tasks safe to run twice acknowledge when done and go back to the queue if
# the worker dies; the others say so too. There is no global default.
REPEATABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(acks_late=False)
def record_heartbeat() -> None:
    """Record that the scheduler and a worker are alive; a lost beat is simply the next minute's."""
    Heartbeat.beat("celery")


@shared_task(**REPEATABLE)
def clear_expired_sessions() -> int:
    """Remove expired sessions every night: a logged-out session keeps nothing. Safe to repeat."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
