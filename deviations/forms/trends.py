"""The styrgrupp's overview forms: the list's filters, the trend period, the report's date, meeting dates."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deviations import deidentify
from deviations.models import SteeringMeeting
from deviations.stats import last_four_quarters
from deviations.workflow import Category, Status
from resursrad.forms import FixedChoiceField, date_field
from resursrad.models import Party, User

END_BEFORE_START = _("The end of the period must not be before its start.")
# A longer period makes a table of more quarters than anyone reads.
LONGEST_PERIOD_DAYS = 10 * 366


def _filter_choice(label: Any, choices: Any) -> FixedChoiceField:
    return FixedChoiceField(label=label, required=False, choices=[("", _("All")), *choices])


class _PeriodMixin:
    """The period's end not before its start, said beside the end."""

    start_field = ""
    end_field = ""

    def _check_period(self, data: dict[str, Any]) -> None:
        start, end = data.get(self.start_field), data.get(self.end_field)
        if start and end and end < start:
            self.add_error(self.end_field, END_BEFORE_START)  # type: ignore[attr-defined]
        elif start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            self.add_error(  # type: ignore[attr-defined]
                self.end_field, _("Choose a period of at most ten years.")
            )


class DeviationFilterForm(_PeriodMixin, forms.Form):
    """The list's filters: status, category, party and the period the deviations were reported in."""

    status = _filter_choice(_("Status"), Status.choices)
    category = _filter_choice(pgettext_lazy("deviations overview", "Category"), Category.choices)
    party = _filter_choice(pgettext_lazy("deviations overview", "Party concerned"), Party.choices)
    reported_from = date_field(pgettext_lazy("deviations overview", "Reported from"), required=False)
    reported_to = date_field(pgettext_lazy("deviations overview", "Reported until"), required=False)

    start_field, end_field = "reported_from", "reported_to"
    # The order of the filters in the CSV file's name, and the word for each.
    FILE_NAME_WORDS = {"status": "status", "category": "kategori", "party": "part"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_period(data)
        return data

    def chosen(self) -> dict[str, Any]:
        """The valid filters; an invalid one is shown beside its field and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def query_string(self) -> str:
        return urlencode(
            {
                name: value.isoformat() if isinstance(value, date) else value
                for name, value in self.chosen().items()
            }
        )

    def file_name(self) -> str:
        """avvikelser_status-received_kategori-waiting_2026-01-01_2026-03-31.csv: the filters in the name."""
        chosen = self.chosen()
        parts = ["avvikelser"]
        parts += [f"{word}-{chosen[name]}" for name, word in self.FILE_NAME_WORDS.items() if name in chosen]
        start, end = chosen.get("reported_from"), chosen.get("reported_to")
        if start and end:
            parts += [start.isoformat(), end.isoformat()]
        elif start:
            parts.append(f"fran-{start.isoformat()}")
        elif end:
            parts.append(f"till-{end.isoformat()}")
        return "_".join(parts) + ".csv"


class TrendPeriodForm(_PeriodMixin, forms.Form):
    """The trend page's period; the last four quarters unless another is chosen."""

    period_from = date_field(_("From"), required=False)
    period_to = date_field(_("Until"), required=False)

    start_field, end_field = "period_from", "period_to"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_period(data)
        return data

    def period(self, today: date | None = None) -> tuple[date, date]:
        """The chosen period, each end the default's where it is missing or wrong."""
        default_start, default_end = last_four_quarters(today)
        if not self.is_bound or not self.is_valid():
            return default_start, default_end
        start = self.cleaned_data.get("period_from") or default_start
        end = self.cleaned_data.get("period_to") or default_end
        if end < start:
            # Only one end was chosen, beyond the default's other end: a year from (or to) it.
            length = default_end - default_start
            if self.cleaned_data.get("period_from"):
                return start, start + length
            return end - length, end
        return start, end


class ReportSinceForm(forms.Form):
    """The report's start: the last styrgrupp meeting before today, or a chosen date."""

    since = date_field(pgettext_lazy("deviations overview", "Since"), required=False)

    def clean_since(self) -> date | None:
        since: date | None = self.cleaned_data.get("since")
        if since and since > timezone.localdate():
            raise forms.ValidationError(_("Choose a date that is not in the future."))
        return since


class SteeringMeetingForm(forms.ModelForm):
    """A styrgrupp meeting date, and a short note."""

    date = date_field(pgettext_lazy("deviations overview", "Meeting date"))

    class Meta:
        model = SteeringMeeting
        fields = ["date", "note"]
        labels = {"note": pgettext_lazy("deviations overview", "Note (optional)")}
        help_texts = {"note": _("For example the meeting's place. Write no names of individuals.")}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        # The model's check of a unique date reports with the form field's messages.
        self.fields["date"].error_messages["unique"] = _("This meeting date is already registered.")

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if day > timezone.localdate() + timedelta(days=5 * 366):
            raise forms.ValidationError(_("Enter a date within the next five years."))
        return day

    def clean_note(self) -> str:
        note: str = self.cleaned_data.get("note", "").strip()
        found = deidentify.check_texts(self.user, {"note": note})
        if found:
            raise forms.ValidationError(" ".join(found["note"]))
        return note

    def save(self, commit: bool = True) -> SteeringMeeting:
        self.instance.registered_by = self.user
        return super().save(commit)
