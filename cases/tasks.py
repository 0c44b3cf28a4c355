from celery import shared_task

from cases import services
from resursrad.tasks import REPEATABLE


@shared_task(**REPEATABLE)
def end_referrals_with_lapsed_consent() -> int:
    """Take parties out of, or end, referrals whose consent expired; safe to run any number of times.

    It takes every lapsed consent, not only those of the last hour, so a run
    lost to a database or broker failure is caught up by the next.
    """
    return services.end_referrals_with_lapsed_consent()


@shared_task(**REPEATABLE)
def plan_reminders() -> int:
    """Notify of consent about to expire and of long waits; a second run adds nothing."""
    return services.plan_reminders()


# Erasure may take long after a pause; still well below the broker's visibility timeout.
@shared_task(soft_time_limit=1800, time_limit=1900, **REPEATABLE)
def erase_due_personal_data() -> dict[str, int]:
    """Nightly erasure (gallring) of what is due; a second run erases nothing."""
    return services.erase_due_personal_data()
