"""The presentation filters: form fields as accessible Bootstrap markup, and times."""

from datetime import UTC, date, datetime

import pytest
from django import forms
from django.template import Context, Template

from resursrad.templatetags.presentation import as_field, day, iso, minute, second


class SampleForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Alla"), ("a", "Ett & två"), ("b", "Tre")], required=False)
    text = forms.CharField(label="Text", help_text="Högst tio tecken.", max_length=10)
    note = forms.CharField(widget=forms.Textarea, required=False)
    mine = forms.BooleanField(label="Bara mina", required=False)
    choice = forms.ChoiceField(widget=forms.RadioSelect, choices=[("x", "X"), ("y", "Y")])
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)


def test_a_valid_field_has_its_label_value_and_help():
    form = SampleForm({"status": "a", "text": "hej", "mine": "on", "choice": "y", "when": "2026-03-15"})
    assert form.is_valid()
    select = as_field(form["status"])
    assert '<label class="form-label" for="id_status">Status</label>' in select
    assert '<option value="a" selected>Ett &amp; två</option>' in select and "is-invalid" not in select
    text = as_field(form["text"])
    assert 'aria-describedby="id_text_helptext"' in text and 'id="id_text_helptext"' in text
    assert 'value="hej"' in text and "required" in text and 'maxlength="10"' in text
    assert "asteriskField" in text
    assert 'type="checkbox"' in as_field(form["mine"]) and "checked" in as_field(form["mine"])
    radios = as_field(form["choice"])
    assert "<fieldset>" in radios and "<legend" in radios
    checked = radios.split('value="y"')[1].split(">")[0]
    assert 'id="id_choice_1"' in checked and "checked" in checked and "required" in checked
    assert "checked" not in radios.split('value="x"')[1].split(">")[0]
    assert 'type="date"' in as_field(form["when"]) and 'value="2026-03-15"' in as_field(form["when"])


def test_an_invalid_field_says_why_next_to_it():
    form = SampleForm({"status": "z", "text": "", "note": "<b>", "when": "2026-02-31"})
    assert not form.is_valid()
    select = as_field(form["status"])
    assert 'class="form-select is-invalid"' in select and 'aria-invalid="true"' in select
    assert 'aria-describedby="id_status_error"' in select
    assert '<div id="id_status_error" class="invalid-feedback"><p id="error_1_id_status"><strong>' in select
    text = as_field(form["text"])
    assert 'aria-describedby="id_text_helptext id_text_error"' in text
    # What was typed comes back escaped; the bad date stays as typed.
    assert "&lt;b&gt;</textarea>" in as_field(form["note"])
    assert 'value="2026-02-31"' in as_field(form["when"])
    assert "invalid-feedback d-block" in as_field(form["choice"])


def test_the_whole_form_renders_through_the_template_filter():
    rendered = Template("{% load presentation %}{{ form|as_fields }}").render(Context({"form": SampleForm()}))
    for name in ("status", "text", "note", "mine", "choice", "when"):
        assert f'id="id_{name}' in rendered


def test_times_are_written_in_local_time(settings):
    moment = datetime(2026, 3, 15, 7, 30, 5, tzinfo=UTC)  # 08:30:05 in Stockholm
    assert day(moment) == "2026-03-15"
    assert minute(moment) == "2026-03-15 08:30"
    assert second(moment) == "2026-03-15 08:30:05"
    assert iso(moment) == "2026-03-15T08:30:05+01:00"
    assert day(date(2026, 1, 2)) == "2026-01-02"
    assert day(None) == minute(None) == ""


def test_attributes_are_written_as_django_writes_them():
    from django.forms.utils import flatatt
    from django.utils.safestring import mark_safe
    from django.utils.translation import gettext_lazy

    from resursrad.templatetags.presentation import _flatatt

    for attrs in [
        {},
        {"id": "id_q", "class": "form-control", "maxlength": 100},
        {"required": True, "disabled": False, "placeholder": gettext_lazy("Search"), "title": None},
        {
            "data-x": 'a "quoted" <b>&',
            "aria-describedby": mark_safe("a&amp;b"),
            "checked": True,
            "autofocus": True,
        },
    ]:
        assert _flatatt(attrs) == flatatt(attrs)


# --- the page frame and pagination, written in Python ------------------------


def _squeezed(markup: str) -> str:
    """Markup without the whitespace between tags, which no reader sees."""
    import re

    return re.sub(r">\s+<", "><", markup.strip())


def _pages():
    from django.core.paginator import Paginator

    from resursrad.pagination import PageWithoutCount

    counted = Paginator(list(range(100)), 25)
    return [
        counted.page(1),
        counted.page(2),
        counted.page(4),
        Paginator([1], 25).page(1),
        PageWithoutCount([1], 1, has_next=True),
        PageWithoutCount([1], 3, has_next=True),
        PageWithoutCount([1], 3, has_next=False),
        PageWithoutCount([1], 1, has_next=False),
    ]


@pytest.mark.parametrize("form_id", ["", "list-form"])
@pytest.mark.parametrize("params", ["", "status=submitted&todo=drafts"])
def test_the_pagination_tag_writes_the_partials_markup(form_id, params):
    partial = Template('{% include "cases/partials/pagination.html" %}')
    tag = Template("{% load presentation %}{% pagination %}")
    for page in _pages():
        context = {"page": page, "params": params, "form_id": form_id}
        assert _squeezed(tag.render(Context(context))) == _squeezed(partial.render(Context(context)))


def test_the_pagination_is_in_swedish():
    from django.utils import translation

    from resursrad.pagination import PageWithoutCount

    with translation.override("sv"):
        markup = Template("{% load presentation %}{% pagination %}").render(
            Context({"page": PageWithoutCount([1], 2, has_next=True), "params": ""})
        )
    assert 'aria-label="Sidor"' in markup and "Sida 2" in markup and "Nästa" in markup


def test_a_fixed_url_is_the_reversed_address(settings):
    from django.urls import reverse

    from resursrad.navigation import fixed_path

    assert Template("{% load presentation %}{% fixed_url 'cases:list' %}").render(Context()) == reverse(
        "cases:list"
    )
    assert fixed_path("privacy_notice") == reverse("privacy_notice")


def test_the_notification_link_says_the_unread_count():
    from types import SimpleNamespace

    from resursrad.templatetags.presentation import notification_link

    badge = SimpleNamespace(url="/notiser/", active=True, count=120, shown="99+")
    link = notification_link(badge)
    assert link.startswith(
        '<a class="nav-link notification-link active" href="/notiser/" aria-current="page">'
    )
    assert '<span class="badge rounded-pill notification-badge" aria-hidden="true">99+</span>' in link
    assert '<span class="visually-hidden">120 olästa notiser</span>' in link
    quiet = notification_link(SimpleNamespace(url="/notiser/", active=False, count=0, shown="0"))
    assert quiet == '<a class="nav-link notification-link" href="/notiser/">Notiser</a>'
