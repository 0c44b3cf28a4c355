from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from resursrad.case_numbers import normalise_case_number
from resursrad.keyset import Cursor
from resursrad.models import AccessAction, User


class LoginForm(AuthenticationForm):
    """Log in with e-mail and password; one message for every failure."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address such as name@kommun.se."),
        },
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )

    error_messages = {
        "invalid_login": _("The e-mail address or the password is wrong. Check both and try again."),
        "inactive": _("The e-mail address or the password is wrong. Check both and try again."),
    }


def date_field(label: Any, required: bool = True, help_text: Any = "") -> forms.DateField:
    """A date field with the browser's date picker and a Swedish message for impossible dates."""
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=help_text,
        error_messages={
            "invalid": _("Enter a real date as YYYY-MM-DD, for example 2026-03-15."),
            "required": _("Enter a date."),
        },
    )


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices are fixed with the form class, as a filter's are.

    An unknown value (an old or edited link) is explained without repeating it.

    Django deep-copies every field's choices for each form it makes; these
    never change, so each form shares them instead.
    """

    default_error_messages = {"invalid_choice": _("Choose one of the options in the list.")}

    def __deepcopy__(self, memo: dict[int, Any]) -> FixedChoiceField:
        result = forms.Field.__deepcopy__(self, memo)
        result._choices = self._choices  # type: ignore[attr-defined]
        return result  # type: ignore[return-value]


def datetime_field(label: Any) -> forms.DateTimeField:
    """A date and time with the browser's picker (datetime-local), in the local time zone."""
    return forms.DateTimeField(
        label=label,
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"invalid": _("Enter a date and time such as 2026-03-15 08:30.")},
    )


class AccessLogFilterForm(forms.Form):
    """The review page's filters; each narrows the log, and they combine."""

    email = forms.EmailField(
        label=_("User's e-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={"invalid": _("Enter an e-mail address such as name@kommun.se.")},
    )
    case_number = forms.CharField(label=_("Case number"), max_length=30, required=False)
    action = FixedChoiceField(
        label=_("Action"), required=False, choices=[("", _("All")), *AccessAction.choices]
    )
    at_from = datetime_field(_("From"))
    at_to = datetime_field(_("Until"))
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    # A page link that cannot be read shows the first page, with a message: not a form error.
    bad_cursor = False

    def clean_email(self) -> User | None:
        email = self.cleaned_data.get("email")
        if not email:
            return None
        user = User.objects.with_email(email)
        if user is None:
            raise forms.ValidationError(_("No user has this e-mail address. Check the spelling."))
        return user

    def clean_case_number(self) -> str:
        value = self.cleaned_data.get("case_number", "")
        return normalise_case_number(value) if value.strip() else ""

    def clean_cursor(self) -> Cursor | None:
        token = self.cleaned_data.get("cursor", "")
        if not token:
            return None
        try:
            return Cursor.decode(token)
        except ValueError:
            self.bad_cursor = True
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("at_from") and data.get("at_to") and data["at_to"] < data["at_from"]:
            self.add_error("at_to", _("The end of the period must not be before its start."))
        return data

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as AccessLogQuerySet.matching takes them; the end includes its minute."""
        data = self.cleaned_data
        return {
            "user": data.get("email"),
            "case_number": data.get("case_number", ""),
            "action": data.get("action", ""),
            "start": data.get("at_from"),
            "end": data["at_to"] + timedelta(minutes=1) if data.get("at_to") else None,
        }
