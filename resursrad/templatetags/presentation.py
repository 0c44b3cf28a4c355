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

import html
from datetime import date, datetime, tzinfo
from typing import Any

from django import forms, template
from django.forms.widgets import Input
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from resursrad.navigation import fixed_path

register = template.Library()


@register.simple_tag
def fixed_url(url_name: str) -> str:
    """{% url %} for a pattern without arguments, reversed once per process (navigation.fixed_path)."""
    return fixed_path(url_name)


def _e(value: Any) -> str:
    """conditional_escape for the few kinds of value a field has, without its generic dispatch."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def _attribute(value: Any) -> str:
    """conditional_escape: a value that is HTML already is kept, anything else is escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _flatatt(attrs: dict[str, Any]) -> str:
    """django.forms.utils.flatatt's markup, written directly: every control of every form has it,
    and Django's format_html_join costs most of a field's rendering."""
    pairs = sorted(
        (name, value) for name, value in attrs.items() if not isinstance(value, bool) and value is not None
    )
    flags = sorted(name for name, value in attrs.items() if value is True)
    return "".join(f' {_attribute(name)}="{_attribute(value)}"' for name, value in pairs) + "".join(
        f" {_attribute(name)}" for name in flags
    )


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


def _errors(bound: forms.BoundField, always_shown: bool = False) -> str:
    if not bound.errors:
        return ""
    auto_id = _e(bound.auto_id)
    messages = "".join(
        f'<p id="error_{index}_{auto_id}"><strong>{_e(error)}</strong></p>'
        for index, error in enumerate(bound.errors, start=1)
    )
    css = "invalid-feedback d-block" if always_shown else "invalid-feedback"
    return f'<div id="{auto_id}_error" class="{css}">{messages}</div>'


def _help(bound: forms.BoundField) -> str:
    if not bound.help_text:
        return ""
    return f'<div id="{_e(bound.auto_id)}_helptext" class="form-text">{_e(bound.help_text)}</div>'


def _label(bound: forms.BoundField, tag: str = "label", css: str = "form-label") -> str:
    required = bound.field.required
    css = f"{css} requiredField" if required else css
    mark = '<span class="asteriskField">*</span>' if required else ""
    target = f' for="{_e(bound.id_for_label)}"' if tag == "label" and bound.id_for_label else ""
    return f'<{tag} class="{css}"{target}>{_e(bound.label)}{mark}</{tag}>'


def _selected(bound: forms.BoundField) -> set[str]:
    value = bound.value()
    values = value if isinstance(value, list | tuple) else [value]
    return {"" if item is None else str(item) for item in values}


def _options(bound: forms.BoundField) -> list[tuple[str, str, bool]]:
    """(value, label, chosen) of each choice, escaped: each lazy label is translated and escaped once."""
    chosen = _selected(bound)
    return [
        (html.escape(str(value)), html.escape(str(label)), str(value) in chosen)
        for value, label in bound.field.choices  # type: ignore[attr-defined]
    ]


def _select(bound: forms.BoundField) -> str:
    options = "".join(
        f'<option value="{value}"{" selected" if chosen else ""}>{label}</option>'
        for value, label, chosen in _options(bound)
    )
    attrs = _control_attrs(bound, "form-select")
    return f'<select name="{_e(bound.html_name)}"{_flatatt(attrs)}>{options}</select>'


