"""The forms of running a meeting: the record of a slot, its plan, and a party's response."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import add_months
from meetings.models import (
    AgendaItem,
    Answer,
    FollowUpStatus,
    Meeting,
    Outcome,
    ParticipationMode,
    PlanItem,
    Purpose,
    Record,
)
from meetings.models.records import TEXT_LIMIT, allowed_outcomes
from resursrad.forms import date_field
from resursrad.models import Party, User

# The follow-up comes about two months after the meeting.
FOLLOW_UP_MONTHS = 2

ATTENDED_CHOICES = [("yes", _("Yes, the individual took part")), ("no", _("No, the individual did not come"))]
NOT_DECIDED = ("", _("Not decided yet: save as a draft"))


def _text(label: Any, *, rows: int = 4, limit: int = TEXT_LIMIT, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=limit,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": limit}),
    )


class RecordForm(forms.Form):
    """The record of one slot, step by step; the plan is a formset beside it (PlanFormSet).

    Attendance, the parties' perspectives and, at a follow-up, the previous
    plan's items get a field each, named after the person, party or item.
    """

    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    individual_attended = forms.ChoiceField(
        label=_("Did the individual take part?"),
        choices=[("", _("Not recorded yet")), *ATTENDED_CHOICES],
        required=False,
        widget=forms.RadioSelect,
    )
    individual_participation = forms.ChoiceField(
        label=_("How did the individual take part?"),
        choices=[("", _("Not recorded")), *ParticipationMode.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    own_account = _text(
        _("The individual's own account"),
        rows=6,
        help_text=_("In the individual's own words: their situation, and the support they think they need."),
    )
    own_account_declined = forms.BooleanField(
        label=_("The individual chose not to give an own account"), required=False
    )
    recommendation = _text(
        _("The group's recommendation"),
        rows=5,
        help_text=_("The recommendation is not a decision. Each party decides on its own measures."),
    )
    follow_up_on = date_field(
        _("Follow-up on"), required=False, help_text=_("About two months after the meeting.")
    )
    gap_note = _text(
        _("Gaps noticed between the parties"),
        rows=3,
        help_text=_(
            "Where rules, agreements or hand-overs between the parties did not work. "
            "Describe what happened, never who: no names or personal identity numbers."
        ),
    )
    outcome = forms.ChoiceField(
        label=_("What happens to the case"),
        choices=[NOT_DECIDED, *Outcome.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    closing_comment = _text(
        _("Why the case is closed"), rows=2, help_text=_("Required when the case is closed.")
    )

    def __init__(
        self,
        data: Any = None,
        *,
        record: Record,
        people: list[tuple[User, str]],
        parties: list[str],
        previous_plan: list[PlanItem],
        finalising: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.record = record
        self.item: AgendaItem = record.item
        self.meeting: Meeting = record.item.meeting
        self.people = people
        self.parties = parties
        self.previous_plan = previous_plan
        self.finalising = finalising
        saved = {a.user_id: a for a in record.attendance.all()} if record.pk else {}
        for user, party in people:
            name = f"{user.get_full_name()} ({Party(party).label})" if party else user.get_full_name()
            self.fields[f"present_{user.pk}"] = forms.BooleanField(
                label=_("%(name)s took part") % {"name": name}, required=False
            )
            self.fields[f"remote_{user.pk}"] = forms.BooleanField(
                label=_("%(name)s took part remotely") % {"name": name}, required=False
            )
            if user.pk in saved:
                self.initial[f"present_{user.pk}"] = saved[user.pk].present
                self.initial[f"remote_{user.pk}"] = saved[user.pk].remote
        notes = {p.party: p.note for p in record.perspectives.all()} if record.pk else {}
        for party in parties:
            self.fields[f"perspective_{party}"] = _text(
                _("Perspective of %(party)s") % {"party": Party(party).label}, rows=3, limit=2000
            )
            self.initial[f"perspective_{party}"] = notes.get(party, "")
        status_choices = [("", _("Not recorded")), *FollowUpStatus.choices]
        for plan_item in previous_plan:
            self.fields[f"previous_{plan_item.pk}_status"] = forms.ChoiceField(
                label=_("How did it go: %(activity)s") % {"activity": plan_item.activity},
                choices=status_choices,
                required=False,
                widget=forms.RadioSelect,
            )
            self.fields[f"previous_{plan_item.pk}_comment"] = forms.CharField(
                label=_("Comment"), max_length=500, required=False
            )
            self.initial[f"previous_{plan_item.pk}_status"] = plan_item.follow_up_status
            self.initial[f"previous_{plan_item.pk}_comment"] = plan_item.follow_up_comment
        self.initial["version"] = record.version
        if record.pk:
            for name in ("individual_participation", "own_account", "own_account_declined", "recommendation"):
                self.initial[name] = getattr(record, name)
            self.initial["gap_note"] = record.gap_note
            if record.individual_attended is not None:
                self.initial["individual_attended"] = "yes" if record.individual_attended else "no"
        self.initial["follow_up_on"] = record.follow_up_on or add_months(self.meeting.date, FOLLOW_UP_MONTHS)

    # The fields in the order of the meeting, for the template.
    def attendance_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"present_{user.pk}"], self[f"remote_{user.pk}"]) for user, _party in self.people]

    def perspective_fields(self) -> list[forms.BoundField]:
        return [self[f"perspective_{party}"] for party in self.parties]

    def previous_plan_rows(self) -> list[tuple[PlanItem, forms.BoundField, forms.BoundField]]:
        return [
            (item, self[f"previous_{item.pk}_status"], self[f"previous_{item.pk}_comment"])
            for item in self.previous_plan
        ]

    def clean_individual_attended(self) -> bool | None:
        value = self.cleaned_data.get("individual_attended")
        return None if not value else value == "yes"

    def clean_follow_up_on(self) -> date | None:
        day = self.cleaned_data.get("follow_up_on")
        if day is not None and day <= self.meeting.date:
            raise forms.ValidationError(_("Choose a follow-up date after the meeting."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        own_account = (data.get("own_account") or "").strip()
        declined = data.get("own_account_declined")
        if (data.get("recommendation") or "").strip() and not own_account and not declined:
            self.add_error(
                "recommendation",
                _(
                    "The meeting starts with the individual's own account. Write it first, "
                    "or tick that the individual chose not to give one."
                ),
            )
        if own_account and declined:
            self.add_error(
                "own_account_declined",
                _("You have written an own account and ticked that there is none. Keep one of them."),
            )
        if self.finalising:
            self._clean_for_finalising(data, own_account=own_account, declined=bool(declined))
        return data

    def _clean_for_finalising(self, data: dict[str, Any], *, own_account: str, declined: bool) -> None:
        attended = data.get("individual_attended")
        if "individual_attended" in data and attended is None:
            self.add_error("individual_attended", _("Record whether the individual took part."))
            return
        outcome = data.get("outcome")
        if not outcome:
            self.add_error("outcome", _("Choose what happens to the case."))
        elif "individual_attended" in data and outcome not in allowed_outcomes(attended, self.item.purpose):
            self.add_error("outcome", self._outcome_refusal(attended))
        if attended:
            if not own_account and not declined:
                self.add_error(
                    "own_account",
                    _("Write the own account, or tick that the individual chose not to give one."),
                )
            if not (data.get("recommendation") or "").strip():
                self.add_error("recommendation", _("Write the group's recommendation."))
            for plan_item in self.previous_plan:
                if not data.get(f"previous_{plan_item.pk}_status"):
                    self.add_error(
                        f"previous_{plan_item.pk}_status", _("Choose done, under way or not done.")
                    )
        if outcome == Outcome.HELD and "follow_up_on" in data and data["follow_up_on"] is None:
            self.add_error("follow_up_on", _("Choose a date for the follow-up."))
        if outcome == Outcome.CLOSED and not (data.get("closing_comment") or "").strip():
            self.add_error("closing_comment", _("Write why the case is closed."))

    def _outcome_refusal(self, attended: bool | None) -> Any:
        if not attended:
            return _(
                "The individual did not come: the case goes back to those waiting for a meeting, or is closed."
            )
        if self.item.purpose == Purpose.FIRST:
            return _(
                "At a first meeting the plan is followed up later. The case can be closed at the follow-up."
            )
        return _("Choose one of the outcomes.")

    def draft(self) -> dict[str, Any]:
        """What Record.save_draft takes, from the cleaned form."""
        data = self.cleaned_data
        attendance = [
            {
                "user": user.pk,
                "party": party,
                "present": data.get(f"present_{user.pk}", False),
                "remote": data.get(f"remote_{user.pk}", False),
            }
            for user, party in self.people
        ]
        return {
            "version": data["version"],
            "individual_attended": data.get("individual_attended"),
            "individual_participation": data.get("individual_participation") or "",
            "own_account": data.get("own_account", ""),
            "own_account_declined": bool(data.get("own_account_declined")),
            "recommendation": data.get("recommendation", ""),
            "follow_up_on": data.get("follow_up_on"),
            "gap_note": data.get("gap_note", ""),
            "attendance": attendance,
            "perspectives": {party: data.get(f"perspective_{party}", "") for party in self.parties},
            "previous_plan": {
                str(item.pk): {
                    "status": data.get(f"previous_{item.pk}_status", ""),
                    "comment": data.get(f"previous_{item.pk}_comment", ""),
                }
                for item in self.previous_plan
            },
        }


class PlanItemForm(forms.Form):
    """One next step. A row left empty is not saved; a row begun must be whole."""

    activity = forms.CharField(label=_("Activity"), max_length=300, required=False)
    goal = forms.CharField(label=_("Goal"), max_length=300, required=False)
    responsible_party = forms.ChoiceField(
        label=_("Responsible party"), choices=[("", _("Choose a party")), *Party.choices], required=False
    )
    responsible_user = forms.TypedChoiceField(
        label=_("Responsible person"), coerce=int, empty_value=None, required=False
    )
    responsible_note = forms.CharField(
        label=_("Or another responsible person"),
        max_length=200,
        required=False,
        help_text=_("A role, for example “the individual” or “the GP”."),
    )
    due_on = date_field(_("Due"), required=False)

    # Set by the formset: the row's name in the error summary.
    error_prefix: Any = ""

    def __init__(self, *args: Any, people: list[tuple[User, str]], meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.parties = {user.pk: party for user, party in people}
        field = cast(forms.TypedChoiceField, self.fields["responsible_user"])
        field.choices = [
            ("", _("Nobody who uses Resursråd")),
            *((user.pk, f"{user.get_full_name()} ({Party(party).label})") for user, party in people),
        ]
        self.fields["activity"].widget.attrs["maxlength"] = 300

    @property
    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in self.fields if name != "DELETE")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_empty and not self.errors:
            return data
        if not (data.get("activity") or "").strip():
            self.add_error("activity", _("Write the activity, or empty the whole row."))
        if not data.get("responsible_party"):
            self.add_error("responsible_party", _("Choose the party responsible."))
        user = data.get("responsible_user")
        if (
            user is not None
            and data.get("responsible_party")
            and self.parties.get(user) != data["responsible_party"]
        ):
            self.add_error("responsible_user", _("Choose a person of the responsible party, or write who."))
        if user is None and not (data.get("responsible_note") or "").strip():
            self.add_error("responsible_note", _("Choose a responsible person or write who it is."))
        if "due_on" in data and data["due_on"] is None and "due_on" not in self.errors:
            self.add_error("due_on", _("Give the date by which it should be done."))
        elif data.get("due_on") and data["due_on"] < self.meeting.date:
            self.add_error("due_on", _("The date must not be before the meeting."))
        return data

    def row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "activity": data["activity"],
            "goal": data.get("goal", ""),
            "responsible_party": data["responsible_party"],
            "responsible_user": data.get("responsible_user"),
            "responsible_note": data.get("responsible_note", ""),
            "due_on": data["due_on"],
        }


if TYPE_CHECKING:
    _PlanFormSetBase = forms.BaseFormSet[PlanItemForm]
else:  # BaseFormSet is generic only in the type stubs
    _PlanFormSetBase = forms.BaseFormSet


class BasePlanFormSet(_PlanFormSetBase):
    """The plan: the saved items, then empty rows to add more (it works without JavaScript)."""

    def _construct_form(self, i: int, **kwargs: Any) -> PlanItemForm:
        # Every row is cleaned, also a saved one posted back unchanged (which
        # an empty-permitted row would skip); a row left empty is not saved.
        kwargs["empty_permitted"] = False
        kwargs["use_required_attribute"] = False
        form: PlanItemForm = super()._construct_form(i, **kwargs)  # type: ignore[misc]
        # The error summary names the row before the field: every row has the same labels.
        form.error_prefix = _("Plan item %(number)s") % {"number": i + 1}
        return form

    def rows(self) -> list[dict[str, Any]]:
        return [
            form.row()
            for form in self.forms
            if not form.is_empty and not (self.can_delete and form.cleaned_data.get("DELETE"))
        ]

    def has_errors(self) -> bool:
        return self.is_bound and self.total_error_count() > 0


PlanFormSet = cast(
    type[BasePlanFormSet],
    forms.formset_factory(PlanItemForm, formset=BasePlanFormSet, extra=3, can_delete=True, max_num=30),
)


def plan_initial(record: Record) -> list[dict[str, Any]]:
    if not record.pk:
        return []
    return [
        {
            "activity": item.activity,
            "goal": item.goal,
            "responsible_party": item.responsible_party,
            "responsible_user": item.responsible_user_id,
            "responsible_note": item.responsible_note,
            "due_on": item.due_on,
        }
        for item in record.plan_items.all()
    ]


class ResponseForm(forms.Form):
    """A party's response to the recommendation."""

    party = forms.ChoiceField(label=_("For the party"), widget=forms.RadioSelect)
    answer = forms.ChoiceField(
        label=_("The party's response"),
        choices=Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the party's response.")},
    )
    comment = _text(_("Comment"), rows=3, limit=2000)

    def __init__(self, *args: Any, parties: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["party"])
        field.choices = [(party, Party(party).label) for party in parties]
        field.error_messages["required"] = _("Choose the party you respond for.")
        field.error_messages["invalid_choice"] = _("You cannot respond for that party.")
        if len(parties) == 1:
            self.initial["party"] = parties[0]
