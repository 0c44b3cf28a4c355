"""Cross-cutting concepts: parties, organisations, users and their roles."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import connection, models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resursrad.db import write_while
from resursrad.keyset import Cursor, KeysetPage, keyset_page


class Party(models.TextChoices):
    """The four kinds of member party of a samordningsförbund."""

    KOMMUN = "kommun", _("Municipality")
    REGION = "region", _("Region")
    AF = "af", _("Swedish Public Employment Service")
    FK = "fk", _("Swedish Social Insurance Agency")


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    COORDINATOR = "coordinator", _("Coordinator")
    COUNCIL_MEMBER = "council_member", _("Council member")
    STEERING_MEMBER = "steering_member", _("Steering group member")
    DEVIATION_CONTACT = "deviation_contact", _("Deviation contact")
    LOG_REVIEWER = "log_reviewer", _("Access-log reviewer")
    ADMINISTRATOR = "administrator", _("Administrator")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def as_choices(self) -> list[tuple[int, str]]:
        """(id, name) of every organisation, by name, for a filter's choices.

        Every one, not only those with cases waiting now: a saved filter stays
        valid when an organisation's queue is empty (it then shows nothing).
        """
        return list(self.order_by("name").values_list("pk", "name"))


class Organisation(models.Model):
    """An office of one member party, e.g. "Arbetsförmedlingen Haninge"."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    party = models.CharField(_("party"), max_length=10, choices=Party.choices)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")

    def with_email(self, email: str) -> User | None:
        """The user with this e-mail address, whatever its case (through the unique index on lower(email))."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=Lower(models.Value(email))).first()

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_administrator", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address and holds one or more roles."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("The office the user works for. Required for case workers."),
    )
    is_case_worker = models.BooleanField(_("case worker"), default=False)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    is_council_member = models.BooleanField(_("council member"), default=False)
    is_steering_member = models.BooleanField(_("steering group member"), default=False)
    is_deviation_contact = models.BooleanField(
        _("deviation contact"),
        default=False,
        help_text=_(
            "Answers the steering group's requests for a statement about deviations for the organisation. "
            "The organisation's steering group member is a contact too."
        ),
    )
    is_log_reviewer = models.BooleanField(
        _("access-log reviewer"),
        default=False,
        help_text=_("Reviews samples of the access log and the administration log (loggkontroll)."),
    )
    is_administrator = models.BooleanField(
        _("administrator"), default=False, help_text=_("May use the administration pages.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(is_case_worker=False) | models.Q(organisation__isnull=False),
                name="case_worker_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_staff(self) -> bool:
        """Administrators reach the Django admin."""
        return self.is_administrator

    @property
    def roles(self) -> list[Role]:
        flags = [
            (self.is_case_worker, Role.CASE_WORKER),
            (self.is_coordinator, Role.COORDINATOR),
            (self.is_council_member, Role.COUNCIL_MEMBER),
            (self.is_steering_member, Role.STEERING_MEMBER),
            (self.is_deviation_contact, Role.DEVIATION_CONTACT),
            (self.is_log_reviewer, Role.LOG_REVIEWER),
            (self.is_administrator, Role.ADMINISTRATOR),
        ]
        return [role for held, role in flags if held]

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        if self.is_active and self.is_administrator:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_administrator:
            return True
        return super().has_module_perms(app_label)


class YearlySequence(models.Model):
    """The last number handed out per year, for numbers such as RR-2026-0042 and AV-2026-0007."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"

    @classmethod
    def next_value(cls, year: int) -> int:
        """The next number of the year; two callers at once never get the same one (the row is locked)."""
        from django.db import transaction

        with transaction.atomic():
            cls._default_manager.get_or_create(year=year)
            sequence = cls._default_manager.select_for_update().get(year=year)
            sequence.last_number += 1
            sequence.save(update_fields=["last_number"])
        return sequence.last_number


