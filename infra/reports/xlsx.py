"""XLSX with openpyxl's write-only workbook: rows go to disk as they come, never all in memory.

Layout: a Summary sheet first (title, parameters, per-currency blocks, a bar chart per block that asks
for one), then the detail sheet with a frozen, filterable header row and money formatted per currency.
In write-only mode column widths and frozen panes must be set before the first row, the auto filter
and charts are written when the sheet closes, and sheets may be filled in any order.
"""

from __future__ import annotations

from contextlib import suppress
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.reports.columns import text
from domain.reports.model import Column, ColumnType, Report, Row, SummaryBlock
from infra.reports.formats import DATE_FORMAT, DATETIME_FORMAT, INTEGER_FORMAT, money_format

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_CHART_ROWS = 16
"""Rows a chart covers at its default height: blocks with a chart take at least this many."""


class _Cells:
    """Cell factory for one write-only sheet (styled cells are objects; plain values stay values)."""

    def __init__(self, ws: Any, locale: str) -> None:
        self.ws, self.locale = ws, locale
        self._styles: dict[tuple[str | None, bool], Any] = {}

    def header(self, value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        return cell

    def styled(self, value: Any, font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
        # Resolving a font or number format against the workbook's style tables costs more than
        # writing the cell: resolve each combination once and copy its style array (2× rows/s).
        key = (number_format, font is not None)
        style = self._styles.get(key)
        if style is None:
            proto = WriteOnlyCell(self.ws)
            if font is not None:
                proto.font = font
            if number_format is not None:
                proto.number_format = number_format
            style = self._styles[key] = proto._style
        cell = WriteOnlyCell(self.ws)
        cell._style = copy(style)
        cell.value = value  # after the style: a date keeps its date format, no second lookup
        return cell

    def row(
        self, columns: list[Column], values: Row, currency: str | None = None, font: Font | None = None
    ) -> list[Any]:
        out: list[Any] = []
        index = {c.key: i for i, c in enumerate(columns)}
        for col, value in zip(columns, values, strict=True):
            if value is None:
                out.append(None)
                continue
            fmt = None
            if col.type is ColumnType.MONEY:
                code = currency or (
                    values[index[col.currency_column]] if col.currency_column in index else None
                )
                fmt = money_format(str(code), self.locale) if code else None
            elif col.type is ColumnType.DATE:
                fmt = DATE_FORMAT
            elif col.type is ColumnType.DATETIME:
                fmt = DATETIME_FORMAT
            elif col.type is ColumnType.INTEGER:
                fmt = INTEGER_FORMAT
            out.append(self.styled(value, font, fmt) if fmt or font else value)
        return out


def _widths(ws: Any, columns: list[Column], start: int = 1) -> None:
    for i, col in enumerate(columns, start):
        ws.column_dimensions[get_column_letter(i)].width = col.width


def write_xlsx(report: Report, path: str) -> int:
    """Write `report` to `path`; returns the number of detail rows."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(text("summary", report.locale))
    detail = wb.create_sheet(report.sheet[:31])
    cells = _Cells(detail, report.locale)

    _widths(detail, report.columns)
    detail.freeze_panes = "A2"
    detail.append([cells.header(c.header) for c in report.columns])
    count = 0
    try:
        for values in report.rows:
            detail.append(cells.row(report.columns, values))
            count += 1
    except BaseException:
        _discard(detail)
        raise
    last = get_column_letter(len(report.columns))
    detail.auto_filter.ref = f"A1:{last}{count + 1}"

    _write_summary(summary, report, report.summary())
    wb.save(path)
    return count


def _discard(ws: Any) -> None:
    """Close a sheet abandoned mid-way and delete its temporary file (Lambda's /tmp is reused)."""
    with suppress(Exception):
        ws.close()
    writer = getattr(ws, "_writer", None)
    if writer is not None:
        with suppress(OSError, ValueError):
            writer.cleanup()


def _write_summary(ws: Any, report: Report, blocks: list[SummaryBlock]) -> None:
    cells = _Cells(ws, report.locale)
    widest = max([len(b.columns) for b in blocks] + [2])
    ws.column_dimensions["A"].width = 26
    for i in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    ws.append([cells.styled(report.title, _TITLE)])
    row = 1
    for label, value in report.parameters:
        ws.append([cells.styled(label, _BOLD), value])
        row += 1
    for block in blocks:
        ws.append([])
        ws.append([cells.styled(block.title, _BOLD)])
        row += 2
        title_row = row
        ws.append([cells.header(c.header) for c in block.columns])
        row += 1
        first_data = row + 1
        for values in block.rows:
            ws.append(cells.row(block.columns, values, block.currency))
            row += 1
        last_data = row
        if block.total is not None:
            ws.append(cells.row(block.columns, block.total, block.currency, _BOLD))
            row += 1
        if block.chart_title and block.rows:
            ws.add_chart(
                _bar_chart(ws, block, first_data, last_data), f"{get_column_letter(widest + 2)}{title_row}"
            )
            while row - title_row < _CHART_ROWS:
                ws.append([])
                row += 1


def _bar_chart(ws: Any, block: SummaryBlock, first: int, last: int) -> BarChart:
    """Bars of the block's last column (the balance) per first-column category (the bucket)."""
    value_col = len(block.columns)
    chart = BarChart()
    chart.type = "col"
    chart.title = block.chart_title
    chart.y_axis.title = block.columns[-1].header
    chart.x_axis.title = block.columns[0].header
    chart.legend = None
    data = Reference(ws, min_col=value_col, min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    if block.currency:
        chart.y_axis.number_format = money_format(block.currency, "en")
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides axes unless told
    chart.width, chart.height = 16, 7.5
    return chart
