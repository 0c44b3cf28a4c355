"""The outbox: one row per recipient, kind, object and due time.

The row is the record of what is due and what was sent, in the app and by
e-mail; the broker only carries the news that something is due. A row's
e-mail moves ``pending`` → ``sent`` (or ``failed`` after the retries, or
``cancelled`` with its object); ``not_emailed`` rows live in the app only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resursrad.notifications.kinds import Kind, UnknownKind, registry


class Channel(models.TextChoices):
    """How a user wants a kind by e-mail; every notification also shows in the app."""

    EMAIL = "email", _("E-mail at once")
    DIGEST = "digest", _("A daily summary by e-mail")
    WEEKLY = "weekly", _("A weekly summary by e-mail")
    IN_APP = "in_app", _("In the app only")


# The channels that gather a recipient's rows into one e-mail. A weekly row
# falls due at a daily digest's time too, so on Mondays both go as one e-mail.
DIGESTS = frozenset({Channel.DIGEST, Channel.WEEKLY})


class Delivery(models.TextChoices):
    """Where a notification's e-mail stands."""

    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    NOT_EMAILED = "not_emailed", _("In the app only")


# Why a row is not e-mailed, or why its e-mail failed; shown on the overview.
NOTE_NO_ADDRESS = "no_address"
NOTE_IN_APP_CHOSEN = "in_app_chosen"
# The overview's name for in-app rows whose recipient has no e-mail address.
NO_ADDRESS = "no_address"

# A place in a list ordered by (-due_at, -pk): the last row shown.
Cursor = tuple[datetime, int]


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def object_key(obj: Any) -> tuple[int, int]:
    """(content type id, primary key) of any saved model instance."""
    return ContentType.objects.get_for_model(obj, for_concrete_model=False).pk, obj.pk


