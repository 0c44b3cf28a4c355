from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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


class AccessLogFilterForm(forms.Form):
    user: forms.ModelChoiceField = forms.ModelChoiceField(label=_("User"), queryset=None, required=False)  # type: ignore[arg-type]
    case_number = forms.CharField(label=_("Case number"), max_length=20, required=False)
    date_from = date_field(_("From"), required=False)
    date_to = date_field(_("Until"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from resursrad.models import User

        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.order_by("last_name", "first_name")  # type: ignore[attr-defined]
        self.fields["user"].empty_label = _("All")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period must not be before its start."))
        return data

    def filter(self, queryset: Any) -> Any:
        data = self.cleaned_data
        if data.get("user"):
            queryset = queryset.filter(user=data["user"])
        if data.get("case_number"):
            queryset = queryset.filter(case_number__iexact=data["case_number"].strip())
        if data.get("date_from"):
            queryset = queryset.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(at__date__lte=data["date_to"])
        return queryset
