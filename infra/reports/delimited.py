"""CSV: UTF-8 with a byte-order mark (Excel then reads accents right), one header row, RFC 4180 quoting.

Money is written as the plain decimal in the currency's minor units (`1234.50`, CLP `1234`) next to its
currency column; dates ISO `YYYY-MM-DD`; local times `YYYY-MM-DD HH:MM:SS` in the zone the report names.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from decimal import Decimal

from domain.reports.model import Cell, Report


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_csv(report: Report, path: str) -> int:
    """Write `report` to `path`; returns the number of data rows."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([c.header for c in report.columns])
        for values in report.rows:
            writer.writerow([_text(v) for v in values])
            count += 1
    return count
