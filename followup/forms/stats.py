"""The statistics page's choices: how the period is split, its dates, and optionally one council."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.stats import DEFAULT_GRANULARITY, Bucket, Granularity, Period
from meetings.models import Council
from resursrad.forms import FixedChoiceField, date_field

END_BEFORE_START = _("The end of the period must not be before its start.")
# More columns than this make a table nobody reads.
MOST_COLUMNS = 36
LONGEST_PERIOD_DAYS = 10 * 366


class StatisticsForm(forms.Form):
    """Read from the query string: the page and its CSV share the same choices."""

    granularity = FixedChoiceField(
        label=_("Split by"), required=False, choices=Granularity.choices, initial=DEFAULT_GRANULARITY
    )
    period_from = date_field(_("From"), required=False)
    period_to = date_field(_("Until"), required=False)
    council = forms.ModelChoiceField(
        label=_("Council"),
        required=False,
        queryset=Council.objects.all(),
        empty_label=_("All councils"),
        help_text=_("One council: only the cases that had a time on its agendas."),
        error_messages={"invalid_choice": _("Choose one of the councils in the list.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", END_BEFORE_START)
        elif start and end and (end - start).days > LONGEST_PERIOD_DAYS:
            self.add_error("period_to", _("Choose a period of at most ten years."))
        elif start and end:
            granularity = data.get("granularity") or DEFAULT_GRANULARITY
            if len(Period(granularity, start, end).buckets()) > MOST_COLUMNS:
                self.add_error(
                    "granularity",
                    _(
                        "The period has more than 36 months: split it by tertial or year, or choose a shorter one."
                    ),
                )
        return data

    def period(self, today: date | None = None) -> Period:
        """The chosen period; the default's ends where none is chosen. Call only on a valid (or unbound) form."""
        default = Period.default(today)
        if not self.is_bound:
            return default
        granularity = self.cleaned_data.get("granularity") or DEFAULT_GRANULARITY
        start = self.cleaned_data.get("period_from")
        end = self.cleaned_data.get("period_to")
        if start and not end:
            end = max(start, default.end)
        elif end and not start:
            start = min(end, default.start) if end >= default.start else date(end.year, 1, 1)
        period = Period(granularity, start or default.start, end or default.end)
        if len(period.buckets()) > MOST_COLUMNS:
            # Only one end was chosen, far from today: the 36 columns nearest it.
            if self.cleaned_data.get("period_from"):
                last = Bucket.of(period.start, granularity)
                for _step in range(MOST_COLUMNS - 1):
                    last = last.next()
                period = Period(granularity, period.start, last.last_day)
            else:
                period = Period(granularity, date(period.end.year, 1, 1), period.end)
        return period

    def query_string(self, period: Period) -> str:
        """The chosen period (and council) as a query string, for the CSV link."""
        values = {
            "granularity": period.granularity,
            "period_from": period.start.isoformat(),
            "period_to": period.end.isoformat(),
        }
        council = self.cleaned_data.get("council") if self.is_bound else None
        if council is not None:
            values["council"] = str(council.pk)
        return urlencode(values)