class NotificationQuerySet(models.QuerySet["Notification"]):
    # --- the in-app notification centre --------------------------------

    def for_user(self, user: Any, now: datetime | None = None) -> NotificationQuerySet:
        """What the user's notification centre shows: theirs, due, not cancelled, newest first."""
        now = now or timezone.now()
        return (
            self.filter(recipient=user, due_at__lte=now)
            .exclude(status=Delivery.CANCELLED)
            .order_by("-due_at", "-pk")
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mark_read(self, now: datetime | None = None) -> int:
        """Mark these read; rows read before keep their time."""
        return self.filter(read_at__isnull=True).update(read_at=now or timezone.now())

    def mark_all_read(self, user: Any, now: datetime | None = None) -> int:
        now = now or timezone.now()
        return self.for_user(user, now).mark_read(now)

    def unread_count(self, user: Any, now: datetime | None = None) -> int:
        """The number in the navigation's badge: one COUNT on the unread index."""
        return self.for_user(user, now).unread().count()

    def unread_count_of(self, recipient: Any, now: datetime | None = None) -> models.Func:
        """The same count as an expression for the recipient (an OuterRef), to load with the user.

        The page's user is loaded once per request anyway (resursrad.backends): the
        badge's count rides along in that query instead of costing one of its own.
        Without ``now``, the database's time of the query: the expression holds
        for any request, so it can be built once.
        """
        due = now or Now()
        counted = (
            self.filter(recipient=recipient, due_at__lte=due, read_at__isnull=True)
            .exclude(status=Delivery.CANCELLED)
            .order_by()
            .values("recipient")
            .annotate(unread=models.Count("pk"))
            .values("unread")
        )
        return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)

    # --- the administrators' overview -----------------------------------

    def of_kind(self, kind: str | None) -> NotificationQuerySet:
        """Rows of one declared kind; every row for an empty or unknown kind."""
        if kind and kind in registry:
            return self.filter(kind=kind)
        return self

    def pending(self) -> NotificationQuerySet:
        return self.filter(status=Delivery.PENDING)

    def upcoming(self, now: datetime | None = None) -> NotificationQuerySet:
        return self.pending().filter(send_after__gt=now or timezone.now())

    def sent(self) -> NotificationQuerySet:
        return self.filter(status=Delivery.SENT)

    def failed(self) -> NotificationQuerySet:
        return self.filter(status=Delivery.FAILED)

    def not_emailed(self) -> NotificationQuerySet:
        return self.filter(status=Delivery.NOT_EMAILED)

    def with_status(self, status: str | None) -> NotificationQuerySet:
        """Rows whose e-mail stands so; NO_ADDRESS: in the app only for want of an address."""
        if status == NO_ADDRESS:
            return self.filter(status=Delivery.NOT_EMAILED, note=NOTE_NO_ADDRESS)
        if status == Delivery.NOT_EMAILED:
            return self.filter(status=status).exclude(note=NOTE_NO_ADDRESS)
        if status and status in Delivery.values:
            return self.filter(status=status)
        return self

    def due_between(self, first: date | None, last: date | None) -> NotificationQuerySet:
        """Rows due on these local days, both included; an open end when None."""
        rows = self
        if first:
            rows = rows.filter(due_at__gte=_local_midnight(first))
        if last:
            rows = rows.filter(due_at__lt=_local_midnight(last + timedelta(days=1)))
        return rows

    def for_overview(self) -> NotificationQuerySet:
        """The administrators' list: newest due first, with the recipient."""
        return self.select_related("recipient").order_by("-due_at", "-pk")

    def page_after(self, cursor: Cursor | None, size: int) -> tuple[list[Notification], Cursor | None]:
        """One page of a list ordered by (-due_at, -pk), after ``cursor``; and the next page's cursor.

        Keyset pagination: every page costs the same, however deep, and a
        row added meanwhile neither repeats nor hides one.
        """
        rows = self
        if cursor is not None:
            due_at, pk = cursor
            rows = rows.filter(Q(due_at__lt=due_at) | Q(due_at=due_at, pk__lt=pk))
        page: list[Notification] = list(rows[: size + 1])  # type: ignore[arg-type]
        if len(page) <= size:
            return page, None
        last = page[size - 1]
        return page[:size], (last.due_at, last.pk)

    def overview_counts(self) -> dict[str, dict[str, int]]:
        """{kind: {status: count}} in one query; in-app rows for want of an address count as NO_ADDRESS."""
        counts: dict[str, dict[str, int]] = {}
        rows = self.order_by().values("kind", "status", "note").annotate(count=models.Count("pk"))
        for row in rows:
            status = row["status"]
            if status == Delivery.NOT_EMAILED and row["note"] == NOTE_NO_ADDRESS:
                status = NO_ADDRESS
            by_status = counts.setdefault(row["kind"], {})
            by_status[status] = by_status.get(status, 0) + row["count"]
        return counts

    def counts_by_kind(self) -> dict[str, dict[str, int]]:
        """{kind: {status: count}} in one query."""
        counts: dict[str, dict[str, int]] = {}
        for row in self.order_by().values("kind", "status").annotate(count=models.Count("pk")):
            counts.setdefault(row["kind"], {})[row["status"]] = row["count"]
        return counts

    def retry(self, now: datetime | None = None) -> int:
        """Send failed rows again from the start: a fresh count of attempts, due now."""
        from resursrad.notifications import services

        now = now or timezone.now()
        retried = self.failed().update(
            status=Delivery.PENDING, attempts=0, send_after=now, claim=None, lease_until=None, note=""
        )
        if retried:
            services.kick_after_commit()
        return retried

    # --- cancelling ------------------------------------------------------

    def about(self, *objects: Any) -> NotificationQuerySet:
        """Rows about any of these objects."""
        condition = Q(pk__in=[])
        for obj in objects:
            content_type_id, object_id = object_key(obj)
            condition |= Q(content_type_id=content_type_id, object_id=object_id)
        return self.filter(condition)

    def cancel(self) -> int:
        """Withdraw what has not gone out: pending rows and in-app rows not yet due.

        A send already under way finishes; its row then stays cancelled.
        """
        now = timezone.now()
        return self.filter(
            Q(status=Delivery.PENDING) | Q(status=Delivery.NOT_EMAILED, due_at__gt=now)
        ).update(status=Delivery.CANCELLED, claim=None, lease_until=None)

    # --- delivery ---------------------------------------------------------

    def waiting(self, now: datetime) -> NotificationQuerySet:
        """What a new preference still changes: e-mails not under way, in-app reminders still to come."""
        return self.filter(claim__isnull=True).filter(
            Q(status=Delivery.PENDING)
            | Q(status=Delivery.NOT_EMAILED, note=NOTE_IN_APP_CHOSEN, due_at__gt=now)
        )

    def due(self, now: datetime) -> NotificationQuerySet:
        """E-mails that may go now and that no live lease holds."""
        return self.pending().filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now), send_after__lte=now
        )

    def claim_batch(self, *, now: datetime, lease: timedelta, limit: int) -> tuple[uuid.UUID, list[Any]]:
        """Claim up to ``limit`` due rows for one sweep: (claim token, [(pk, recipient_id, channel)]).

        Two sweeps at once each skip the rows the other has locked, and a
        claimed row is not due again until its lease runs out: a sweep that
        died after claiming, or a send that never finished, is retried then.
        A recipient's digest is claimed whole, even past the limit, so that
        it goes as one e-mail. Two or three queries, whatever the batch size.
        """
        token = uuid.uuid4()
        with transaction.atomic():
            due = self.due(now).select_for_update(skip_locked=True)
            rows = list(due.order_by("send_after", "pk").values_list("pk", "recipient_id", "channel")[:limit])
            digests = {recipient_id for _, recipient_id, channel in rows if channel in DIGESTS}
            if digests:
                rows += list(
                    due.filter(channel__in=DIGESTS, recipient_id__in=digests)
                    .exclude(pk__in=[pk for pk, _, _ in rows])
                    .values_list("pk", "recipient_id", "channel")
                )
            if rows:
                Notification.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
                    claim=token, claimed_at=now, lease_until=now + lease
                )
        return token, rows

    def take(
        self,
        claim: uuid.UUID,
        *,
        now: datetime,
        lease: timedelta,
        pks: list[int] | None = None,
        recipient_id: int | None = None,
    ) -> tuple[uuid.UUID, list[Notification]]:
        """Take the rows a sweep claimed for one message, by a conditional update.

        Only the first delivery of a message finds the sweep's claim: a second
        delivery of the same message (a redelivery, a duplicate) takes nothing
        and sends nothing. Two queries.
        """
        own = uuid.uuid4()
        rows = self.pending().filter(claim=claim)
        if pks is not None:
            rows = rows.filter(pk__in=pks)
        elif recipient_id is not None:
            rows = rows.filter(recipient_id=recipient_id, channel__in=DIGESTS)
        else:
            return own, []
        if not rows.update(claim=own, lease_until=now + lease):
            return own, []
        taken = self.filter(claim=own, status=Delivery.PENDING).select_related("recipient").order_by("pk")
        return own, list(taken)

    def held(self, own: uuid.UUID, pks: list[int]) -> NotificationQuerySet:
        """These rows, while the send that took them still holds them."""
        return self.filter(claim=own, status=Delivery.PENDING, pk__in=pks)

    def record_sent(self, own: uuid.UUID, pks: list[int], now: datetime) -> int:
        return self.held(own, pks).update(
            status=Delivery.SENT,
            sent_at=now,
            attempts=models.F("attempts") + 1,
            claim=None,
            lease_until=None,
            note="",
        )

    def record_failure(self, own: uuid.UUID, pks: list[int], *, error: str, retry_at: datetime | None) -> int:
        """A failed attempt: due again at ``retry_at``, or failed for good when it is None."""
        common = {
            "attempts": models.F("attempts") + 1,
            "claim": None,
            "lease_until": None,
            "note": error[:300],
        }
        if retry_at is None:
            return self.held(own, pks).update(status=Delivery.FAILED, **common)
        return self.held(own, pks).update(send_after=retry_at, **common)

    def record_not_emailed(self, own: uuid.UUID, pks: list[int], note: str) -> int:
        return self.held(own, pks).update(
            status=Delivery.NOT_EMAILED, claim=None, lease_until=None, note=note
        )

    def release(self, own: uuid.UUID, pks: list[int]) -> int:
        """Give rows back unsent, due at once: the next sweep takes them."""
        return self.held(own, pks).update(claim=None, lease_until=None)


