"""The report form: what happened between the parties, never who it happened to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from deviations.models import Deviation, DeviationParty
from deviations.workflow import Category, DeviationError
from resursrad.forms import date_field
from resursrad.models import Party


def label(name: str) -> Any:
    """A field's label from the model, so the form, the list and the deviation's page say the same."""
    field = Deviation._meta.get_field(name)
    assert isinstance(field, models.Field)
    return capfirst(field.verbose_name)


def _text_limit(name: str) -> int:
    field = Deviation._meta.get_field(name)
    assert isinstance(field, models.Field)
    return int(field.max_length or 0)


class ReportForm(forms.Form):
    """The reporter's fields; the de-identification check is Deviation.report's, on submit."""

    description = forms.CharField(
        label=label("description"),
        max_length=_text_limit("description"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What happened between the parties, in general terms: what went wrong, not who it happened to."
        ),
        error_messages={"required": _("Describe what happened.")},
    )
    category = forms.ChoiceField(
        label=label("category"),
        choices=Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the category that fits best."),
            "invalid_choice": _("Choose one of the options in the list."),
        },
    )
    parties = forms.MultipleChoiceField(
        label=capfirst(DeviationParty._meta.verbose_name_plural),
        choices=Party.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Every party the deviation concerns, so that the steering group can count pairs of parties."
        ),
        error_messages={
            "required": _("Choose at least one party concerned."),
            "invalid_choice": _("Choose parties from the list."),
        },
    )
    consequence = forms.CharField(
        label=label("consequence"),
        max_length=_text_limit("consequence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In general terms, for example a delay, a lost payment or a step taken twice."),
    )
    suggestion = forms.CharField(
        label=label("suggestion"),
        max_length=_text_limit("suggestion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    observed_on = date_field(label("observed_on"))

    def __init__(self, *args: Any, today: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ["description", "consequence", "suggestion"]:
            self.fields[name].widget.attrs["maxlength"] = _text_limit(name)
        if today is not None:
            self.fields["observed_on"].widget.attrs["max"] = today.isoformat()
            self.initial.setdefault("observed_on", today)

    def report_values(self) -> dict[str, Any]:
        """The cleaned fields as Deviation.report takes them."""
        data = self.cleaned_data
        return {
            "description": data["description"],
            "category": data["category"],
            "parties": [code for code in Party.values if code in data["parties"]],
            "consequence": data["consequence"],
            "suggestion": data["suggestion"],
            "observed_on": data["observed_on"],
        }

    def add_refusal(self, error: DeviationError) -> None:
        """Each of the report's refusals beside its field; one that names no field above the form."""
        if not error.errors:
            self.add_error(None, str(error))
        for name, message in error.errors.items():
            self.add_error(name if name in self.fields else None, message)
