"""The coordinator's planning forms: meetings, series, placing a case and a slot's details."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from datetime import time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Council, Meeting, ParticipationMode
from meetings.models.meetings import SERIES_LIMIT
from resursrad.forms import date_field

PLACE_MAX = 200
REASON_MAX = 300


def time_field(label: Any) -> forms.TimeField:
    """A time with the browser's time picker and a Swedish message for an impossible time."""
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={
            "invalid": _("Enter a time such as 09:30."),
            "required": _("Enter a time."),
        },
    )


def minutes_field(label: Any, *, low: int, high: int, help_text: Any = "") -> forms.IntegerField:
    message = _("Enter a number of minutes from %(low)s to %(high)s.") % {"low": low, "high": high}
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "required": message,
            "invalid": message,
            "min_value": message,
            "max_value": message,
        },
    )


def meeting_label(meeting: Meeting) -> str:
    """A meeting as a choice: date, time and council; never a case."""
    return (
        f"{meeting.date:%Y-%m-%d} {meeting.starts_at:%H:%M}–{meeting.ends_at:%H:%M}, {meeting.council.name}"
    )


class MeetingChoiceField(forms.TypedChoiceField):
    default_error_messages = {
        "invalid_choice": _("Choose one of the coming meetings in the list."),
        "required": _("Choose a meeting."),
    }


class _TimesForm(forms.Form):
    """Start and end: the end after the start, said beside the end."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_at: time | None = data.get("starts_at")
        ends_at: time | None = data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The meeting must end after it starts. Enter a later end time."))
        return data


class MeetingForm(_TimesForm):
    """One meeting's details, prefilled from the council's defaults when it is new."""

    council = forms.ModelChoiceField(
        label=_("Council"),
        queryset=Council.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your councils.")},
    )
    date = date_field(_("Date"))
    starts_at = time_field(_("Starts"))
    ends_at = time_field(_("Ends"))
    place = forms.CharField(
        label=_("Place"),
        max_length=PLACE_MAX,
        error_messages={"required": _("Say where the meeting is held.")},
    )
    remote_link = forms.URLField(
        label=_("Link for remote participation"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Optional. Sent with the invitations and the agenda."),
        error_messages={"invalid": _("Enter a whole address that starts with https://.")},
    )
    slot_minutes = minutes_field(
        _("Slot length (minutes)"), low=10, high=240, help_text=_("The time for one individual.")
    )
    break_minutes = minutes_field(_("Break between slots (minutes)"), low=0, high=120)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, councils: Any, editing: Meeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is None:
            self.fields["council"].queryset = councils  # type: ignore[attr-defined]
            del self.fields["version"]
        else:
            # A meeting stays with its council.
            del self.fields["council"]

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        unchanged = self.editing is not None and day == self.editing.date
        if day < timezone.localdate() and not unchanged:
            raise forms.ValidationError(_("The date has passed. Choose today or a later date."))
        return day

    def details(self) -> dict[str, Any]:
        """The meeting's fields as cleaned (without the council and the version)."""
        names = ["date", "starts_at", "ends_at", "place", "remote_link", "slot_minutes", "break_minutes"]
        return {name: self.cleaned_data[name] for name in names}

    @staticmethod
    def initial_for(council: Council | None) -> dict[str, Any]:
        """A new meeting on the council's defaults: a week ahead, 09:00–12:00, its place, slot and break."""
        initial: dict[str, Any] = {
            "date": timezone.localdate() + timedelta(days=7),
            "starts_at": time(9, 0),
            "ends_at": time(12, 0),
        }
        if council is not None:
            initial.update(
                council=council.pk,
                place=council.default_place,
                slot_minutes=council.slot_minutes,
                break_minutes=council.break_minutes,
            )
        return initial

    @staticmethod
    def initial_from(meeting: Meeting) -> dict[str, Any]:
        return {
            "date": meeting.date,
            "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at,
            "place": meeting.place,
            "remote_link": meeting.remote_link,
            "slot_minutes": meeting.slot_minutes,
            "break_minutes": meeting.break_minutes,
            "version": meeting.version,
        }


EVERY_WEEKS = [
    (1, _("Every week")),
    (2, _("Every other week")),
    (3, _("Every third week")),
    (4, _("Every fourth week")),
]


