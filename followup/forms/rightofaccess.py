"""The case number for a register extract, typed by the coordinator or the case worker."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from resursrad.case_numbers import normalise_case_number


class CaseNumberForm(forms.Form):
    case_number = forms.CharField(
        label=_("Case number"),
        max_length=30,
        help_text=_(
            "For example RR-2026-0042. A person with protected identity is found by case number only."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Enter the case number.")},
    )

    def clean_case_number(self) -> str:
        return normalise_case_number(self.cleaned_data["case_number"])