class Notification(models.Model):
    """One notification to one user about one object, due at one time."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    due_at = models.DateTimeField(_("due"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Copied from the object when notified, so that the texts, the link and
    # the overview need neither the object nor anything personal: a case
    # number, a time, a place (kinds.ALLOWED_PLACEHOLDERS).
    reference = models.CharField(_("case number"), max_length=40, blank=True)
    url = models.CharField(_("link"), max_length=300)
    context = models.JSONField(default=dict, blank=True)

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("e-mail"), max_length=12, choices=Delivery.choices)
    # When the e-mail may go: due_at, the next digest, or after a retry's wait.
    send_after = models.DateTimeField(_("e-mail due"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Who holds the row for sending, and until when (the lease).
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "content_type", "object_id", "due_at"],
                name="notification_once_per_recipient_kind_object_due",
            ),
            models.CheckConstraint(
                name="notification_sent_has_time",
                condition=Q(status=Delivery.SENT, sent_at__isnull=False) | ~Q(status=Delivery.SENT),
            ),
            models.CheckConstraint(
                name="notification_pending_has_send_time",
                condition=Q(status=Delivery.PENDING, send_after__isnull=False) | ~Q(status=Delivery.PENDING),
            ),
            models.CheckConstraint(
                name="notification_status_is_known", condition=Q(status__in=Delivery.values)
            ),
        ]
        indexes = [
            # The sweep: pending rows by the time they may go.
            models.Index(
                fields=["send_after"], condition=Q(status=Delivery.PENDING), name="notification_due"
            ),
            # The unread count in the navigation.
            models.Index(
                fields=["recipient", "due_at"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-due_at"], name="notification_recipient"),
            models.Index(fields=["content_type", "object_id"], name="notification_object"),
            models.Index(fields=["claim"], name="notification_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def declared_kind(self) -> Kind | None:
        """The kind's declaration; None if no app declares it any more."""
        try:
            return registry.get(self.kind)
        except UnknownKind:
            return None

    @property
    def kind_label(self) -> str:
        kind = self.declared_kind
        return str(kind.label) if kind else self.kind

    @property
    def subject(self) -> str:
        kind = self.declared_kind
        return kind.render(self.context)[0] if kind else self.reference

    @property
    def text(self) -> str:
        kind = self.declared_kind
        return kind.render(self.context)[1] if kind else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def has_no_address(self) -> bool:
        return self.note == NOTE_NO_ADDRESS

    @property
    def last_error(self) -> str:
        """The last failure's account (an SMTP reply, an error's name); empty when none."""
        return "" if self.note in ("", NOTE_NO_ADDRESS, NOTE_IN_APP_CHOSEN) else self.note

    def mark_read(self, now: datetime | None = None) -> bool:
        """Mark read once; False if it was read already."""
        now = now or timezone.now()
        updated = Notification.objects.filter(pk=self.pk, read_at__isnull=True).update(read_at=now)
        if updated:
            self.read_at = now
        return bool(updated)

    def retry(self) -> bool:
        """Send a failed notification again (the administrators' retry button)."""
        retried = Notification.objects.filter(pk=self.pk).retry()
        self.refresh_from_db()
        return bool(retried)


