"""What a report is, independent of any file format: columns, lazily produced rows, a summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.entities import DebtStatus


class ReportKind(StrEnum):
    AGING = "AGING"
    DEBTS = "DEBTS"
    PAYMENTS = "PAYMENTS"
    INTERACTIONS = "INTERACTIONS"
    PROMISES = "PROMISES"


class ReportFormat(StrEnum):
    XLSX = "XLSX"
    CSV = "CSV"

    @property
    def extension(self) -> str:
        return self.value.lower()


class ColumnType(StrEnum):
    TEXT = "TEXT"
    INTEGER = "INTEGER"
    DATE = "DATE"
    DATETIME = "DATETIME"
    """A naive wall-clock time in the zone the report names (Excel has no time zones)."""
    MONEY = "MONEY"
    """A Decimal in the currency named by the row's `currency_column`."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: ColumnType = ColumnType.TEXT
    width: int = 14
    currency_column: str | None = None
    """For MONEY: the key of the column holding the row's ISO 4217 code."""


Cell = str | int | Decimal | date | datetime | None
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class SummaryBlock:
    """A small table on the Summary sheet; with `chart`, a bar chart of its last column by its first."""

    title: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None
    chart_title: str | None = None
    currency: str | None = None
    """Every MONEY cell of the block is in this currency (else the row's `currency_column` says)."""


@dataclass
class Report:
    """A report ready to be written: `rows` is consumed once, lazily; `summary()` is asked after."""

    kind: ReportKind
    title: str
    filename: str
    """Without extension, e.g. `aging-2026-12-01`."""
    sheet: str
    columns: list[Column]
    rows: Iterator[Row]
    summary: Callable[[], list[SummaryBlock]]
    parameters: list[tuple[str, str]] = field(default_factory=list)
    """Shown above the summary: tenant, as-of day, time zone, filters, generated at."""
    locale: str = "en"


@dataclass(frozen=True)
class ReportFilter:
    portfolio_id: str | None = None
    status: DebtStatus | None = None
    currency: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    agent_id: str | None = None
    campaign_id: str | None = None
    since: date | None = None
    """INTERACTIONS from this tenant-local day on."""
    until: date | None = None
    """INTERACTIONS up to this tenant-local day, inclusive."""


@dataclass(frozen=True)
class ReportRequest:
    kind: ReportKind
    format: ReportFormat = ReportFormat.XLSX
    filter: ReportFilter = field(default_factory=ReportFilter)
    as_of: date | None = None
    """The tenant-local day the aging and days past due are computed on (default: today there)."""
    locale: str = "en"


@dataclass(frozen=True)
class PublishedFile:
    url: str
    rows: int
    size: int


@dataclass(frozen=True)
class ExportResult:
    id: str
    kind: ReportKind
    format: ReportFormat
    url: str
    expires_at: datetime
    rows: int
    filename: str
