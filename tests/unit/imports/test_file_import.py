"""A whole file through `FileImport` on the in-memory ledger: re-imports, corrections, parts, roles."""

from __future__ import annotations

from typing import Any

import pytest

from domain.entities import Debt, Portfolio
from domain.errors import ErrorCode, Forbidden
from domain.imports import runner
from domain.imports.runner import ChunkDone, FileImport, ImportOptions
from domain.principal import Principal
from domain.services import Ledger
from tests.fakes import InMemoryLedgerRepository as Repo

HEADER = ["codigo_cliente", "Razón Social", "Teléfono", "Factura", "Monto", "Fecha Vencimiento"]


def rows(n: int, amount: str = "100.50", start: int = 0) -> list[tuple[int, list[Any]]]:
    return [
        (i + 2, [f"C-{i % 7}", f"Cliente {i % 7}", "987654321", f"F-{i}", amount, "30/04/2026"])
        for i in range(start, start + n)
    ]


@pytest.fixture
def files(ledger: Ledger) -> FileImport:
    return FileImport(ledger.deps)


def counts(outcome: Any) -> tuple[int, int, int, int, int]:
    c = outcome.counts
    return c.rows, c.created, c.updated, c.unchanged, c.rejected


class Sink:
    def __init__(self) -> None:
        self.calls: list[list[tuple[Debt | None, Debt]]] = []

    def debts_written(self, tenant: str, changes: list[tuple[Debt | None, Debt]]) -> None:
        self.calls.append(changes)


def test_reimport_changes_nothing_and_a_correction_updates_only_its_rows(
    files: FileImport, repo: Repo, admin: Principal, configured: Portfolio, monkeypatch: Any
) -> None:
    monkeypatch.setattr(runner, "CHUNK_ROWS", 4)
    options, sink = ImportOptions(configured.id), Sink()
    first = files.run(admin, options, HEADER, rows(10), sink=sink)
    assert counts(first) == (10, 10, 0, 0, 0) and first.finished
    assert sum(len(c) for c in sink.calls) == 10 and all(old is None for c in sink.calls for old, _ in c)
    writes = (repo.commits, len(repo.events), len(repo.audits))
    # WHEN the same file comes again THEN nothing is written, no event, no audit, no version bump
    again = files.run(admin, options, HEADER, rows(10), sink=sink)
    assert counts(again) == (10, 0, 0, 10, 0)
    assert (repo.commits, len(repo.events), len(repo.audits)) == writes
    # WHEN two rows are corrected THEN only those two are updated, and the sink sees old and new
    corrected = rows(10)
    corrected[3][1][4] = "120.00"
    corrected[8][1][5] = "15/05/2026"
    sink.calls.clear()
    fixed = files.run(admin, options, HEADER, corrected, sink=sink)
    assert counts(fixed) == (10, 0, 2, 8, 0)
    pairs = [p for c in sink.calls for p in c]
    assert [(old.external_id, new.original_amount) for old, new in pairs if old] == [
        ("F-3", pairs[0][1].original_amount),
        ("F-8", pairs[1][1].original_amount),
    ]
    assert str(pairs[0][1].original_amount) == "120.00"


def test_parts_resume_from_the_checkpoint(
    files: FileImport, repo: Repo, admin: Principal, configured: Portfolio, monkeypatch: Any
) -> None:
    # GIVEN a run told to stop after its second chunk
    monkeypatch.setattr(runner, "CHUNK_ROWS", 3)
    done: list[ChunkDone] = []
    options = ImportOptions(configured.id)
    part = files.run(
        admin, options, HEADER, rows(11), on_chunk=done.append, should_stop=lambda: len(done) == 2
    )
    assert (part.finished, part.next_row, part.counts.rows) == (False, 8, 6)
    # WHEN the rest runs from the checkpoint THEN every row is written once
    rest = files.run(admin, options, HEADER, rows(11), start_row=part.next_row)
    assert rest.finished and rest.counts.rows == 5 and rest.counts.created == 5
    assert len(repo.events_of("acme", "DebtCreated")) == 11


def test_bad_rows_are_reported_with_file_row_and_column(
    files: FileImport, admin: Principal, configured: Portfolio
) -> None:
    data = rows(4)
    data[1][1][2] = "12"  # not a phone
    data[2][1][4] = "100.505"  # PEN has two decimals
    data[3][1][3] = "F-0"  # the first row's invoice again
    outcome = files.run(admin, ImportOptions(configured.id), HEADER, data)
    assert counts(outcome) == (4, 1, 0, 0, 3)
    assert [(i.row, i.column, i.code) for i in outcome.issues] == [
        (3, "Teléfono", ErrorCode.INVALID_PHONE),
        (4, "Monto", ErrorCode.INVALID_AMOUNT),
        (5, "Factura", ErrorCode.DUPLICATE),
    ]


def test_dry_run_counts_and_writes_nothing(
    files: FileImport, repo: Repo, admin: Principal, configured: Portfolio
) -> None:
    writes = repo.commits
    outcome = files.run(admin, ImportOptions(configured.id, dry_run=True), HEADER, rows(5))
    assert counts(outcome) == (5, 5, 0, 0, 0)
    assert repo.commits == writes


def test_agents_cannot_import(files: FileImport, agent: Principal, configured: Portfolio) -> None:
    with pytest.raises(Forbidden):
        files.run(agent, ImportOptions(configured.id), HEADER, rows(1))
