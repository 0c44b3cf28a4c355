from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.forms.utils import ErrorDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from cases import permissions, workflow
from cases.models import (
    TEXT_LIMIT,
    Consent,
    ConsentMethod,
    ConsentRefused,
    DataCategory,
    Participant,
    Participation,
    Reason,
    Referral,
    Sex,
    Status,
    TargetGroup,
    Todo,
)
from resursrad import personnummer
from resursrad.forms import FixedChoiceField, date_field
from resursrad.models import Party, User
from resursrad.permissions import is_case_worker

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


class ConsentRowForm(forms.Form):
    """One party's row on the consent page: whether to register it now, and the consent's terms.

    A row that is not ticked is neither checked nor saved, but keeps what was typed.
    """

    include = forms.BooleanField(required=False)
    categories = forms.MultipleChoiceField(
        label=_("Kinds of data that may be shared"),
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one kind of data.")},
    )
    given_on = date_field(_("Given on"))
    valid_until = date_field(_("Valid until"))
    method = forms.ChoiceField(
        label=_("How it was given"),
        choices=ConsentMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the consent was given.")},
    )
    documented_by = forms.CharField(
        label=_("Documented by"),
        max_length=200,
        required=False,
        help_text=_(
            "Who took down the consent; your name to begin with. For a signed form your name is "
            "used if you leave it empty."
        ),
    )
    record_reference = forms.CharField(
        label=_("Where the form is kept"),
        max_length=100,
        required=False,
        help_text=_(
            "Required for a signed form. Where the signed form (or the note of an oral consent) is kept in the party's own "
            "records, for example the record system and file number. Never a personal identity number."
        ),
    )

    def __init__(
        self, *args: Any, party: str, referral: Referral, user: Any, today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.party = party
        self.referral = referral
        self.user = user
        self.today = today
        self.party_label = Party(party).label
        # The error summary names the party before the field: every row has the same labels.
        self.error_prefix = self.party_label
        # A consent in force that ends soon is renewed here, by one that lasts longer.
        self.renews = referral.consent_ending_soon(today).get(party)
        if self.renews:
            self.fields["include"].label = _("Renew the consent for %(party)s (in force until %(date)s)") % {
                "party": self.party_label,
                "date": self.renews.isoformat(),
            }
        else:
            self.fields["include"].label = _("Register consent for %(party)s") % {"party": self.party_label}
        self.fields["valid_until"].help_text = _(
            "For how long the individual agreed to sharing. Suggested: %(months)s months."
        ) % {"months": settings.CONSENT_DEFAULT_VALIDITY_MONTHS}
        self.initial.setdefault("given_on", today)
        self.initial.setdefault("valid_until", Consent.default_valid_until(today))
        self.initial.setdefault("method", ConsentMethod.SIGNED)
        self.initial.setdefault("documented_by", user.get_full_name())

    @property
    def included(self) -> bool:
        """Whether the row is ticked, read from the input (also before validation)."""
        if not self.is_bound:
            return False
        field = self.fields["include"]
        return bool(field.widget.value_from_datadict(self.data, self.files, self.add_prefix("include")))

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and not self.included:
            # Not registered now: whatever is in the row is kept but not judged.
            self._errors = ErrorDict()
            self.cleaned_data = {"include": False}

    def clean_given_on(self) -> date:
        given = self.cleaned_data["given_on"]
        if given > self.today:
            raise forms.ValidationError(_("Consent cannot be given in the future."))
        return given

    def clean_record_reference(self) -> str:
        reference = self.cleaned_data.get("record_reference", "").strip()
        if personnummer.appears_in(reference, today=self.today):
            raise forms.ValidationError(
                _(
                    "Remove the personal identity number: write where the form is kept, "
                    "for example the record system and file number."
                )
            )
        return reference

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given, until = data.get("given_on"), data.get("valid_until")
        if given and until and until < given:
            self.add_error("valid_until", _("The consent cannot end before the day it was given."))
        elif until and until < self.today:
            self.add_error("valid_until", _("The consent has already expired. Check the date."))
        elif until and self.renews and until <= self.renews:
            self.add_error(
                "valid_until",
                _("The new consent must last longer than the one in force (until %(date)s).")
                % {"date": self.renews.isoformat()},
            )
        method = data.get("method")
        if method == ConsentMethod.ORAL and not data.get("documented_by"):
            self.add_error("documented_by", _("Say who documented the oral consent."))
        if method == ConsentMethod.SIGNED:
            if not data.get("documented_by"):
                data["documented_by"] = self.user.get_full_name()
            if not data.get("record_reference") and "record_reference" not in self.errors:
                self.add_error(
                    "record_reference",
                    _("Say where the signed form is kept, for example the record system and file number."),
                )
        if not self.renews and any(
            c.party == self.party for c in self.referral.consents_in_force(self.today)
        ):
            self.add_error("include", _("This party already has consent in force."))
        return data

    def row(self) -> dict[str, Any]:
        """The consent's fields for Consent.register_many."""
        data = self.cleaned_data
        return {
            "party": self.party,
            "categories": [code for code in DataCategory.values if code in data["categories"]],
            "given_on": data["given_on"],
            "valid_until": data["valid_until"],
            "method": data["method"],
            "documented_by": data["documented_by"],
            "record_reference": data["record_reference"],
        }


if TYPE_CHECKING:
    _RowFormSet = forms.BaseFormSet[ConsentRowForm]
else:  # BaseFormSet is generic only in the type stubs
    _RowFormSet = forms.BaseFormSet


class BaseConsentFormSet(_RowFormSet):
    """One row per requested party without consent in force, keyed by party (not by position).

    Rows are named after the party (c-af-given_on), so a row keeps its party
    even if another party's consent was registered between showing the page
    and saving it. A ticked row for a party that has consent by then stays on
    the page with the refusal beside it.
    """

    def __init__(
        self, data: Any = None, *, referral: Referral, user: Any, today: date, **kwargs: Any
    ) -> None:
        self.referral = referral
        self.user = user
        self.today = today
        self.parties = self._parties(data, prefix=kwargs.get("prefix") or self.get_default_prefix())
        super().__init__(data, **kwargs)

    @classmethod
    def get_default_prefix(cls) -> str:
        return "c"

    def _parties(self, data: Any, *, prefix: str) -> list[str]:
        needing = set(self.referral.parties_needing_consent(self.today))
        ticked = set()
        if data is not None:
            box = forms.CheckboxInput()
            ticked = {
                p
                for p in self.referral.requested_parties
                if box.value_from_datadict(data, MultiValueDict(), f"{prefix}-{p}-include")
            }
        return [p for p in self.referral.requested_parties if p in needing or p in ticked]

    @property
    def management_form(self) -> ManagementForm:
        """Made from the parties, never read from the browser: a missing or altered count changes nothing."""
        count = len(self.parties)
        values = {
            TOTAL_FORM_COUNT: count,
            INITIAL_FORM_COUNT: 0,
            MIN_NUM_FORM_COUNT: 0,
            MAX_NUM_FORM_COUNT: count,
        }
        form = ManagementForm(
            {f"{self.prefix}-{name}": value for name, value in values.items()}, prefix=self.prefix
        )
        form.full_clean()
        return form

    def total_form_count(self) -> int:
        return len(self.parties)

    def initial_form_count(self) -> int:
        return 0

    def add_prefix(self, index: Any) -> str:
        if isinstance(index, int):
            return f"{self.prefix}-{self.parties[index]}"
        return super().add_prefix(index)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"referral": self.referral, "user": self.user, "today": self.today}
        # The empty form (index None) is never shown; it gets the referring party.
        kwargs["party"] = self.parties[index] if index is not None else self.referral.organisation.party
        # Every row is judged when ticked, and none is required of the browser.
        kwargs["empty_permitted"] = False
        kwargs["use_required_attribute"] = False
        return kwargs

    def clean(self) -> None:
        if self.parties and not any(form.included for form in self.forms):
            raise forms.ValidationError(_("Tick at least one party whose consent you register now."))

    def rows(self) -> list[dict[str, Any]]:
        return [form.row() for form in self.forms if form.included]

    def refuse(self, error: ConsentRefused) -> None:
        """Show the domain's refusal beside the party it concerns."""
        for form in self.forms:
            if form.party == error.party:
                form.add_error("include", str(error))
                return
        self.non_form_errors().append(str(error))

    def has_errors(self) -> bool:
        return self.is_bound and self.total_error_count() > 0


