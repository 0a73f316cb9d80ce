"""CSV and XLSX files → header + `(row number, cells)` pairs, streamed (a 100,000-row file never
sits in memory as rows). Row numbers are the spreadsheet's: the header is row 1."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from domain.errors import DomainError, ErrorCode
from domain.imports.jobs import FileFormat, RejectedRow


def format_of(name: str) -> FileFormat:
    suffix = Path(name).suffix.lower()
    if suffix in (".csv", ".txt"):
        return FileFormat.CSV
    if suffix in (".xlsx", ".xlsm"):
        return FileFormat.XLSX
    raise DomainError(ErrorCode.INVALID, f"'{name}': only .csv and .xlsx files are imported", "format")


@dataclass
class Table:
    header: list[Any]
    rows: Iterator[tuple[int, list[Any]]]
    total: int | None = None
    """Data rows, as far as the file says (for progress bars; blank rows included)."""


def _text(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves "CSV" in the ANSI page
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_csv(data: bytes) -> Table:
    text = _text(data)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if not header:
        raise DomainError(ErrorCode.INVALID, "the file is empty", "file")
    total = max(text.count("\n") - (0 if text.endswith("\n") else -1) - 1, 0)
    return Table(header=list(header), rows=((i, list(r)) for i, r in enumerate(reader, start=2)), total=total)


def read_xlsx(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError) as error:
        raise DomainError(ErrorCode.INVALID, f"not a readable XLSX file: {error}", "file") from None
    sheet = book.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    header = next(values, None)
    if not header:
        raise DomainError(ErrorCode.INVALID, "the first sheet is empty", "file")
    total = (sheet.max_row or 1) - 1
    return Table(header=list(header), rows=((i, list(r)) for i, r in enumerate(values, start=2)), total=total)


def read_table(data: bytes, fmt: FileFormat) -> Table:
    if fmt is FileFormat.XLSX:
        return read_xlsx(io.BytesIO(data))
    return read_csv(data)


def rejected_rows_csv(header: list[Any], rejected: list[RejectedRow]) -> bytes:
    """The rejected rows as a CSV a manager can fix and upload again: the row number, the row's
    own cells, and what was wrong (`column: message [CODE]`, several joined by ` | `)."""
    by_row: dict[int, tuple[list[Any], list[str]]] = {}
    for r in rejected:
        cells, errors = by_row.setdefault(r.issue.row, (r.cells, []))
        where = f"{r.issue.column}: " if r.issue.column else ""
        errors.append(f"{where}{r.issue.message} [{r.issue.code.value}]")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", *["" if h is None else h for h in header], "error"])
    for number in sorted(by_row):
        cells, errors = by_row[number]
        writer.writerow([number, *["" if c is None else c for c in cells], " | ".join(errors)])
    return out.getvalue().encode("utf-8-sig")
