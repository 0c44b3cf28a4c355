"""Notify, and deliver what is due.

``notify`` writes rows inside the caller's transaction and, once that commits,
asks the worker to sweep. The sweep (also run by beat every minute) claims due
rows in batches under a lease and publishes small messages naming them (up to
SEND_GROUP e-mails, or one recipient's digest); the send task takes its rows
by a conditional update, sends, and records each result. Whatever the broker loses or repeats, the rows decide: a lost message
is sent after the lease, a repeated one finds nothing to take.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import smtplib
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from resursrad.notifications.kinds import ALLOWED_PLACEHOLDERS, Attachment, Kind, UnknownKind, resolve
from resursrad.notifications.models import (
    DIGESTS,
    NOTE_IN_APP_CHOSEN,
    NOTE_NO_ADDRESS,
    Channel,
    Delivery,
    Notification,
    NotificationPreference,
    object_key,
)

logger = logging.getLogger(__name__)

# Rows claimed per sweep batch, and batches per sweep run: a run after a long
# outage takes everything due, in bounded steps.
BATCH_SIZE = 200
MAX_BATCHES = 100
# E-mails sent by one send task, over one SMTP connection.
SEND_GROUP = 20
# The wait before a retry doubles from RETRY_BASE up to RETRY_CAP, with jitter.
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)


def lease() -> timedelta:
    return timedelta(minutes=settings.NOTIFICATION_LEASE_MINUTES)


# --- notify --------------------------------------------------------------------


def notify(
    recipients: Iterable[Any] | None,
    kind: Kind | str,
    obj: Any,
    due_at: datetime | None = None,
    *,
    actor: Any = None,
    context: dict[str, str] | None = None,
    now: datetime | None = None,
) -> None:
    """Record that ``kind`` about ``obj`` is due for each recipient, in the caller's transaction.

    ``recipients`` None means the kind's declared recipients. Inactive users
    and the ``actor`` (nobody is told what they did themselves) are left out.
    ``context`` adds to or replaces the kind's placeholder values.
    The same recipient, kind, object and due time is recorded once, however
    often this is called. The worker hears of it only after the commit.
    """
    declared = resolve(kind)
    unknown = set(context or {}) - ALLOWED_PLACEHOLDERS
    if unknown:
        raise ValueError(f"Placeholders not allowed in a notification: {sorted(unknown)}")
    now = now or timezone.now()
    due_at = due_at or now
    people = {
        user.pk: user
        for user in (declared.recipients(obj) if recipients is None else recipients)
        if user.is_active and (actor is None or user.pk != actor.pk)
    }
    if not people:
        return
    content_type_id, object_id = object_key(obj)
    shared = {
        "kind": declared.name,
        "content_type_id": content_type_id,
        "object_id": object_id,
        "due_at": due_at,
        "created_at": now,
        "reference": declared.reference(obj),
        "url": declared.url(obj),
        "context": {**declared.context(obj), **(context or {})},
    }
    channels = NotificationPreference.objects.channels_for(people.values(), declared)
    rows = [
        Notification(recipient=user, **shared, **delivery_plan(channels[pk], user, due_at))
        for pk, user in people.items()
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.status == Delivery.PENDING and row.send_after <= now for row in rows):  # type: ignore[operator]
        kick_after_commit()


def delivery_plan(channel: str, user: Any, due_at: datetime) -> dict[str, Any]:
    """Channel, e-mail status, when it may go and why not, for one recipient."""
    if not user.email:
        return {
            "channel": channel,
            "status": Delivery.NOT_EMAILED,
            "send_after": None,
            "note": NOTE_NO_ADDRESS,
        }
    if channel == Channel.IN_APP:
        return {
            "channel": channel,
            "status": Delivery.NOT_EMAILED,
            "send_after": None,
            "note": NOTE_IN_APP_CHOSEN,
        }
    if channel == Channel.WEEKLY:
        send_after = next_weekly_digest_at(due_at)
    elif channel == Channel.DIGEST:
        send_after = next_digest_at(due_at)
    else:
        send_after = due_at
    return {"channel": channel, "status": Delivery.PENDING, "send_after": send_after, "note": ""}


def next_digest_at(after: datetime) -> datetime:
    """The first daily digest at or after ``after``, at NOTIFICATION_DIGEST_TIME local time.

    The time is wall-clock time in TIME_ZONE, on the days daylight saving
    starts and ends too. A time that does not exist that night (02:30 when
    the clocks go forward) comes an hour later; one that exists twice comes
    the first time.
    """
    day = timezone.localtime(after).date()
    while True:
        local = timezone.make_aware(datetime.combine(day, settings.NOTIFICATION_DIGEST_TIME))
        # In UTC: a local time in the gap or the fold is then one definite moment.
        candidate = local.astimezone(UTC)
        if candidate >= after:
            return candidate
        day += timedelta(days=1)


def next_weekly_digest_at(after: datetime) -> datetime:
    """The first weekly digest at or after ``after``: a Monday's daily digest time (next_digest_at)."""
    candidate = next_digest_at(after)
    while timezone.localtime(candidate).weekday() != 0:
        candidate = next_digest_at(candidate + timedelta(minutes=1))
    return candidate


