"""The horizontal bar chart as inline SVG, written in Python: the statistics page draws ten of them per request."""

from __future__ import annotations

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from deviations.stats import BarChart

register = template.Library()


def _number(value: int) -> str:
    """A number as the template language writes it: a whole number as it is, without the locale lookups
    (no thousands separator, as count_cells), anything else localized."""
    return str(value) if type(value) is int else str(localize(value))


def _said(label: str, text: str, value: int) -> str:
    """What a bar says: its label and its text, or its value when it has none."""
    return f"{conditional_escape(label)}: {conditional_escape(text) if text else _number(value)}"


def bar_chart_svg(chart: BarChart, id: str) -> SafeString:
    """The chart; the same numbers are in the table beside it."""
    ident = conditional_escape(id)
    title = conditional_escape(chart.title)
    parts = [
        '\n<figure class="mb-3">\n'
        f'<svg role="img" aria-labelledby="{ident}-title" width="100%" height="{_number(chart.height)}" '
        f'xmlns="http://www.w3.org/2000/svg" data-chart="{ident}">\n'
        f'  <title id="{ident}-title">{title}',
        *(f"; {_said(bar.label, bar.text, bar.value)}" for bar in chart.bars),
        "</title>\n  ",
    ]
    for bar in chart.bars:
        label = conditional_escape(bar.label)
        parts.append(
            "\n  <g>\n"
            f"    <title>{_said(bar.label, bar.text, bar.value)}</title>\n"
            f'    <text x="0" y="{_number(bar.text_y)}" font-size="14" fill="#212529">{label}</text>\n'
            f'    <rect x="0" y="{_number(bar.bar_y)}" width="{bar.width}%" height="{_number(chart.bar_height)}"'
            ' fill="#1f4e79"></rect>\n'
            f'    <text x="{bar.value_x}%" dx="6" y="{_number(bar.bar_y + 14)}" font-size="14" font-weight="600"'
            f' fill="#212529">{conditional_escape(bar.text) if bar.text else _number(bar.value)}</text>\n'
            "  </g>\n  "
        )
    if not chart.bars:
        parts.append(
            '\n  <text x="0" y="20" font-size="14" fill="#212529">'
            f"{conditional_escape(gettext('Nothing to show.'))}</text>\n  "
        )
    parts.append(f'\n</svg>\n<figcaption class="visually-hidden">{title}</figcaption>\n</figure>')
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag(name="bar_chart")
def bar_chart_tag(chart: BarChart, id: str) -> SafeString:
    return bar_chart_svg(chart, id)