class Heartbeat(models.Model):
    """The last run of a periodic task, so that a stopped worker or scheduler shows."""

    name = models.CharField(max_length=100, unique=True)
    last_run = models.DateTimeField()
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def beat(cls, name: str, now: Any = None) -> None:
        """Record one run; a single UPDATE, so concurrent runs never lose a count."""
        now = now or timezone.now()
        updated = cls.objects.filter(name=name).update(last_run=now, runs=models.F("runs") + 1)
        if not updated:
            cls.objects.get_or_create(name=name, defaults={"last_run": now, "runs": 1})

    def is_stale(self, now: Any, stale_after: Any) -> bool:
        return now - self.last_run > stale_after


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """A log's rows are written once: no bulk update or delete."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError(f"{self.model._meta.verbose_name_plural} is append-only.")

    def delete(self) -> Any:
        raise PermissionError(f"{self.model._meta.verbose_name_plural} is append-only.")


class AppendOnlyModel(models.Model):
    """A log row: saved once, never changed or deleted (PostgreSQL triggers add the same)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An invariant, not domain logic: an entry is written once and never changed.
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name_plural} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(f"{self._meta.verbose_name_plural} is append-only.")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Read")
    PRINT = "print", _("Printed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    LIST = "list", _("Shown in a list")
    SEARCH = "search", _("Found by a search")
    TAKE_OVER = "take_over", _("Taken over")
    CONFLICT = "conflict", _("Saved version shown after an edit conflict")
    REFUSED = "refused", _("Refused")
    ACCESS_HISTORY = "access_history", _("Access history produced")
    RIGHT_OF_ACCESS = "right_of_access", _("Register extract produced")


class AccessLogQuerySet(AppendOnlyQuerySet):
    def with_people(self) -> AccessLogQuerySet:
        return self.select_related("user", "organisation").only(
            *[f.name for f in AccessLog._meta.concrete_fields],
            "user__first_name",
            "user__last_name",
            "user__email",
            "organisation__name",
        )

    def matching(
        self,
        *,
        user: User | None = None,
        case_number: str = "",
        action: str = "",
        start: Any = None,
        end: Any = None,
    ) -> AccessLogQuerySet:
        """Entries by this user, about this case, of this action, from ``start`` up to ``end``."""
        entries = self
        if user is not None:
            entries = entries.filter(user=user)
        if case_number:
            entries = entries.filter(case_number=case_number)
        if action:
            entries = entries.filter(action=action)
        if start is not None:
            entries = entries.filter(at__gte=start)
        if end is not None:
            entries = entries.filter(at__lt=end)
        return entries

    def page(self, cursor: Cursor | None, size: int) -> KeysetPage:
        """Newest first, one page next to the cursor (see resursrad.keyset)."""
        return keyset_page(self, cursor, size, field="at")


class AccessLog(AppendOnlyModel):
    """One read or change of an individual's record. Append-only.

    It keeps plain ids and the case number, not foreign keys, so that it
    survives the erasure of the record it describes.
    """

    # Indexed with the id in Meta.indexes, alone and after each filter of the review page.
    at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # No index of their own: no page looks entries up by organisation or
    # participant, and every index costs each list of 25 rows 25 insertions.
    # (Deleting an organisation, which PROTECT refuses anyway, scans the log.)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
    )
    participant_id = models.BigIntegerField(_("participant"), null=True)
    referral_id = models.BigIntegerField(_("referral"), null=True)
    case_number = models.CharField(_("case number"), max_length=20, blank=True)
    # The keyed hash of the participant's personal identity number: the access
    # history can be produced from the number even after the case is erased.
    subject_hash = models.CharField(max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AccessAction.choices)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("record access log")
        # The review page walks the log newest first by (at, id), unfiltered or
        # by one user, case or action: each walk starts at its edge in an index.
        indexes = [
            models.Index(fields=["at", "id"], name="accesslog_at_id"),
            models.Index(fields=["user", "at", "id"], name="accesslog_user_at_id"),
            models.Index(fields=["case_number", "at", "id"], name="accesslog_case_at_id"),
            models.Index(fields=["action", "at", "id"], name="accesslog_action_at_id"),
            # A plain index: the hash is only ever compared whole, never with LIKE.
            models.Index(fields=["subject_hash"], name="accesslog_subject_hash"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.case_number}"

    @property
    def action_label(self) -> str:
        """As get_action_display, without building the choices anew for every row of the log."""
        return str(AccessAction(self.action).label)

    @classmethod
    def entry(
        cls,
        request: Any,
        *,
        action: str,
        referral_id: int | None = None,
        participant_id: int | None = None,
        case_number: str = "",
        subject_hash: str = "",
    ) -> AccessLog:
        """An unsaved entry for the request's user (duck-typed: any record with a case)."""
        return cls(
            user=request.user,
            organisation_id=request.user.organisation_id,
            participant_id=participant_id,
            referral_id=referral_id,
            case_number=case_number,
            subject_hash=subject_hash,
            action=action,
            request_id=getattr(request, "request_id", ""),
        )

    @classmethod
    def for_case(cls, request: Any, case: Any, action: str) -> AccessLog:
        """An unsaved entry for one case: anything with pk, participant, case_number."""
        return cls.entry(
            request,
            action=action,
            referral_id=case.pk,
            participant_id=case.participant_id,
            case_number=case.case_number,
            subject_hash=case.participant.number_hash,
        )

    @classmethod
    def record(cls, request: Any, *, referral: Any, action: str) -> AccessLog:
        entry = cls.for_case(request, referral, action)
        entry.save()
        return entry

    @classmethod
    def record_many(cls, request: Any, cases: Any, action: str) -> None:
        """One row per case shown (a list or a search), in one INSERT, committed when this returns."""
        with cls.recording_many(request, cases, action):
            pass

    @classmethod
    @contextmanager
    def recording_many(cls, request: Any, cases: Any, action: str) -> Iterator[None]:
        """record_many, with the page rendered while the database commits: the block renders it.

        The rows are sent when the block starts and known to be committed when
        it ends; a failed INSERT raises at the end, and what the block made is
        never shown. The same rows for_case would make, sent as one array per
        column of the cases and once for who, when and what: no model instance
        per row, and no SQL compiled anew for every list. One statement is
        atomic by itself: unlike bulk_create, no transaction is opened around
        it, which would cost every list two more round trips.
        """
        cases = list(cases)
        if not cases:
            yield
            return
        if connection.vendor != "postgresql":
            # SQLite (development) has no arrays: the same rows as instances.
            entries = [cls.for_case(request, case, action) for case in cases]
            fields = [field for field in cls._meta.concrete_fields if not field.primary_key]
            cls.objects.all()._insert(entries, fields=fields)  # type: ignore[attr-defined]
            yield
            return
        user = request.user
        params = [
            timezone.now(),
            user.pk,
            user.organisation_id,
            action,
            getattr(request, "request_id", ""),
            [case.pk for case in cases],
            [case.participant_id for case in cases],
            [case.case_number for case in cases],
            [case.participant.number_hash for case in cases],
        ]
        with write_while(_insert_shown_sql(), params):
            yield


@functools.cache
def _insert_shown_sql() -> str:
    """AccessLog.record_many's INSERT: the shared values once, the cases' values unnested in order."""
    quote = connection.ops.quote_name
    columns = {field.name: str(field.column) for field in AccessLog._meta.concrete_fields}
    shared = ["at", "user", "organisation", "action", "request_id"]
    per_case = ["referral_id", "participant_id", "case_number", "subject_hash"]
    names = ", ".join(quote(columns[name]) for name in shared + per_case)
    # Only the model's own names go into the text; every value is a parameter.
    # Typed, so that the statement means the same with parameters bound by the server.
    return (
        f"INSERT INTO {quote(AccessLog._meta.db_table)} ({names}) "  # noqa: S608
        "SELECT %s::timestamptz, %s::bigint, %s::bigint, %s::text, %s::text, * "
        "FROM UNNEST(%s::bigint[], %s::bigint[], %s::text[], %s::text[])"
    )


class AdminEventKind(models.TextChoices):
    ROLE_CHANGED = "role_changed", _("Roles changed")
    PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
    ADMIN_LOGIN = "admin_login", _("Administrator logged in")


# The flags whose changes are recorded: the roles, superuser and whether the account is active.
ROLE_FIELDS = (
    "is_case_worker",
    "is_coordinator",
    "is_council_member",
    "is_steering_member",
    "is_log_reviewer",
    "is_administrator",
    "is_superuser",
    "is_active",
)


class AdminEventQuerySet(AppendOnlyQuerySet):
    def of_kind(self, kind: str | None) -> AdminEventQuerySet:
        """Events of one kind; every event for an empty or unknown kind."""
        if kind in AdminEventKind.values:
            return self.filter(kind=kind)
        return self

    def with_people(self) -> AdminEventQuerySet:
        return self.select_related("actor", "subject")


class AdminEvent(AppendOnlyModel):
    """What an administrator did to users: role changes, password resets, log-ins. Append-only.

    It records no passwords, only that one was set and by whom.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(
        User, verbose_name=_("concerning"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=20, choices=AdminEventKind.choices)
    # The names of the ROLE_FIELDS that were true before and after a role change.
    roles_before = models.JSONField(_("roles before"), default=list, blank=True)
    roles_after = models.JSONField(_("roles after"), default=list, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects = AdminEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("administration event")
        verbose_name_plural = _("administration log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.kind} {self.subject_id}"

    @staticmethod
    def roles_of(user: User) -> list[str]:
        return [name for name in ROLE_FIELDS if getattr(user, name)]

    @staticmethod
    def role_labels(names: list[str]) -> list[str]:
        """The flags' names as the admin shows them ("case worker", "active")."""
        fields = {field.name: field for field in User._meta.fields if field.name in ROLE_FIELDS}
        return [str(fields[name].verbose_name) for name in names if name in fields]

    @property
    def roles_before_labels(self) -> list[str]:
        return self.role_labels(self.roles_before)

    @property
    def roles_after_labels(self) -> list[str]:
        return self.role_labels(self.roles_after)

    @classmethod
    def record(
        cls, request: Any, *, kind: str, subject: User, actor: Any = None, **fields: Any
    ) -> AdminEvent:
        return cls.objects.create(
            actor=actor or request.user,
            subject=subject,
            kind=kind,
            request_id=getattr(request, "request_id", ""),
            **fields,
        )

    @classmethod
    def record_role_change(cls, request: Any, *, subject: User, before: list[str]) -> AdminEvent | None:
        """Record the change from ``before`` to the subject's roles now; nothing if they are the same."""
        after = cls.roles_of(subject)
        if after == before:
            return None
        return cls.record(
            request, kind=AdminEventKind.ROLE_CHANGED, subject=subject, roles_before=before, roles_after=after
        )
