"""The preference form and the overview's filters: they clean input, the models act on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from resursrad.forms import date_field
from resursrad.notifications.kinds import Kind, registry
from resursrad.notifications.models import (
    NO_ADDRESS,
    Channel,
    Cursor,
    Delivery,
    NotificationPreference,
)

CHANNEL_ERROR = _("Choose e-mail at once, a daily or weekly summary, or in the Resursråd app only.")


def channel_choices() -> list[tuple[str, str]]:
    """The channels, the digests with the deployment's time."""
    digest_time = time_format(settings.NOTIFICATION_DIGEST_TIME, "H:i")
    labels = {
        Channel.EMAIL: _("E-mail at once"),
        Channel.DIGEST: _("A daily summary by e-mail at %(time)s") % {"time": digest_time},
        Channel.WEEKLY: _("A weekly summary by e-mail on Mondays at %(time)s") % {"time": digest_time},
        Channel.IN_APP: _("Only here in Resursråd"),
    }
    return [(channel.value, str(labels[channel])) for channel in Channel]


class PreferenceForm(forms.Form):
    """How the user wants each kind that can reach them; urgent kinds are shown, not chosen."""

    prefix = "kind"

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.kinds: dict[str, Kind] = {}
        for kind, channel in NotificationPreference.objects.for_user(user):
            self.kinds[kind.name] = kind
            # Not "required": every kind needs an answer (checked in clean()),
            # so no field is marked apart from the others.
            field = forms.ChoiceField(
                label=str(kind.label),
                choices=channel_choices(),
                initial=channel,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": CHANNEL_ERROR},
            )
            if kind.urgent:
                # Shown as e-mail at once, greyed out; the browser sends nothing
                # for it, and a value sent anyway is checked in clean().
                field.widget.attrs["disabled"] = True
                field.help_text = _(
                    "Urgent: it always comes by e-mail at once as well, so that it is not missed."
                )
            self.fields[kind.name] = field

    @property
    def urgent_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, kind in self.kinds.items() if kind.urgent]

    @property
    def choosable_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, kind in self.kinds.items() if not kind.urgent]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, kind in self.kinds.items():
            if name not in data:
                continue  # already explained: not one of the channels
            if kind.urgent and data[name] not in ("", Channel.EMAIL):
                self.add_error(name, _("This notification is urgent and always comes by e-mail at once."))
            elif not kind.urgent and not data[name]:
                self.add_error(name, CHANNEL_ERROR)
        # A field the form does not have: a kind that is not declared, or
        # that cannot reach this user (an old page, or a made-up request).
        unknown = [
            key
            for key in self.data
            if key.startswith(f"{self.prefix}-") and key.removeprefix(f"{self.prefix}-") not in self.fields
        ]
        if unknown:
            self.add_error(
                None,
                _(
                    "The form held a kind of notification that you cannot choose. "
                    "Reload the page and make your choices again."
                ),
            )
        return data

    def save(self) -> list[Kind]:
        """Record the choices; returns the kinds whose channel changed."""
        choices = {name: self.cleaned_data[name] for name, kind in self.kinds.items() if not kind.urgent}
        return NotificationPreference.choose_all(self.user, choices)


def _choice(label: Any, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("All")), *choices],
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )


def status_choices() -> list[tuple[str, Any]]:
    return [*Delivery.choices, (NO_ADDRESS, _("Recipient without an e-mail address"))]


# A page of the overview: after the row due at this many microseconds since
# 1970 (UTC), with this id. Nothing in it names anyone.
CURSOR = re.compile(r"^(\d{1,17})-(\d{1,19})$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_cursor(cursor: Cursor) -> str:
    due_at, pk = cursor
    return f"{(due_at - EPOCH) // timedelta(microseconds=1)}-{pk}"


class OverviewFilterForm(forms.Form):
    """The overview's filters, and the page's place in the list."""

    kind = _choice(_("Kind"), [])
    status = _choice(_("E-mail"), [])
    due_from = date_field(_("From"), required=False)
    due_to = date_field(_("Until"), required=False)
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *registry.choices()]  # type: ignore[attr-defined]
        self.fields["status"].choices = [("", _("All")), *status_choices()]  # type: ignore[attr-defined]

    def clean_after(self) -> Cursor | None:
        value = self.cleaned_data.get("after") or ""
        if not value:
            return None
        match = CURSOR.match(value)
        if not match:
            raise forms.ValidationError(_("The page address is not valid; the first page is shown."))
        micros, pk = (int(part) for part in match.groups())
        if pk > 2**63 - 1:
            raise forms.ValidationError(_("The page address is not valid; the first page is shown."))
        return EPOCH + timedelta(microseconds=micros), pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_from") and data.get("due_to") and data["due_to"] < data["due_from"]:
            self.add_error("due_to", _("The end of the period must not be before its start."))
        return data

    def chosen(self) -> dict[str, Any]:
        """The valid filters and place; an invalid one is shown beside its field and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    @property
    def in_use(self) -> bool:
        chosen = self.chosen()
        return any(chosen.get(name) for name in ("kind", "status", "due_from", "due_to")) or bool(self.errors)
