"""The styrgrupp's review forms and the party contact's statement: they clean input, the models act."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deviations.models import Deviation
from deviations.workflow import DeviationError
from resursrad.forms import date_field
from resursrad.models import Organisation, Party

TEXT_LIMIT = 4000


def _text(label: Any, *, required: bool = True, message: Any = "", help_text: Any = "", rows: int = 4) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": TEXT_LIMIT}),
        error_messages={
            "required": message or _("Write a text."),
            "max_length": _("Shorten the text to at most %(limit_value)d characters."),
        },
    )


class StepForm(forms.Form):
    """Every step's form carries the version of the deviation the page showed (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # The form field a DeviationError's "text" belongs beside (the step's required text).
    text_field = ""

    def __init__(self, *args: Any, deviation: Deviation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", deviation.version)
        super().__init__(*args, **kwargs)
        self.deviation = deviation
        self.fields["version"].error_messages = {
            "required": _("The page was incomplete. Reload it and try again."),
            "invalid": _("The page was incomplete. Reload it and try again."),
            "min_value": _("The page was incomplete. Reload it and try again."),
        }

    def refuse(self, error: DeviationError) -> None:
        """Put the model's refusal beside its field, or above the form."""
        if not error.errors:
            self.add_error(None, str(error))
            return
        for field, message in error.errors.items():
            name = self.text_field if field == "text" and self.text_field else field
            self.add_error(name if name in self.fields else None, message)

    def with_current_version(self, data: Any, version: int) -> Any:
        """The posted data with the deviation's current version: the next submit is a choice made after reading."""
        data = data.copy()
        data[self.add_prefix("version")] = str(version)
        return data


class TakeForm(StepForm):
    pass


class CloseForm(StepForm):
    comment = _text(_("Comment (optional)"), required=False, rows=2)


class StatementRequestForm(StepForm):
    organisations = forms.ModelMultipleChoiceField(
        label=_("Organisations to ask"),
        queryset=Organisation.objects.order_by("name"),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose more than one."),
        error_messages={
            "required": _("Choose at least one organisation to ask."),
            "invalid_choice": _("Choose organisations from the list."),
            "invalid_pk_value": _("Choose organisations from the list."),
        },
    )
    question = _text(
        _("What the organisation is asked about"), message=_("Write what the organisation is asked about.")
    )
    due_on = date_field(_("Answer due"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["due_on"].initial = timezone.localdate() + timedelta(
            days=settings.DEVIATION_STATEMENT_DAYS
        )
        self.fields["organisations"].widget.attrs["size"] = 6

    def clean_due_on(self) -> Any:
        due_on = self.cleaned_data["due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on


class DecideForm(StepForm):
    text_field = "decision"

    decision = _text(_("Decided action"), message=_("Write the action that was decided."))
    responsible_party = forms.ChoiceField(
        label=_("Party responsible for the action"),
        choices=[("", _("Choose a party")), *Party.choices],
        error_messages={
            "required": _("Choose the party responsible for the action."),
            "invalid_choice": _("Choose the party responsible for the action."),
        },
    )
    action_due_on = date_field(_("Action due"))

    def clean_action_due_on(self) -> Any:
        due_on = self.cleaned_data["action_due_on"]
        if due_on < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due_on


class FeedbackForm(StepForm):
    text_field = "feedback"

    feedback = _text(
        _("Feedback to the reporter"),
        message=_("Write the feedback to the reporter."),
        help_text=_("The reporter reads this. Write it without names or other details about individuals."),
    )


class CommentForm(StepForm):
    comment = _text(_("Comment"), message=_("Write a comment."), rows=3)


class SystemFaultForm(StepForm):
    is_fault = forms.BooleanField(
        label=_("A system fault: the same gap recurs"),
        required=False,
    )
    related = forms.ModelMultipleChoiceField(
        label=_("Link to deviations of the same kind"),
        queryset=Deviation.objects.none(),
        required=False,
        help_text=_(
            "Recent deviations of the same category, by number. Hold Ctrl (Cmd on a Mac) to choose more than one."
        ),
        error_messages={
            "invalid_choice": _("Choose deviations from the list."),
            "invalid_pk_value": _("Choose deviations from the list."),
        },
    )

    def __init__(self, *args: Any, candidates: QuerySet[Deviation], **kwargs: Any) -> None:
        deviation: Deviation = kwargs["deviation"]
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("is_fault", deviation.is_system_fault)
        super().__init__(*args, **kwargs)
        related: Any = self.fields["related"]
        related.queryset = candidates
        related.label_from_instance = lambda other: f"{other.number} ({other.reported_at:%Y-%m-%d})"
        related.widget.attrs["size"] = 6


class AnswerForm(forms.Form):
    """The asked organisation's statement."""

    answer = _text(
        _("Your organisation's statement"),
        message=_("Write the organisation's statement."),
        help_text=_(
            "Write it without names or other details about individuals: deviations can become public records."
        ),
        rows=6,
    )

    def refuse(self, error: DeviationError) -> None:
        if not error.errors:
            self.add_error(None, str(error))
            return
        for field, message in error.errors.items():
            self.add_error(field if field in self.fields else None, message)
