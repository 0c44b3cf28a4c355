"""Forms of the calendar pages."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    """The month a month view shows, as YYYY-MM in the address."""

    month = forms.CharField(label=_("Month"), required=False)

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if match is None or not (2000 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12):
            raise forms.ValidationError(
                _("Write the month as YYYY-MM, for example 2025-03, between 2000 and 2100.")
            )
        return date(int(match[1]), int(match[2]), 1)


class FeedForm(forms.Form):
    """Create or replace the feed address, or stop it."""

    ISSUE = "issue"
    REVOKE = "revoke"
    action = forms.ChoiceField(choices=[(ISSUE, _("New address")), (REVOKE, _("Stop the address"))])