def cancel_about(*objects: Any) -> int:
    """The objects are gone or ended: what is still waiting about them is not sent."""
    return Notification.objects.about(*objects).cancel()


def replan_waiting(user: Any, kind: Kind, channel: str, now: datetime) -> int:
    """After a change of preference: e-mails not yet under way follow the new choice.

    Rows already shown in the app only are not e-mailed afterwards, unless
    they are reminders still to come.
    """
    waiting = Notification.objects.filter(recipient=user, kind=kind.name).waiting(now)
    changed = 0
    for row in waiting:
        plan = delivery_plan(channel, user, max(row.due_at, now) if channel in DIGESTS else row.due_at)
        Notification.objects.filter(pk=row.pk, claim__isnull=True, status=row.status).update(**plan)
        changed += 1
    if changed:
        kick_after_commit()
    return changed


# --- telling the worker --------------------------------------------------------


def kick_after_commit() -> None:
    """Ask for a sweep once the caller's transaction commits; nothing if it rolls back."""
    transaction.on_commit(kick)


# After a failed publish, web requests stop trying for a while: a broker that
# is down or hanging costs one request a few seconds, not every request.
BROKER_PAUSE_SECONDS = 30
_broker_down_until = 0.0


def kick() -> None:
    """Publish a sweep, without waiting for a broker that is down or hanging.

    The rows are the record: if the broker cannot be reached, beat's next
    sweep after it returns sends what fell due meanwhile. One attempt, bounded
    by the broker's socket timeouts (2 s), and none for a while after a
    failure, so a web request waits a few seconds at most.
    """
    global _broker_down_until
    from resursrad.notifications.tasks import sweep_due_notifications

    if time.monotonic() < _broker_down_until:
        return
    try:
        sweep_due_notifications.apply_async(retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure: the sweep catches up
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Notifications: could not reach the broker (%s); the next sweep sends them.", error)


# --- the sweep -----------------------------------------------------------------


def sweep(
    now: datetime | None = None, *, batch_size: int = BATCH_SIZE, max_batches: int = MAX_BATCHES
) -> int:
    """Claim everything due, batch by batch, and publish the messages for it; returns rows claimed.

    Everything due is taken, not only what fell due since the last run, so a
    run missed while the broker or the database was down is caught up.
    """
    claimed = 0
    for _ in range(max_batches):
        token, rows = Notification.objects.claim_batch(
            now=now or timezone.now(), lease=lease(), limit=batch_size
        )
        if not rows:
            break
        transaction.on_commit(functools.partial(publish, token, rows))
        claimed += len(rows)
        if len(rows) < batch_size:
            break
    return claimed


def publish(token: uuid.UUID, rows: list[tuple[int, int, str]]) -> int:
    """The messages for a claimed batch: e-mails at once in groups, one digest per recipient.

    If the broker fails part-way, the rows not yet taken are released for the
    next sweep; a message already published then finds its claim gone.
    """
    from resursrad.celery import app
    from resursrad.notifications.tasks import send_digest, send_notifications

    claim = str(token)
    at_once = [pk for pk, _, channel in rows if channel not in DIGESTS]
    digests = sorted({recipient_id for _, recipient_id, channel in rows if channel in DIGESTS})
    published = 0
    try:
        with app.producer_or_acquire() as producer:
            for start in range(0, len(at_once), SEND_GROUP):
                send_notifications.apply_async(
                    (claim, at_once[start : start + SEND_GROUP]), producer=producer
                )
                published += 1
            for recipient_id in digests:
                send_digest.apply_async((claim, recipient_id), producer=producer)
                published += 1
    except Exception as error:  # noqa: BLE001 - any broker failure: release for the next sweep
        logger.warning("Notifications: publishing stopped (%s); the next sweep takes the rest.", error)
        Notification.objects.filter(claim=token, status=Delivery.PENDING).update(claim=None, lease_until=None)
    return published


# --- sending -------------------------------------------------------------------


def send_claimed(
    claim: uuid.UUID,
    *,
    pks: list[int] | None = None,
    recipient_id: int | None = None,
    now: datetime | None = None,
) -> int:
    """Take the rows a message names, send their e-mails, record each outcome; returns rows sent.

    ``pks``: one e-mail per row; ``recipient_id``: that recipient's digest,
    one e-mail for all its rows. A second delivery of the same message takes
    nothing and sends nothing.
    """
    now = now or timezone.now()
    own, rows = Notification.objects.take(claim, now=now, lease=lease(), pks=pks, recipient_id=recipient_id)
    if not rows:
        return 0
    groups = [rows] if recipient_id is not None else [[row] for row in rows]
    return deliver(own, groups)


def deliver(own: uuid.UUID, groups: list[list[Notification]]) -> int:
    """Send one e-mail per group over one SMTP connection, recording each as it goes.

    Each e-mail is recorded as sent as soon as the server has accepted it, so
    a worker that dies part-way sends again only what was not yet recorded. A
    temporary failure is due again after a growing wait with jitter, through
    the sweep (no long countdown on the broker); after
    NOTIFICATION_MAX_ATTEMPTS, or at once for a permanent refusal, the rows
    are failed. Near the time limit, the rest goes back to the next sweep.
    """
    sent = 0
    connection = None
    try:
        for index, group in enumerate(groups):
            pks = [row.pk for row in group]
            recipient = group[0].recipient
            if not (recipient.is_active and recipient.email):
                Notification.objects.record_not_emailed(own, pks, NOTE_NO_ADDRESS)
                continue
            try:
                message = build_message(group)
                if connection is None:
                    connection = get_connection()
                    connection.open()
                message.connection = connection
                message.send()
            except SoftTimeLimitExceeded as error:
                _record_failure(own, group, error)
                rest = [row.pk for later in groups[index + 1 :] for row in later]
                Notification.objects.release(own, rest)
                return sent
            except Exception as error:  # noqa: BLE001 - every failure is recorded on its rows
                _record_failure(own, group, error)
                # Start the next e-mail on a fresh connection.
                _close(connection)
                connection = None
                continue
            sent += Notification.objects.record_sent(own, pks, timezone.now())
    finally:
        _close(connection)
    return sent


def _close(connection: Any) -> None:
    if connection is not None:
        # A broken connection is simply dropped.
        with contextlib.suppress(Exception):
            connection.close()


def _record_failure(own: uuid.UUID, group: list[Notification], error: BaseException) -> None:
    attempts = max(row.attempts for row in group) + 1
    retry_at = None
    if is_temporary(error) and attempts < settings.NOTIFICATION_MAX_ATTEMPTS:
        retry_at = timezone.now() + retry_wait(attempts)
    pks = [row.pk for row in group]
    Notification.objects.record_failure(own, pks, error=describe(error), retry_at=retry_at)
    logger.warning(
        "Notifications: e-mail for rows %s failed (attempt %d, %s): %s",
        pks,
        attempts,
        "retrying" if retry_at else "failed",
        type(error).__name__,
    )


def build_message(rows: list[Notification]) -> EmailMultiAlternatives:
    """The e-mail for one row, or one recipient's digest of several, in the site's language."""
    recipient = rows[0].recipient
    with translation.override(settings.LANGUAGE_CODE):
        items = []
        files: list[Attachment] = []
        for row in rows:
            kind = resolve(row.kind)
            subject, text = kind.render(row.context)
            items.append({"subject": subject, "text": text, "link": settings.SITE_URL + row.url})
            files += attachments_for(kind, row)
        digest = len(rows) > 1 or rows[0].channel in DIGESTS
        if digest:
            subject = ngettext(
                "Resursråd: %(count)d new notification", "Resursråd: %(count)d new notifications", len(items)
            ) % {"count": len(items)}
        else:
            subject = gettext("Resursråd: %(subject)s") % {"subject": items[0]["subject"]}
        context = {
            "items": items,
            "digest": digest,
            "federation_name": settings.FEDERATION_NAME,
            "settings_link": settings.SITE_URL + reverse("notifications:preferences"),
        }
        body = render_to_string("notifications/email/notification.txt", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[recipient.email],
        headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
    )
    for filename, content, mimetype in files:
        message.attach(filename, content, mimetype)
    return message


def attachments_for(kind: Kind, row: Notification) -> list[Attachment]:
    """The kind's files for the row's object as it is now; none if the kind has none or the object is gone."""
    if kind.attachments is None:
        return []
    model = ContentType.objects.get_for_id(row.content_type_id).model_class()
    obj = model._default_manager.filter(pk=row.object_id).first() if model is not None else None
    if obj is None:
        return []
    return kind.attachments(obj)


def is_temporary(error: BaseException) -> bool:
    """Whether trying again later may help: 4xx replies, lost connections and time-outs may."""
    if isinstance(error, UnknownKind):
        return False
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return not 500 <= error.smtp_code < 600
    return True


def describe(error: BaseException) -> str:
    """A short account of a failure for the overview (the server's reply names no individual)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "SMTP " + " ".join(str(code) for code, _ in error.recipients.values()) + " recipient refused"
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
        return f"SMTP {error.smtp_code} {message}".strip()
    return type(error).__name__


def retry_wait(attempt: int) -> timedelta:
    """Exponential backoff with jitter: about 1, 2, 4 … minutes, at most an hour."""
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** (attempt - 1))
    return ceiling * random.uniform(0.5, 1.0)
