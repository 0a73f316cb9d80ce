"""The export use case on the in-memory ledger: scope per role, bad input, bounds, PROMISES."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from domain.clock import FixedClock
from domain.errors import DomainError, ErrorCode, Forbidden
from domain.ids import TimeOrderedIds
from domain.principal import Principal, Role
from domain.reports.exports import ExportDeps, Exports
from domain.reports.model import (
    ExportResult,
    PublishedFile,
    Report,
    ReportFilter,
    ReportFormat,
    ReportKind,
    ReportRequest,
    Row,
)
from domain.reports.ports import PromiseQuery, PromiseRecord
from domain.services import Ledger
from tests.fakes import InMemoryLedgerRepository
from tests.report_data import ADMIN, Seeded, seed_report_ledger


class MemoryPublisher:
    """Consumes the rows like a writer would and keeps them."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.report: Report | None = None
        self.keys: list[str] = []

    def publish(
        self, report: Report, fmt: ReportFormat, key: str, filename: str, expires_in: int
    ) -> PublishedFile:
        self.rows = list(report.rows)
        self.report, self.summary = report, report.summary()
        self.keys.append(key)
        return PublishedFile(url=f"memory://{key}", rows=len(self.rows), size=0)


class FakePromises:
    def promises(self, tenant: str, query: PromiseQuery) -> Iterator[PromiseRecord]:
        yield PromiseRecord("nobody", None, "PEN", Decimal("40.00"), date(2026, 3, 20), "PENDING", "ag-1",
                            datetime(2026, 3, 14, 15, tzinfo=UTC))  # fmt: skip


@pytest.fixture
def seeded(ledger: Ledger) -> Seeded:
    return seed_report_ledger(ledger)


@pytest.fixture
def publisher() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def exports(repo: InMemoryLedgerRepository, clock: FixedClock, publisher: MemoryPublisher) -> Exports:
    return Exports(ExportDeps(repo, clock, TimeOrderedIds(clock), publisher))


def _run(exports: Exports, who: Principal, kind: ReportKind, **filters: object) -> ExportResult:
    return exports.run(who, ReportRequest(kind, filter=ReportFilter(**filters)))  # type: ignore[arg-type]


def test_agent_exports_only_its_own_debts(
    seeded: Seeded, exports: Exports, publisher: MemoryPublisher
) -> None:
    agent = Principal("u-ag", "acme", Role.AGENT, agent_id="ag-1")
    result = exports.run(agent, ReportRequest(ReportKind.AGING))
    assert result.rows == 3 and {r[4] for r in publisher.rows} == {"ag-1"}
    with pytest.raises(Forbidden):
        _run(exports, agent, ReportKind.DEBTS, agent_id="ag-2")
    for kind in (ReportKind.PAYMENTS, ReportKind.INTERACTIONS, ReportKind.PROMISES):
        with pytest.raises(Forbidden):
            _run(exports, agent, kind)
    with pytest.raises(Forbidden):
        _run(exports, Principal("p", "acme", Role.PARTNER), ReportKind.AGING)


def test_supervisor_filters_by_agent_portfolio_and_currency(
    seeded: Seeded, exports: Exports, publisher: MemoryPublisher
) -> None:
    boss = Principal("u-s", "acme", Role.SUPERVISOR)
    assert _run(exports, boss, ReportKind.AGING, agent_id="ag-2").rows == 2
    assert _run(exports, boss, ReportKind.DEBTS, portfolio_id=seeded.portfolios["cards"]).rows == 2
    assert _run(exports, boss, ReportKind.AGING, currency="usd").rows == 2
    assert {r[5] for r in publisher.rows} == {"USD"}


@pytest.mark.parametrize(
    ("request_", "code"),
    [
        (ReportRequest(ReportKind.AGING, locale="fr"), ErrorCode.INVALID_LOCALE),
        (ReportRequest(ReportKind.AGING, filter=ReportFilter(currency="PESOS")), ErrorCode.INVALID_CURRENCY),
        (
            ReportRequest(
                ReportKind.DEBTS, filter=ReportFilter(due_from=date(2026, 3, 2), due_to=date(2026, 3, 1))
            ),
            ErrorCode.INVALID_DATE,
        ),
        (ReportRequest(ReportKind.DEBTS, filter=ReportFilter(portfolio_id="nope")), ErrorCode.NOT_FOUND),
        (ReportRequest(ReportKind.PROMISES), ErrorCode.NOT_AVAILABLE),
        (ReportRequest(ReportKind.INTERACTIONS), ErrorCode.NOT_AVAILABLE),
    ],
)
def test_bad_requests_get_a_code_and_publish_nothing(
    seeded: Seeded, exports: Exports, publisher: MemoryPublisher, request_: ReportRequest, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as err:
        exports.run(ADMIN, request_)
    assert err.value.code is code
    assert publisher.keys == []


def test_unconfigured_tenant_is_told_so(exports: Exports) -> None:
    with pytest.raises(DomainError) as err:
        exports.run(Principal("x", "empty", Role.ADMIN), ReportRequest(ReportKind.AGING))
    assert err.value.code is ErrorCode.TENANT_NOT_CONFIGURED


def test_more_rows_than_the_bound_fail_with_too_many_rows(
    seeded: Seeded, repo: InMemoryLedgerRepository, clock: FixedClock, publisher: MemoryPublisher
) -> None:
    bounded = Exports(ExportDeps(repo, clock, TimeOrderedIds(clock), publisher, max_rows=5))
    with pytest.raises(DomainError) as err:
        bounded.run(ADMIN, ReportRequest(ReportKind.DEBTS))
    assert err.value.code is ErrorCode.TOO_MANY_ROWS


def test_promises_come_from_their_port_once_there_is_one(
    seeded: Seeded, repo: InMemoryLedgerRepository, clock: FixedClock, publisher: MemoryPublisher
) -> None:
    exports = Exports(ExportDeps(repo, clock, TimeOrderedIds(clock), publisher, promises=FakePromises()))
    result = exports.run(ADMIN, ReportRequest(ReportKind.PROMISES))
    assert result.rows == 1 and result.filename == "promises-2026-03-15.xlsx"
    assert publisher.summary[0].rows == [("PEN", 1, Decimal("40.00"))]


def test_spanish_headers_and_as_of_in_the_file_name(
    seeded: Seeded, exports: Exports, publisher: MemoryPublisher
) -> None:
    result = exports.run(
        ADMIN, ReportRequest(ReportKind.AGING, ReportFormat.CSV, as_of=date(2026, 4, 1), locale="es")
    )
    assert result.filename == "aging-2026-04-01.csv"
    assert publisher.report is not None
    assert [c.header for c in publisher.report.columns][:3] == ["Deudor", "Documento", "Deuda"]
    assert publisher.keys == [f"exports/acme/{result.id}.csv"]
    days = {r[2]: r[7] for r in publisher.rows}
    assert days["F001-current"] == 12  # due 2026-03-20, seen on 2026-04-01
