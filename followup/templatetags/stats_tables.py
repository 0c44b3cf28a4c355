"""A statistics table with its chart beside it, written in Python: the page has ten, of up to forty cells a row."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from deviations.stats import BarChart
from deviations.templatetags.deviation_charts import bar_chart_svg
from followup.stats import Table, TableRow
from followup.stats_masking import Cell

register = template.Library()


def _cell(cell: Cell | None, css: str = "text-end") -> str:
    """A count as shown, with why it is hidden ("<5" or "×") as data-hidden."""
    if cell is None:
        return f'<td class="{css}"></td>'
    hidden = f' data-hidden="{conditional_escape(cell.hidden)}"' if cell.hidden else ""
    return f'<td class="{css}"{hidden}>{conditional_escape(cell.text)}</td>'


def _row(table: Table, row: TableRow) -> str:
    cells = "".join(_cell(cell) for cell in row.cells)
    total = _cell(row.total, "text-end fw-semibold") if table.total_column else ""
    return f'<th scope="row">{conditional_escape(row.label)}</th>{cells}{total}</tr>'


def stats_table_html(table: Table, chart: BarChart) -> SafeString:
    """The table of counts, hidden ones as "<5" or "×" (followup/stats_masking.py), with its chart."""
    columns = "".join(
        f'<th scope="col" class="text-end">{conditional_escape(column)}</th>' for column in table.columns
    )
    if table.total_column:
        columns += f'<th scope="col" class="text-end">{conditional_escape(table.total_heading)}</th>'
    parts = [
        '\n<div class="row">\n  <div class="col-xl-7">\n    <div class="table-responsive">\n'
        f'    <table class="table table-sm bg-white" data-table="{conditional_escape(table.key)}">\n'
        f"      <caption>{conditional_escape(table.caption)}</caption>\n"
        f'      <thead><tr><th scope="col">{conditional_escape(table.row_heading)}</th>{columns}</tr></thead>\n'
        "      <tbody>\n      ",
        *(
            f'\n      <tr data-row="{conditional_escape(row.key)}">{_row(table, row)}\n      '
            for row in table.rows
        ),
        "\n      </tbody>\n      ",
    ]
    if table.totals:
        parts.append(f'\n      <tfoot><tr data-row="total">{_row(table, table.totals)}</tfoot>\n      ')
    parts.append(
        '\n    </table>\n    </div>\n  </div>\n  <div class="col-xl-5">'
        f"{bar_chart_svg(chart, f'chart-{table.key}')}\n</div>\n</div>\n"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def stats_table(table: Table, chart: BarChart) -> SafeString:
    return stats_table_html(table, chart)