class SeriesForm(_TimesForm):
    """Meetings on the same weekday at the same time, from one date to another."""

    council = forms.ModelChoiceField(
        label=_("Council"),
        queryset=Council.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your councils.")},
    )
    first = date_field(_("First meeting"), help_text=_("The series keeps this weekday."))
    last = date_field(_("Last possible date"))
    every_weeks = forms.TypedChoiceField(
        label=_("How often"),
        choices=EVERY_WEEKS,
        coerce=int,
        error_messages={"invalid_choice": _("Choose one of the options in the list.")},
    )
    starts_at = time_field(_("Starts"))
    ends_at = time_field(_("Ends"))
    place = forms.CharField(
        label=_("Place"),
        max_length=PLACE_MAX,
        required=False,
        help_text=_("Leave empty to use the council's place."),
    )
    remote_link = MeetingForm.base_fields["remote_link"]

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils  # type: ignore[attr-defined]

    def clean_first(self) -> dt.date:
        day: dt.date = self.cleaned_data["first"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("The date has passed. Choose today or a later date."))
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last, every = data.get("first"), data.get("last"), data.get("every_weeks")
        if first and last:
            if last < first:
                self.add_error("last", _("The last date must not be before the first."))
            elif every and (last - first).days // (7 * every) + 1 > SERIES_LIMIT:
                self.add_error(
                    "last",
                    _("A series can hold at most %(count)s meetings. Choose an earlier last date.")
                    % {"count": SERIES_LIMIT},
                )
        return data

    @staticmethod
    def initial_for(council: Council | None) -> dict[str, Any]:
        today = timezone.localdate()
        initial: dict[str, Any] = {
            "first": today + timedelta(days=7),
            "last": today + timedelta(days=7 + 7 * 16),
            "every_weeks": 2,
            "starts_at": time(9, 0),
            "ends_at": time(12, 0),
        }
        if council is not None:
            initial.update(council=council.pk, place=council.default_place)
        return initial


class CancelMeetingForm(forms.Form):
    cancel_reason = forms.CharField(
        label=_("Why the meeting is cancelled"),
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
        help_text=_("Shown to the other coordinators. Write no names."),
        error_messages={"required": _("Write why the meeting is cancelled.")},
    )


def _meeting_choices(meetings: Sequence[Meeting]) -> list[tuple[str, Any]]:
    return [("", _("Choose a meeting")), *((str(m.pk), meeting_label(m)) for m in meetings)]


def meeting_options(meetings: Sequence[Meeting]) -> list[dict[str, Any]]:
    """The choices of the meeting selects, built once per page and shared by every row.

    A meeting with no time left before its end (``planned_count`` annotated) is
    shown as full and cannot be chosen; the model refuses it all the same.
    """
    options: list[dict[str, Any]] = [{"value": "", "label": _("Choose a meeting"), "full": False}]
    for meeting in meetings:
        full = not meeting.has_room_after(meeting.planned_count)  # type: ignore[attr-defined]
        label = meeting_label(meeting)
        if full:
            label = _("%(meeting)s (full)") % {"meeting": label}
        options.append({"value": str(meeting.pk), "label": label, "full": full})
    return options


class PlaceCaseForm(forms.Form):
    """Which coming meeting a case from the backlog goes to."""

    meeting = MeetingChoiceField(label=_("Meeting"), coerce=int)

    def __init__(self, *args: Any, meetings: Sequence[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meetings = {m.pk: m for m in meetings}
        self.fields["meeting"].choices = _meeting_choices(meetings)  # type: ignore[attr-defined]

    @property
    def chosen(self) -> Meeting:
        return self.meetings[self.cleaned_data["meeting"]]


class MoveToForm(PlaceCaseForm):
    """Which other coming meeting of the council a slot moves to."""


class MoveWithinForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])
    position = forms.IntegerField(min_value=0)

    @property
    def step(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.get_full_name()} ({obj.get_party_display()}, {obj.get_role_display().lower()})"


class CaseWorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.email


class SlotForm(forms.Form):
    """A slot's details: who attends as support, who is invited, the interpreter and how the individual takes part."""

    case_worker = CaseWorkerChoiceField(
        label=_("Attending case worker"),
        queryset=None,
        required=False,
        empty_label=_("Not chosen yet"),
        help_text=_("A case worker of the referring organisation, who attends as the individual's support."),
        error_messages={"invalid_choice": _("Choose a case worker of the referring organisation.")},
    )
    representatives = MemberChoiceField(
        label=_("Invited representatives"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only members of parties whose consent is in force for this case can be invited."),
        error_messages={
            "invalid_choice": _(
                "Only members of parties whose consent is in force can be invited. Choose from the list."
            ),
            "invalid_pk_value": _("Choose from the list."),
        },
    )
    interpreter_language = forms.CharField(
        label=_("Interpreter"),
        max_length=60,
        required=False,
        help_text=_("The language, if an interpreter is needed."),
    )
    participation = forms.ChoiceField(
        label=_("The individual takes part"),
        choices=ParticipationMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose on site or remote."),
            "invalid_choice": _("Choose on site or remote."),
        },
    )

    def __init__(self, *args: Any, case_workers: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_worker"].queryset = case_workers  # type: ignore[attr-defined]
        self.fields["representatives"].queryset = members  # type: ignore[attr-defined]
