from celery import shared_task

from cases import services


@shared_task
def end_referrals_with_lapsed_consent() -> int:
    """Take parties out of, or end, referrals whose consent expired; safe to run any number of times."""
    return services.end_referrals_with_lapsed_consent()


@shared_task
def erase_due_personal_data() -> dict[str, int]:
    """Nightly erasure (gallring) of what is due; a second run erases nothing."""
    return services.erase_due_personal_data()
