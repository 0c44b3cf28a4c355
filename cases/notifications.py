"""The referral workflow's notifications, declared once (collected by resursrad.notifications.kinds).

The texts name the case number, a date or a party, never the individual. The
link opens the case page, which shows a 404 to a reader who may no longer see
the case. Which step sends which kind is declared in ``cases/workflow.py``
(``Transition.notifies``); reminders that follow from time passing are planned
by ``cases.services.plan_reminders``.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import workflow
from cases.workflow import Status
from resursrad.models import Party, Role, User
from resursrad.notifications.kinds import Kind
from resursrad.notifications.models import Notification
from resursrad.notifications.services import notify

if TYPE_CHECKING:
    from cases.models import Consent, Referral

# Reminders are due at this local time on their day: office hours.
REMINDER_TIME = time(8, 0)


def _case(referral: Referral) -> dict[str, str]:
    return {"case_number": referral.case_number}


def _case_url(referral: Referral) -> str:
    return reverse("cases:detail", args=[referral.pk])


def _case_number(referral: Referral) -> str:
    return referral.case_number


def _handler(referral: Referral) -> list[User]:
    return [referral.handler]


def _coordinators(referral: Any) -> list[User]:
    return list(User.objects.filter(is_coordinator=True, is_active=True))


def _handler_and_coordinators(referral: Referral) -> list[User]:
    return [referral.handler, *_coordinators(referral)]


# Who can receive which kind, for the preference page.
CASE_WORKERS = frozenset({Role.CASE_WORKER})
COORDINATORS = frozenset({Role.COORDINATOR})
BOTH = CASE_WORKERS | COORDINATORS


def _case_kind(name: str, **fields: Any) -> Kind:
    """A kind about a referral: the case number, and a link to the case page."""
    return Kind(name=name, context=_case, url=_case_url, reference=_case_number, **fields)


def _removed_parties(referral: Referral) -> dict[str, str]:
    parties = ", ".join(str(Party(code).label) for code in referral.removed_parties)
    return {"case_number": referral.case_number, "parties": parties}


def _consent_context(consent: Consent) -> dict[str, str]:
    return {
        "case_number": consent.referral.case_number,
        "parties": str(Party(consent.party).label),
        "date": consent.valid_until.isoformat(),
    }


# --- for the handläggare ---------------------------------------------------------

INFO_REQUESTED = _case_kind(
    "cases.info_requested",
    label=_("The coordinator asks a question"),
    subject=_("A question about %(case_number)s"),
    text=_(
        "The coordinator has asked for more information about referral %(case_number)s. "
        "Read the question and answer it in Resursråd."
    ),
    recipients=_handler,
    audience=CASE_WORKERS,
)
ACCEPTED = _case_kind(
    "cases.accepted",
    label=_("Your referral is accepted"),
    subject=_("%(case_number)s has been accepted"),
    text=_("Referral %(case_number)s has been accepted and waits for a time at a council meeting."),
    recipients=_handler,
    audience=CASE_WORKERS,
)
DECLINED = _case_kind(
    "cases.declined",
    label=_("Your referral is declined"),
    subject=_("%(case_number)s has been declined"),
    text=_("Referral %(case_number)s has been declined. The reason is on the case page."),
    recipients=_handler,
    audience=CASE_WORKERS,
)
TAKEN_OVER = _case_kind(
    "cases.taken_over",
    label=_("A colleague took over your case"),
    subject=_("%(case_number)s has been taken over"),
    text=_("A colleague has taken over referral %(case_number)s. You are no longer its case worker."),
    # The previous case worker, named by the caller.
    audience=CASE_WORKERS,
)
CONSENT_EXPIRING = Kind(
    name="cases.consent_expiring",
    label=_("Consent about to expire"),
    subject=_("Consent in %(case_number)s expires on %(date)s"),
    text=_(
        "The consent for %(parties)s in referral %(case_number)s expires on %(date)s. Without consent "
        "in force the party is taken out of the case, or the case ends. Talk with the individual in "
        "good time."
    ),
    context=_consent_context,
    url=lambda consent: _case_url(consent.referral),
    reference=lambda consent: consent.referral.case_number,
    recipients=lambda consent: [consent.referral.handler],
    audience=CASE_WORKERS,
)

# --- for the samordnare -----------------------------------------------------------

SUBMITTED = _case_kind(
    "cases.submitted",
    label=_("A new referral"),
    subject=_("New referral %(case_number)s"),
    text=_("Referral %(case_number)s has been submitted and waits for your decision."),
    recipients=_coordinators,
    audience=COORDINATORS,
)
ANSWERED = _case_kind(
    "cases.answered",
    label=_("The case worker has answered"),
    subject=_("Answer about %(case_number)s"),
    text=_(
        "The case worker has answered the question about referral %(case_number)s. "
        "The referral waits for your decision again."
    ),
    recipients=_coordinators,
    audience=COORDINATORS,
)
LONG_WAIT = Kind(
    name="cases.long_wait",
    label=_("A referral has waited long"),
    subject=_("%(case_number)s has waited %(days)s days"),
    text=_("Referral %(case_number)s has waited %(days)s days for a decision."),
    context=lambda referral: {
        "case_number": referral.case_number,
        "days": str(settings.INBOX_LONG_WAIT_DAYS),
    },
    url=_case_url,
    reference=_case_number,
    recipients=_coordinators,
    audience=COORDINATORS,
)
PARTY_REMOVED = Kind(
    name="cases.party_removed",
    label=_("A party taken out of a case"),
    subject=_("%(parties)s taken out of %(case_number)s"),
    text=_(
        "%(parties)s no longer take part in referral %(case_number)s: consent has been withdrawn or "
        "has expired. They must not see the case or be invited to its meeting."
    ),
    context=_removed_parties,
    url=_case_url,
    reference=_case_number,
    recipients=_handler_and_coordinators,
    # A party that may no longer take part must not be invited: say so at once.
    urgent=True,
    audience=BOTH,
)
CONSENT_ENDED = _case_kind(
    "cases.consent_ended",
    label=_("A referral ended for lack of consent"),
    subject=_("%(case_number)s has ended"),
    text=_(
        "Referral %(case_number)s has ended because consent has been withdrawn or has expired. "
        "Its personal data will be erased."
    ),
    recipients=_handler_and_coordinators,
    audience=BOTH,
)

KINDS = [
    INFO_REQUESTED,
    ACCEPTED,
    DECLINED,
    TAKEN_OVER,
    CONSENT_EXPIRING,
    SUBMITTED,
    ANSWERED,
    LONG_WAIT,
    PARTY_REMOVED,
    CONSENT_ENDED,
]

# Reminders that make sense only while the referral is in these states; a
# move elsewhere cancels what is still waiting of them.
PENDING_ONLY_WHILE = {
    LONG_WAIT.name: frozenset({Status.SUBMITTED}),
    CONSENT_EXPIRING.name: workflow.CONSENT_BOUND_STATES,
}


# --- hooks, called by the referral's changes inside their transaction ------------


def after_transition(referral: Referral, transition: workflow.Transition, *, by: User | None) -> None:
    """Cancel what the move made pointless, then notify the kinds the move declares."""
    about = [referral, *referral.consents.all()]
    if transition.target in workflow.ERASABLE_STATES:
        # The case has ended: nothing still waiting about it is sent.
        Notification.objects.about(*about).cancel()
    else:
        stale = [kind for kind, states in PENDING_ONLY_WHILE.items() if transition.target not in states]
        Notification.objects.about(*about).filter(kind__in=stale).cancel()
    for kind in transition.notifies:
        notify(None, kind, referral, actor=by)


def after_take_over(referral: Referral, *, previous: User, by: User) -> None:
    """Tell the previous case worker; their reminders about the case stop."""
    Notification.objects.about(referral, *referral.consents.all()).filter(recipient=previous).filter(
        kind=CONSENT_EXPIRING.name
    ).cancel()
    notify([previous], TAKEN_OVER, referral, actor=by)


def after_parties_removed(referral: Referral, parties: list[str], *, by: User | None) -> None:
    """Tell who works the case that these parties are out (urgent: they must not be invited)."""
    names = ", ".join(str(Party(code).label) for code in parties)
    notify(None, PARTY_REMOVED, referral, actor=by, context={"parties": names})


def after_consent_withdrawn(consent: Consent) -> None:
    Notification.objects.about(consent).cancel()


def consent_warning_due(consent: Consent) -> datetime:
    """When the warning of a consent's expiry is due: its first day in the warning period, 08:00."""
    day = consent.valid_until - timedelta(days=settings.CONSENT_EXPIRY_WARNING_DAYS)
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME))


def long_wait_due(referral: Referral) -> datetime:
    assert referral.submitted_at is not None
    return referral.submitted_at + timedelta(days=settings.INBOX_LONG_WAIT_DAYS)


def notify_consent_expiring(consent: Consent) -> None:
    notify(None, CONSENT_EXPIRING, consent, due_at=consent_warning_due(consent))


def notify_long_wait(referral: Referral) -> None:
    notify(None, LONG_WAIT, referral, due_at=long_wait_due(referral))