class PreferenceQuerySet(models.QuerySet["NotificationPreference"]):
    def channels_for(self, users: Iterable[Any], kind: Kind) -> dict[int, str]:
        """The channel each user gets this kind by, in one query: urgent kinds always e-mail at once."""
        user_ids = [user.pk for user in users]
        if kind.urgent:
            return dict.fromkeys(user_ids, Channel.EMAIL)
        chosen = dict(self.filter(user_id__in=user_ids, kind=kind.name).values_list("user_id", "channel"))
        return {pk: chosen.get(pk, Channel.EMAIL) for pk in user_ids}

    def for_user(self, user: Any) -> list[tuple[Kind, str]]:
        """Every kind that can reach the user, with their channel for it (e-mail at once unless chosen)."""
        chosen = dict(self.filter(user=user).values_list("kind", "channel"))
        return [
            (kind, Channel.EMAIL if kind.urgent else chosen.get(kind.name, Channel.EMAIL))
            for kind in registry.as_declared()
            if kind.reaches(user)
        ]


class NotificationPreference(models.Model):
    """How one user wants one kind: e-mail at once, a daily or weekly digest, or in the app only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=60)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_and_kind"),
            models.CheckConstraint(
                name="preference_channel_is_known", condition=Q(channel__in=Channel.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.channel}"

    @classmethod
    def choose(cls, user: Any, kind: Kind | str, channel: str, now: datetime | None = None) -> None:
        """Record the user's choice for a kind; what is still waiting follows it.

        An urgent kind always goes by e-mail: a choice for it is refused.
        """
        from resursrad.notifications import services
        from resursrad.notifications.kinds import resolve

        declared = resolve(kind)
        if channel not in Channel.values:
            raise ValueError(f"Unknown channel {channel!r}.")
        if declared.urgent and channel != Channel.EMAIL:
            raise ValueError(f"{declared.name} is urgent and always goes by e-mail.")
        with transaction.atomic():
            cls.objects.update_or_create(user=user, kind=declared.name, defaults={"channel": channel})
            services.replan_waiting(user, declared, channel, now or timezone.now())

    @classmethod
    def choose_all(cls, user: Any, choices: dict[str, str], now: datetime | None = None) -> list[Kind]:
        """Record the user's choices, {kind name: channel}, together; returns the kinds that changed."""
        current = {kind.name: channel for kind, channel in cls.objects.for_user(user)}
        if set(choices) - set(current):
            raise ValueError(f"Kinds that do not reach this user: {sorted(set(choices) - set(current))}")
        changed = [name for name, channel in choices.items() if current.get(name) != channel]
        with transaction.atomic():
            for name in changed:
                cls.choose(user, name, choices[name], now)
        return [registry.get(name) for name in changed]
