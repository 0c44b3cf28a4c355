"""Presentation for pages that are asked for often: form fields and times, written in Python.

Form fields as Bootstrap 5 markup: crispy's markup at a fraction of its cost.

Crispy renders each field through a dozen nested templates, and Django renders
each <option> of a select through a template of its own: one to two
milliseconds for a filter form, on every list page. These filters write the
same markup (ids, labels, help and error texts tied to the control with
aria-describedby, aria-invalid) directly. Widgets without a writer of their
own fall back to Django's rendering with the same attributes.

    {% load presentation %}
    {{ form.status|as_field }}      one field
    {{ form|as_fields }}            every field, hidden ones included

Times: Django's date filter interprets its format string on every call, which
a table of fifty rows feels. ``day``, ``minute``, ``second`` and ``iso`` write
the local time in the fixed forms the pages use.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms, template
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _described_by(bound: forms.BoundField) -> list[str]:
    ids = []
    if bound.help_text:
        ids.append(f"{bound.auto_id}_helptext")
    if bound.errors:
        ids.append(f"{bound.auto_id}_error")
    return ids


def _control_attrs(bound: forms.BoundField, css: str) -> dict[str, Any]:
    widget = bound.field.widget
    attrs = bound.build_widget_attrs(dict(widget.attrs), widget)
    attrs.pop("type", None)
    classes = [css, str(attrs.pop("class", "")), "is-invalid" if bound.errors else ""]
    attrs["class"] = " ".join(part for part in classes if part)
    described_by = _described_by(bound)
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    if bound.auto_id:
        attrs["id"] = bound.auto_id
    return attrs


def _errors(bound: forms.BoundField, always_shown: bool = False) -> SafeString:
    if not bound.errors:
        return mark_safe("")  # noqa: S308 - an empty string
    messages = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((index, bound.auto_id, error) for index, error in enumerate(bound.errors, start=1)),
    )
    css = "invalid-feedback d-block" if always_shown else "invalid-feedback"
    return format_html('<div id="{}_error" class="{}">{}</div>', bound.auto_id, css, messages)


def _help(bound: forms.BoundField) -> SafeString:
    if not bound.help_text:
        return mark_safe("")  # noqa: S308 - an empty string
    return format_html('<div id="{}_helptext" class="form-text">{}</div>', bound.auto_id, bound.help_text)


def _label(bound: forms.BoundField, tag: str = "label", css: str = "form-label") -> SafeString:
    required = bound.field.required
    css = f"{css} requiredField" if required else css
    mark = mark_safe('<span class="asteriskField">*</span>') if required else ""  # noqa: S308 - constant
    target = format_html(' for="{}"', bound.id_for_label) if tag == "label" and bound.id_for_label else ""
    return format_html('<{} class="{}"{}>{}{}</{}>', tag, css, target, bound.label, mark, tag)


def _selected(bound: forms.BoundField) -> set[str]:
    value = bound.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {"" if item is None else str(item) for item in values}


def _select(bound: forms.BoundField) -> SafeString:
    chosen = _selected(bound)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in chosen else "", label)  # noqa: S308 - constant
            for value, label in bound.field.choices  # type: ignore[attr-defined]
        ),
    )
    attrs = _control_attrs(bound, "form-select")
    return format_html('<select name="{}"{}>{}</select>', bound.html_name, flatatt(attrs), options)


def _input(bound: forms.BoundField) -> SafeString:
    widget = bound.field.widget
    attrs = _control_attrs(bound, "form-control")
    value = widget.format_value(bound.value())
    if value not in (None, ""):
        attrs["value"] = value
    return format_html(
        '<input type="{}" name="{}"{}>',
        widget.input_type,  # type: ignore[attr-defined]
        bound.html_name,
        flatatt(attrs),
    )


def _textarea(bound: forms.BoundField) -> SafeString:
    attrs = _control_attrs(bound, "form-control")
    value = bound.value()
    # The browser drops the first newline after <textarea>, as in Django's own template.
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        bound.html_name,
        flatatt(attrs),
        bound.field.widget.format_value(value) or "",
    )


def _wrapped(bound: forms.BoundField, control: SafeString) -> SafeString:
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        bound.auto_id,
        _label(bound),
        control,
        _errors(bound),
        _help(bound),
    )


def _checkbox(bound: forms.BoundField) -> SafeString:
    attrs = _control_attrs(bound, "form-check-input")
    if bound.field.widget.check_test(bound.value()):  # type: ignore[attr-defined]
        attrs["checked"] = True
    control = format_html('<input type="checkbox" name="{}"{}>', bound.html_name, flatatt(attrs))
    label = format_html(
        '<label for="{}" class="form-check-label">{}</label>', bound.id_for_label, bound.label
    )
    return format_html(
        '<div class="mb-3"><div id="div_{}" class="form-check">{}{}{}{}</div></div>',
        bound.auto_id,
        control,
        label,
        _errors(bound, always_shown=True),
        _help(bound),
    )


def _radios(bound: forms.BoundField) -> SafeString:
    chosen = _selected(bound)
    attrs = _control_attrs(bound, "form-check-input")
    attrs.pop("id", None)
    items = []
    for index, (value, label) in enumerate(bound.field.choices):  # type: ignore[attr-defined]
        option_id = f"{bound.auto_id}_{index}"
        option_attrs = {**attrs, "id": option_id, "checked": str(value) in chosen}
        items.append(
            format_html(
                '<div class="form-check"><input type="radio" name="{}" value="{}"{}>'
                '<label for="{}" class="form-check-label">{}</label></div>',
                bound.html_name,
                value,
                flatatt(option_attrs),
                option_id,
                label,
            )
        )
    return format_html(
        '<div id="div_{}" class="mb-3"><fieldset>{}<div>{}</div>{}{}</fieldset></div>',
        bound.auto_id,
        _label(bound, tag="legend", css="form-label fs-6"),
        mark_safe("".join(items)),  # noqa: S308 - each item is built with format_html
        _errors(bound, always_shown=True),
        _help(bound),
    )


def _other(bound: forms.BoundField) -> SafeString:
    """Any other widget: Django renders it, with the same classes and descriptions."""
    attrs = _control_attrs(bound, "form-control")
    attrs.pop("id", None)
    return bound.as_widget(attrs=attrs)


@register.filter
def as_field(bound: forms.BoundField) -> SafeString:
    """One field with its label, help text and errors."""
    widget = bound.field.widget
    if widget.is_hidden:
        return bound.as_hidden()
    if isinstance(widget, forms.RadioSelect):
        return _radios(bound)
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(bound)
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        return _wrapped(bound, _select(bound))
    if isinstance(widget, forms.Textarea):
        return _wrapped(bound, _textarea(bound))
    if isinstance(widget, Input) and not isinstance(widget, forms.FileInput | forms.MultipleHiddenInput):
        return _wrapped(bound, _input(bound))
    return _wrapped(bound, _other(bound))


@register.filter
def as_fields(form: forms.BaseForm) -> SafeString:
    """Every field of the form in order, after its errors that belong to no field."""
    parts = []
    if form.non_field_errors():
        parts.append(
            format_html_join(
                "",
                '<div class="alert alert-danger" role="alert">{}</div>',
                ((conditional_escape(str(error)),) for error in form.non_field_errors()),
            )
        )
    parts.extend(as_field(bound) for bound in form)
    return mark_safe("".join(parts))  # noqa: S308 - each part is escaped above


def _local(value: Any) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def day(value: date | datetime | None) -> str:
    """2026-03-15, in local time."""
    return _local(value).strftime("%Y-%m-%d") if value else ""


@register.filter
def minute(value: datetime | None) -> str:
    """2026-03-15 08:30, in local time."""
    return _local(value).strftime("%Y-%m-%d %H:%M") if value else ""


@register.filter
def second(value: datetime | None) -> str:
    """2026-03-15 08:30:05, in local time."""
    return _local(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


@register.filter
def iso(value: date | datetime | None) -> str:
    """The machine-readable form for <time datetime>, in local time with its offset."""
    return _local(value).isoformat() if value else ""
