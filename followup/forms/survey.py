"""The participant's survey form and the results page's choice of council and period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from followup.models_survey import FREE_TEXT_MAX_LENGTH, QUESTIONS, Agreement, SurveyAnswer
from meetings.models import Council

MONTH_INVALID = _("Enter a month as YYYY-MM, for example 2026-03.")


class SurveyAnswerForm(forms.ModelForm):
    """Three fixed questions and an optional free text; nothing that identifies anyone is asked."""

    class Meta:
        model = SurveyAnswer
        fields = [field for field, _label in QUESTIONS] + ["free_text"]
        widgets = {field: forms.RadioSelect for field, _label in QUESTIONS}
        labels = {"free_text": _("Is there anything else you want to tell us? (optional)")}
        help_texts = {
            "free_text": _(
                "Do not write your name or anything else that shows who you are. At most 1000 characters."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, _label in QUESTIONS:
            self.fields[field].choices = Agreement.choices  # type: ignore[attr-defined]
            self.fields[field].error_messages["required"] = _("Choose one of the answers.")
        self.fields["free_text"].widget.attrs.update({"rows": 4, "maxlength": FREE_TEXT_MAX_LENGTH})
        self.fields["free_text"].error_messages["max_length"] = _(
            "Write at most %(limit_value)d characters (you wrote %(show_value)d)."
        )

    def answers(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}  # type: ignore[union-attr]


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month picker), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]
    default_error_messages = {"invalid": MONTH_INVALID, "required": _("Enter a month.")}


class SurveyResultsForm(forms.Form):
    """Which council and which months the results cover."""

    council = forms.ModelChoiceField(
        label=_("Council"),
        queryset=Council.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the councils in the list.")},
    )
    start = MonthField(label=_("From month"))
    end = MonthField(label=_("To month"))

    def __init__(self, *args: Any, councils: QuerySet[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The end of the period must not be before its start."))
        return data