def _input(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    attrs = _control_attrs(bound, "form-control")
    value = widget.format_value(bound.value())
    if value not in (None, ""):
        attrs["value"] = value
    input_type = _e(widget.input_type)  # type: ignore[attr-defined]
    return f'<input type="{input_type}" name="{_e(bound.html_name)}"{_flatatt(attrs)}>'


def _textarea(bound: forms.BoundField) -> str:
    attrs = _control_attrs(bound, "form-control")
    value = bound.field.widget.format_value(bound.value()) or ""
    # The browser drops the first newline after <textarea>, as in Django's own template.
    return f'<textarea name="{_e(bound.html_name)}"{_flatatt(attrs)}>\n{_e(value)}</textarea>'


def _wrapped(bound: forms.BoundField, control: str) -> str:
    return (
        f'<div id="div_{_e(bound.auto_id)}" class="mb-3">'
        f"{_label(bound)}{control}{_errors(bound)}{_help(bound)}</div>"
    )


def _checkbox(bound: forms.BoundField) -> str:
    attrs = _control_attrs(bound, "form-check-input")
    if bound.field.widget.check_test(bound.value()):  # type: ignore[attr-defined]
        attrs["checked"] = True
    auto_id = _e(bound.auto_id)
    return (
        f'<div class="mb-3"><div id="div_{auto_id}" class="form-check">'
        f'<input type="checkbox" name="{_e(bound.html_name)}"{_flatatt(attrs)}>'
        f'<label for="{_e(bound.id_for_label)}" class="form-check-label">{_e(bound.label)}</label>'
        f"{_errors(bound, always_shown=True)}{_help(bound)}</div></div>"
    )


def _radios(bound: forms.BoundField) -> str:
    attrs = _control_attrs(bound, "form-check-input")
    attrs.pop("id", None)
    shared = _flatatt(attrs)
    name = _e(bound.html_name)
    items = []
    for index, (value, label, chosen) in enumerate(_options(bound)):
        option_id = _e(f"{bound.auto_id}_{index}")
        items.append(
            f'<div class="form-check"><input type="radio" name="{name}" value="{value}"{shared}'
            f' id="{option_id}"{" checked" if chosen else ""}>'
            f'<label for="{option_id}" class="form-check-label">{label}</label></div>'
        )
    return (
        f'<div id="div_{_e(bound.auto_id)}" class="mb-3"><fieldset>'
        f"{_label(bound, tag='legend', css='form-label fs-6')}<div>{''.join(items)}</div>"
        f"{_errors(bound, always_shown=True)}{_help(bound)}</fieldset></div>"
    )


def _other(bound: forms.BoundField) -> str:
    """Any other widget: Django renders it, with the same classes and descriptions."""
    attrs = _control_attrs(bound, "form-control")
    attrs.pop("id", None)
    return str(bound.as_widget(attrs=attrs))


def _field(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    if widget.is_hidden:
        return str(bound.as_hidden())
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
def as_field(bound: forms.BoundField) -> SafeString:
    """One field with its label, help text and errors."""
    # Every text in the markup is escaped where it is written (_e, _flatatt).
    return mark_safe(_field(bound))  # noqa: S308


@register.filter
def as_fields(form: forms.BaseForm) -> SafeString:
    """Every field of the form in order, after its errors that belong to no field."""
    parts = [
        f'<div class="alert alert-danger" role="alert">{_e(error)}</div>' for error in form.non_field_errors()
    ]
    parts.extend(_field(bound) for bound in form)
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped where it is written


def _local(value: Any, zone: tzinfo | None = None) -> Any:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return value.astimezone(zone or timezone.get_current_timezone())
    return value


@register.filter
def day(value: date | datetime | None) -> str:
    """2026-03-15, in local time."""
    return day_in(value, None)


def day_in(value: date | datetime | None, zone: tzinfo | None) -> str:
    """day() in the given time zone: a table asks for the current one once, not once a row."""
    return _local(value, zone).strftime("%Y-%m-%d") if value else ""


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


def _called(value: Any) -> Any:
    """What the template language reads: a method's result, or the attribute itself."""
    return value() if callable(value) else value


@register.simple_tag(takes_context=True)
def pagination(context: template.Context) -> SafeString:
    """templates/cases/partials/pagination.html's markup, written in Python for the referral list.

    Previous, "Page 3 of 40" (or "Page 3" for a page without a paginator) and
    Next, for the context's ``page``: a Django Page or a PageWithoutCount.

    Links keep the filters of ``params`` in the address. With ``form_id`` (a search,
    which never goes into an address) the page buttons send that form again instead.
    """
    page = context.get("page")
    if page is None or not page.has_other_pages():
        return mark_safe("")
    form_id = context.get("form_id")
    params = context.get("params")
    prefix = f"?{_e(params)}&amp;" if params else "?"

    def link(number: int, text: str) -> str:
        if form_id:
            return (
                f'<button type="submit" form="{_e(form_id)}" name="page" value="{number}" '
                f'class="page-link">{_e(text)}</button>'
            )
        return f'<a class="page-link" href="{prefix}page={number}">{_e(text)}</a>'

    paginator = getattr(page, "paginator", None)
    if paginator:
        where = gettext("Page %(number)s of %(total)s") % {
            "number": page.number,
            "total": paginator.num_pages,
        }
    else:
        where = gettext("Page %(number)s") % {"number": page.number}
    items = []
    if _called(page.has_previous):
        previous = _called(page.previous_page_number)
        items.append(f'<li class="page-item">{link(previous, gettext("Previous"))}</li>')
    items.append(
        f'<li class="page-item active" aria-current="page"><span class="page-link">{_e(where)}</span></li>'
    )
    if _called(page.has_next):
        items.append(f'<li class="page-item">{link(_called(page.next_page_number), gettext("Next"))}</li>')
    return mark_safe(  # noqa: S308 - every value above is escaped
        f'<nav aria-label="{_e(gettext("Pages"))}">\n  <ul class="pagination">\n    '
        + "\n    ".join(items)
        + "\n  </ul>\n</nav>\n"
    )


@register.simple_tag
def notification_link(badge: Any) -> SafeString:
    """The notification centre's link with the unread count (resursrad.notifications.context_processors):
    the count is one query, asked once per page. In the navigation bar twice, so written in Python."""
    current = ' aria-current="page"' if badge.active else ""
    link = (
        f'<a class="nav-link notification-link{" active" if current else ""}" href="{_e(badge.url)}"{current}>'
        f"{_e(gettext('Notifications'))}"
    )
    unread = badge.count
    if unread:
        said = ngettext("%(counter)s unread notification", "%(counter)s unread notifications", unread) % {
            "counter": unread
        }
        link += (
            f'\n  <span class="badge rounded-pill notification-badge" aria-hidden="true">{_e(badge.shown)}</span>'
            f'\n  <span class="visually-hidden">{_e(said)}</span>'
        )
    return mark_safe(link + "</a>")  # noqa: S308 - every value above is escaped
