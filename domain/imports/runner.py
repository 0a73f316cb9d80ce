"""Import a whole file: parse rows, write them in chunks through the ledger's bulk import, checkpoint.

The file is read as `(row number, cells)` pairs (the header is row 1). Rows go to the ledger in
chunks of `CHUNK_ROWS`; after each chunk `on_chunk` receives what it did and the row to resume from,
so a caller can persist a checkpoint and stop (`should_stop`) between chunks. A chunk is the unit of
retry: replaying it after a crash rewrites nothing that already landed (upsert by external id, and
records half-written by a crash are completed under the same ids), so no row is lost or doubled.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from domain.entities import Debt
from domain.errors import DomainError, ErrorCode
from domain.imports.columns import ImportField, resolve_columns
from domain.imports.rows import RowIssue, RowParser
from domain.imports.values import NumberFormat
from domain.principal import Action, Principal
from domain.services.base import UseCase
from domain.services.imports import MAX_ROWS, DebtImport, ImportRow

CHUNK_ROWS = MAX_ROWS
MAX_ISSUES_KEPT = 10_000
"""Beyond this many rejected rows the file is likely mapped wrong: counts go on, details stop."""

Row = tuple[int, list[Any]]


class DebtChangeSink(Protocol):
    """Told of every debt an import wrote, with what it was before (None when created).

    The hook for live aggregates (dashboards): one call per written chunk, after the write.
    """

    def debts_written(self, tenant: str, changes: list[tuple[Debt | None, Debt]]) -> None: ...


@dataclass(frozen=True)
class ImportOptions:
    portfolio_id: str
    column_mapping: dict[str, str] = field(default_factory=dict)
    decimal_separator: str | None = None
    """`.` or `,`; by default the tenant's locale decides."""
    dry_run: bool = False


@dataclass
class ImportCounts:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: ImportCounts) -> None:
        for name in ("rows", "created", "updated", "unchanged", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ChunkDone:
    """One chunk's outcome: its counts, its rejected rows (issues and cells), where to resume."""

    counts: ImportCounts
    issues: list[RowIssue]
    rejected: dict[int, list[Any]]
    next_row: int


@dataclass
class ImportOutcome:
    counts: ImportCounts = field(default_factory=ImportCounts)
    issues: list[RowIssue] = field(default_factory=list)
    next_row: int = 2
    finished: bool = False


def _never() -> bool:
    return False


class FileImport(UseCase):
    """Debtors and debts from a CSV/XLSX file's rows (use case; readers live in infra)."""

    def parser(self, principal: Principal, header: list[Any], options: ImportOptions) -> RowParser:
        """Check the caller and the header before reading any row (a DomainError lists problems)."""
        principal.require(Action.DEBT_IMPORT)
        tenant = self.settings(principal)
        if self.repo.get_portfolio(principal.tenant, options.portfolio_id) is None:
            raise DomainError(ErrorCode.NOT_FOUND, "portfolio not found", "portfolioId")
        if options.decimal_separator not in (None, ".", ","):
            raise DomainError(ErrorCode.INVALID, "decimalSeparator is '.' or ','", "decimalSeparator")
        columns = resolve_columns(header, options.column_mapping)
        return RowParser(columns, NumberFormat.for_locale(tenant.locale, options.decimal_separator))

    def run(
        self,
        principal: Principal,
        options: ImportOptions,
        header: list[Any],
        rows: Iterable[Row],
        *,
        start_row: int = 2,
        on_chunk: Callable[[ChunkDone], None] | None = None,
        should_stop: Callable[[], bool] = _never,
        sink: DebtChangeSink | None = None,
    ) -> ImportOutcome:
        """Import rows numbered `start_row` on; stop between chunks when `should_stop()` says so."""
        parser = self.parser(principal, header, options)
        ledger = DebtImport(self.deps)
        outcome = ImportOutcome(next_row=start_row)
        seen: set[str] = set()  # debt external ids of this run (a resumed run sees its part only)
        remaining: Iterator[Row] = (r for r in rows if r[0] >= start_row and any(_filled(c) for c in r[1]))
        while chunk := list(islice(remaining, CHUNK_ROWS)):
            done = self._chunk(principal, options, parser, ledger, chunk, sink, seen)
            outcome.counts.add(done.counts)
            room = MAX_ISSUES_KEPT - len(outcome.issues)
            outcome.issues.extend(done.issues[: max(room, 0)])
            outcome.next_row = done.next_row
            if on_chunk is not None:
                on_chunk(done)
            if should_stop():
                return outcome
        outcome.finished = True
        return outcome

    def _chunk(
        self,
        principal: Principal,
        options: ImportOptions,
        parser: RowParser,
        ledger: DebtImport,
        chunk: list[Row],
        sink: DebtChangeSink | None,
        seen: set[str],
    ) -> ChunkDone:
        issues: list[RowIssue] = []
        valid: list[tuple[int, ImportRow]] = []
        for number, cells in chunk:
            parsed = parser.parse(number, cells)
            if isinstance(parsed, list):
                issues.extend(parsed)
            elif parsed.external_id.strip() in seen:
                column = parser.column(ImportField.EXTERNAL_ID)
                message = "this debt's external id is already on an earlier row of the file"
                issues.append(RowIssue(number, column, ErrorCode.DUPLICATE, message))
            else:
                seen.add(parsed.external_id.strip())
                valid.append((number, parsed))
        result = ledger.run(principal, options.portfolio_id, [r for _, r in valid], dry_run=options.dry_run)
        for error in result.errors:
            number, row = valid[error.row]
            issues.append(RowIssue(number, parser.blame(row, error.field), error.code, error.message))
        if sink is not None and result.changes and not options.dry_run:
            sink.debts_written(principal.tenant, result.changes)
        by_number = dict(chunk)
        rejected = {i.row: by_number[i.row] for i in issues}
        counts = ImportCounts(
            rows=len(chunk),
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(rejected),
        )
        issues.sort(key=lambda i: i.row)
        return ChunkDone(counts, issues, rejected, next_row=chunk[-1][0] + 1)


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""
