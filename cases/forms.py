from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import workflow
from cases.models import (
    TEXT_LIMIT,
    Consent,
    ConsentMethod,
    DataCategory,
    Participant,
    Participation,
    Reason,
    Referral,
    Sex,
    Status,
    TargetGroup,
)
from resursrad import personnummer
from resursrad.forms import FixedChoiceField, date_field
from resursrad.models import Party

IDENTIFYING_FIELDS = ["first_name", "last_name", "personal_number", "phone", "email", "address"]


class ParticipantForm(forms.ModelForm):
    personal_number = forms.CharField(
        label=_("Personal identity number or co-ordination number"),
        required=False,
        max_length=20,
        help_text=_("10 or 12 digits, with or without a hyphen."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Participant
        fields = [
            "protected_identity",
            "pseudonym",
            "first_name",
            "last_name",
            "personal_number",
            "birth_year",
            "sex",
            "phone",
            "email",
            "address",
            "language",
            "needs_interpreter",
            "interpreter_language",
            "accessibility_needs",
        ]
        widgets = {
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
            "sex": forms.RadioSelect,
        }
        help_texts = {
            "first_name": _("Required unless the person has protected identity."),
            "last_name": _("Required unless the person has protected identity."),
            "pseudonym": _("Only with protected identity: a made-up name the council uses."),
            "birth_year": _("Filled in from the personal identity number when one is given."),
            "sex": _("The national follow-up counts women and men."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.personal_number and not self.is_bound:
            self.initial["personal_number"] = self.instance.formatted_number
        self.fields["sex"].choices = Sex.choices  # type: ignore[attr-defined]
        for name in [*IDENTIFYING_FIELDS, "pseudonym"]:
            # The browser must not remember or offer one person's data for another.
            self.fields[name].widget.attrs.update({"data-identifying": "true", "autocomplete": "off"})

    def clean_personal_number(self) -> str:
        value = self.cleaned_data.get("personal_number", "")
        if not value or self.data.get(self.add_prefix("protected_identity")):
            return ""
        number = personnummer.parse(value, today=timezone.localdate())
        self._parsed_number = number
        return number.digits

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        this_year = timezone.localdate().year
        if year is not None and not (1900 <= year <= this_year):
            raise forms.ValidationError(_("Enter a year between 1900 and %(year)s.") % {"year": this_year})
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("protected_identity"):
            # Nothing identifying is stored for a person with protected identity,
            # whatever was typed before the switch was set.
            for name in IDENTIFYING_FIELDS:
                data[name] = ""
            self.errors.pop("personal_number", None)
            self.errors.pop("email", None)
            if not data.get("pseudonym"):
                self.add_error("pseudonym", _("Give a pseudonym, for example “Person A”."))
        else:
            data["pseudonym"] = ""
            if not data.get("first_name"):
                self.add_error("first_name", _("Enter the first name."))
            if not data.get("last_name"):
                self.add_error("last_name", _("Enter the last name."))
        number = getattr(self, "_parsed_number", None)
        if number and data.get("personal_number"):
            data["birth_year"] = number.birth_year
            self.instance.is_coordination_number = number.is_coordination_number
        else:
            self.instance.is_coordination_number = False
        if data.get("needs_interpreter") and not data.get("interpreter_language"):
            self.add_error("interpreter_language", _("Say which language the interpreter is for."))
        return data

    def stored_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["is_coordination_number"] = self.instance.is_coordination_number
        return values


class ReferralForm(forms.ModelForm):
    target_groups = forms.MultipleChoiceField(
        label=_("Target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one target group.")},
    )
    requested_parties = forms.MultipleChoiceField(
        label=_("Parties asked to take part"),
        choices=Party.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each party needs the individual's consent before the referral can be submitted."),
        error_messages={"required": _("Choose at least one party.")},
    )
    preferred_from = date_field(_("Preferred from"), required=False)
    preferred_to = date_field(_("Preferred until"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Referral
        fields = [
            "target_groups",
            "reason",
            "reason_other",
            "current_situation",
            "parties_involved",
            "tried_so_far",
            "question_to_council",
            "requested_parties",
            "participation",
            "preferred_from",
            "preferred_to",
        ]
        widgets = {
            "reason": forms.RadioSelect,
            "participation": forms.RadioSelect,
            "current_situation": forms.Textarea(attrs={"rows": 5}),
            "parties_involved": forms.Textarea(attrs={"rows": 3}),
            "tried_so_far": forms.Textarea(attrs={"rows": 3}),
            "question_to_council": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "current_situation": _("In the individual's own words where possible."),
            "parties_involved": _("Which authorities are involved today, and with what."),
            "question_to_council": _("What do you and the individual want the council to help with?"),
        }
        error_messages = {
            "current_situation": {"required": _("Describe the current situation.")},
            "question_to_council": {"required": _("Write the question to the council.")},
            "reason": {"required": _("Choose the main reason for the referral.")},
        }

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["reason"].choices = Reason.choices  # type: ignore[attr-defined]
        self.fields["participation"].choices = Participation.choices  # type: ignore[attr-defined]
        for name in ["current_situation", "parties_involved", "tried_so_far", "question_to_council"]:
            self.fields[name].max_length = TEXT_LIMIT  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["maxlength"] = TEXT_LIMIT
        if not self.is_bound:
            if self.instance.pk:
                self.initial["target_groups"] = [g.value for g in self.instance.target_groups]
                self.initial["requested_parties"] = list(self.instance.requested_parties)
                self.initial["version"] = self.instance.version
            elif organisation is not None:
                self.initial["requested_parties"] = [organisation.party]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("preferred_from"), data.get("preferred_to")
        if start and end and end < start:
            self.add_error("preferred_to", _("The end of the period must not be before its start."))
        if data.get("reason") == Reason.OTHER and not data.get("reason_other"):
            self.add_error("reason_other", _("Describe the other reason."))
        parties = data.get("requested_parties") or []
        if self.organisation is not None and parties and self.organisation.party not in parties:
            self.add_error(
                "requested_parties",
                _("Your own party (%(party)s) must take part.")
                % {"party": self.organisation.get_party_display()},
            )
        return data

    def stored_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name != "target_groups"}
        values["requested_parties"] = [code for code in Party.values if code in data["requested_parties"]]
        for group in TargetGroup:
            values[f"tg_{group.value}"] = group.value in data["target_groups"]
        return values


class ConsentForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("Kinds of data that may be shared"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of data.")},
    )
    given_on = date_field(_("Given on"))
    valid_until = date_field(_("Valid until"), help_text=_("For how long the individual agreed to sharing."))

    class Meta:
        model = Consent
        fields = ["party", "categories", "given_on", "method", "documented_by", "valid_until"]
        widgets = {"method": forms.RadioSelect}
        help_texts = {"documented_by": _("Who documented an oral consent, and where.")}

    def __init__(self, *args: Any, referral: Referral, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.fields["method"].choices = ConsentMethod.choices  # type: ignore[attr-defined]
        self.fields["party"].choices = [("", _("Choose a party")), *Party.choices]  # type: ignore[attr-defined]

    def clean_given_on(self) -> date:
        given = self.cleaned_data["given_on"]
        if given > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return given

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given, until = data.get("given_on"), data.get("valid_until")
        if given and until and until < given:
            self.add_error("valid_until", _("The consent cannot end before the day it was given."))
        if until and until < timezone.localdate():
            self.add_error("valid_until", _("The consent has already expired. Check the date."))
        if data.get("method") == ConsentMethod.ORAL and not data.get("documented_by"):
            self.add_error("documented_by", _("Say who documented the oral consent."))
        party = data.get("party")
        if party and any(c.party == party for c in self.referral.consents_in_force(timezone.localdate())):
            self.add_error("party", _("This party already has consent in force."))
        return data


class WithdrawConsentForm(forms.Form):
    withdrawn_on = date_field(_("Withdrawn on"))

    def __init__(self, *args: Any, given_on: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.given_on = given_on
        if not self.is_bound:
            self.initial["withdrawn_on"] = timezone.localdate()

    def clean_withdrawn_on(self) -> date:
        day = self.cleaned_data["withdrawn_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Register the withdrawal on the day it happens, not before."))
        if day < self.given_on:
            raise forms.ValidationError(_("The consent cannot be withdrawn before it was given."))
        return day


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT}),
        error_messages={"required": _("Write a comment.")},
    )

    def __init__(
        self, *args: Any, label: Any = None, required: bool = True, missing: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["comment"].label = label
        if missing:
            self.fields["comment"].error_messages["required"] = missing
        self.fields["comment"].required = required


class DecisionForm(forms.Form):
    """The coordinator's decision in one form: the choice, and one text whose need follows it."""

    decision = forms.ChoiceField(
        label=_("Your decision"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose accept, ask for more information or decline.")},
    )
    text = forms.CharField(
        label=_("Text to the case worker"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_LIMIT}),
        help_text=_(
            "Required when you ask for more information (your question) or decline (the reason). "
            "Optional when you accept."
        ),
    )

    def __init__(self, *args: Any, decisions: list[workflow.Transition], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "decision")
        super().__init__(*args, **kwargs)
        self.decisions = {transition.name: transition for transition in decisions}
        self.fields["decision"].choices = [(t.name, t.label) for t in decisions]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self.decisions.get(data.get("decision", ""))
        text = (data.get("text") or "").strip()
        if chosen and chosen.comment is workflow.Comment.REQUIRED and not text:
            self.add_error("text", str(chosen.comment_missing))
        return data

    @property
    def chosen(self) -> workflow.Transition:
        return self.decisions[self.cleaned_data["decision"]]


class ReferralFilterForm(forms.Form):
    status = FixedChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Status.choices])
    party = FixedChoiceField(
        label=_("Referring party"), required=False, choices=[("", _("All")), *Party.choices]
    )
    target_group = FixedChoiceField(
        label=_("Target group"), required=False, choices=[("", _("All")), *TargetGroup.choices]
    )
    created_from = date_field(_("Created from"), required=False)
    created_to = date_field(_("Created until"), required=False)
    mine = forms.BooleanField(label=_("Only where I am the case worker"), required=False)

    def filter(self, queryset: Any, user: Any) -> Any:
        data = self.cleaned_data
        if data.get("mine"):
            queryset = queryset.filter(handler=user)
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("party"):
            queryset = queryset.filter(organisation__party=data["party"])
        if data.get("target_group"):
            queryset = queryset.filter(**{f"tg_{data['target_group']}": True})
        if data.get("created_from"):
            queryset = queryset.filter(created_at__date__gte=data["created_from"])
        if data.get("created_to"):
            queryset = queryset.filter(created_at__date__lte=data["created_to"])
        return queryset


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by case number or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ParticipantLookupForm(forms.Form):
    personal_number = forms.CharField(
        label=_("The participant's personal identity number"),
        max_length=20,
        help_text=_("10 or 12 digits. The number is not saved or shown in any address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the personal identity number.")},
    )

    def clean_personal_number(self) -> str:
        return personnummer.parse(self.cleaned_data["personal_number"]).digits


class InboxFilterForm(forms.Form):
    """Narrow the inbox by target group and referring organisation."""

    target_group = FixedChoiceField(
        label=_("Target group"), required=False, choices=[("", _("All")), *TargetGroup.choices]
    )
    organisation = forms.TypedChoiceField(
        label=_("Organisation"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("All")), *organisations]  # type: ignore[attr-defined]
