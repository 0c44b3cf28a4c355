from celery import shared_task

from cases.services import end_referrals_with_lapsed_consent as end_lapsed


@shared_task
def end_referrals_with_lapsed_consent() -> int:
    """End the referrals whose consent expired; safe to run any number of times."""
    return end_lapsed()
