"""The kinds of notification, each declared once by the app it belongs to.

An app lists its kinds in ``<app>/notifications.py`` as ``KINDS``; this module
collects them the way ``resursrad.navigation`` collects pages, so the base
package names no app. A kind's texts name no individual: they may use a case
number, a time, a place and a link into the app, nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.utils import translation
from django.utils.functional import Promise

if TYPE_CHECKING:
    from resursrad.models import User

# The placeholders a kind's texts may use. Each is something that names no
# individual; a kind's ``context`` may supply only these.
ALLOWED_PLACEHOLDERS = frozenset({"case_number", "date", "time", "place", "parties", "days"})
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


class UnknownKind(LookupError):
    """A notification kind nobody declared."""


def _no_recipients(obj: Any) -> list[User]:
    return []


# A file sent with the e-mail: (file name, content, MIME type).
Attachment = tuple[str, bytes, str]


@dataclass(frozen=True)
class Kind:
    """One kind of notification: its texts, its recipients and its urgency."""

    # "<app>.<what>", e.g. "cases.info_requested"; stored on every row.
    name: str
    # What the kind is, for the preference form and the overview.
    label: str | Promise
    # Subject and text, English source strings translated by the catalogue,
    # with %(placeholders)s from ALLOWED_PLACEHOLDERS.
    subject: str | Promise
    text: str | Promise
    # The values for the placeholders, from the object: never a name,
    # personal identity number or health text.
    context: Callable[[Any], dict[str, str]]
    # The address in the app the notification links to (a path); the view
    # there decides whether the reader may still see it.
    url: Callable[[Any], str]
    # A short reference shown in lists and the overview: the case number.
    reference: Callable[[Any], str]
    # Who receives it when the caller names nobody.
    recipients: Callable[[Any], Iterable[User]] = field(default=_no_recipients)
    # Urgent kinds go by e-mail at once whatever the user chose.
    urgent: bool = False
    # The roles (resursrad.models.Role values) whose holders may receive it,
    # so that the preference page offers each user only what can reach them;
    # empty: anyone.
    audience: frozenset[str] = frozenset()
    # Files for the e-mail, made from the object when the e-mail is built (so
    # they show the object as it is then); nothing if the object is gone.
    # Like the texts they name no individual.
    attachments: Callable[[Any], list[Attachment]] | None = None

    def check(self) -> None:
        """The texts use only allowed placeholders, in the source and in every language."""
        for language in [None, *(code for code, _ in settings.LANGUAGES)]:
            with translation.override(language):
                for text in (self.subject, self.text):
                    unknown = set(PLACEHOLDER.findall(str(text))) - ALLOWED_PLACEHOLDERS
                    if unknown:
                        raise ValueError(
                            f"Notification kind {self.name} ({language or 'source'}): "
                            f"placeholders not allowed: {sorted(unknown)}"
                        )

    def reaches(self, user: User) -> bool:
        """Whether the kind can reach this user, by the roles they hold."""
        return not self.audience or any(role in self.audience for role in user.roles)

    def render(self, context: dict[str, str]) -> tuple[str, str]:
        """Subject and text in the active language, filled in from a stored context."""
        values = {name: context.get(name, "") for name in ALLOWED_PLACEHOLDERS}
        return str(self.subject) % values, str(self.text) % values


class Registry:
    """Every declared kind, by name; filled from the apps on first use."""

    def __init__(self) -> None:
        self._kinds: dict[str, Kind] | None = None

    def _loaded(self) -> dict[str, Kind]:
        if self._kinds is None:
            # Filled completely or not at all: a failure is raised again next time.
            kinds: dict[str, Kind] = {}
            for config in apps.get_app_configs():
                module_name = f"{config.name}.notifications"
                if config.name == __package__ or find_spec(module_name) is None:
                    continue
                for kind in getattr(import_module(module_name), "KINDS", []):
                    self._add(kinds, kind)
            self._kinds = kinds
        return self._kinds

    @staticmethod
    def _add(kinds: dict[str, Kind], kind: Kind) -> None:
        kind.check()
        if kind.name in kinds:
            raise ValueError(f"Notification kind {kind.name} is declared twice.")
        kinds[kind.name] = kind

    def get(self, name: str) -> Kind:
        try:
            return self._loaded()[name]
        except KeyError:
            raise UnknownKind(f"No notification kind is declared as {name!r}.") from None

    def __contains__(self, name: object) -> bool:
        return name in self._loaded()

    def __iter__(self) -> Iterator[Kind]:
        return iter(sorted(self._loaded().values(), key=lambda kind: kind.name))

    def as_declared(self) -> list[Kind]:
        """Every kind in the order the apps declare them: related kinds stay together."""
        return list(self._loaded().values())

    def choices(self) -> list[tuple[str, str]]:
        return [(kind.name, str(kind.label)) for kind in self]

    @contextmanager
    def declared(self, *extra: Kind) -> Iterator[None]:
        """Declare more kinds for a while (tests; the apps declare theirs in KINDS)."""
        kinds = self._loaded()
        for kind in extra:
            self._add(kinds, kind)
        try:
            yield
        finally:
            for kind in extra:
                kinds.pop(kind.name, None)


registry = Registry()


def resolve(kind: Kind | str) -> Kind:
    """The declared kind for a name or a kind; an undeclared one is refused."""
    declared = registry.get(kind.name if isinstance(kind, Kind) else kind)
    if isinstance(kind, Kind) and declared is not kind:
        raise UnknownKind(f"Notification kind {kind.name!r} is not the declared one.")
    return declared


def check_kinds(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: every app's kinds load, with allowed placeholders in every language."""
    try:
        list(registry)
    except (ValueError, ImportError) as error:
        return [checks.Error(str(error), id="notifications.E001")]
    return []