ConsentFormSet = cast(
    type[BaseConsentFormSet], forms.formset_factory(ConsentRowForm, formset=BaseConsentFormSet, extra=0)
)


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


def _filter_choice(label: Any, choices: Any) -> FixedChoiceField:
    """A filter by one value from a list, or all; an unknown value (an old link) is explained."""
    return FixedChoiceField(
        label=label,
        required=False,
        choices=[("", _("All")), *choices],
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )


# The statuses a list can show: a discarded draft is gone for everyone, and a
# draft is never the coordinator's to see.
_LISTED_STATUSES = [("", _("All")), *[(s.value, s.label) for s in Status if s in workflow.VISIBLE_STATES]]
_COORDINATOR_STATUSES = [
    ("", _("All")),
    *[(s.value, s.label) for s in Status if s in workflow.VISIBLE_STATES & workflow.COORDINATOR_STATES],
]


class ReferralFilterForm(forms.Form):
    """The list's filters; the view sends them in the same form as the search text."""

    todo = _filter_choice(_("To do"), Todo.choices)
    status = _filter_choice(_("Status"), Status.choices)
    party = _filter_choice(_("Referring party"), Party.choices)
    target_group = _filter_choice(_("Target group"), TargetGroup.choices)
    created_from = date_field(_("Created from"), required=False)
    created_to = date_field(_("Created until"), required=False)
    mine = forms.BooleanField(label=_("Only where I am the case worker"), required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not permissions.has_todo_list(user):
            # Only a case worker has cases of their own to act on.
            del self.fields["todo"]
            del self.fields["mine"]
        self.statuses = "listed" if is_case_worker(user) else "coordinator"
        status = self.fields["status"]
        status.choices = _LISTED_STATUSES if is_case_worker(user) else _COORDINATOR_STATUSES  # type: ignore[attr-defined]
        if permissions.lists_only_own_organisation(user):
            # Every case in the list comes from the user's own party.
            del self.fields["party"]

    @property
    def variant(self) -> str:
        """What the unbound form's markup depends on: its fields and the statuses offered."""
        return f"{','.join(self.fields)};{self.statuses}"

    def chosen(self) -> dict[str, Any]:
        """The valid filters; an invalid one is shown beside its field and left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def query_string(self) -> str:
        """The valid filters that are set, as the query of a link (they hold nothing personal)."""
        values: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in ("", None, False):
                continue
            values[name] = "on" if value is True else value.isoformat() if isinstance(value, date) else value
        return urlencode(values)


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
        label=_("Organisation"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", _("All")), *organisations]  # type: ignore[attr-defined]
