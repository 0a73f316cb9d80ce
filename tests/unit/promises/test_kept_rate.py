"""The promise-kept rate of the KPI series: judged promises only, paged, null when none."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from domain.ports import Page, PageRequest
from domain.promises.model import PromiseStatus
from domain.promises.ports import PromiseQuery
from domain.promises.stats import PromiseKeptRate


class Store:
    def __init__(self, promises: list[Any]) -> None:
        self.promises = promises
        self.queries = 0

    def list_promises(self, tenant: str, query: PromiseQuery, page: PageRequest) -> Page[Any]:
        self.queries += 1
        found = [
            p
            for p in self.promises
            if p.status is query.status
            and query.due_from is not None
            and query.due_to is not None
            and query.due_from <= p.promised_date <= query.due_to
        ]
        start = int(page.after or 0)
        items = found[start : start + page.first]
        more = start + page.first < len(found)
        return Page(items, str(start + page.first) if more else None, more)


def _p(status: PromiseStatus, day: int) -> Any:
    return SimpleNamespace(status=status, promised_date=date(2026, 3, day))


def test_kept_over_judged_in_the_period() -> None:
    store = Store(
        [_p(PromiseStatus.KEPT, 2)] * 250
        + [_p(PromiseStatus.BROKEN, 3)] * 100
        + [_p(PromiseStatus.PARTIALLY_KEPT, 4)] * 150
        + [_p(PromiseStatus.PENDING, 5)] * 40
        + [_p(PromiseStatus.CANCELLED, 6)] * 10
        + [_p(PromiseStatus.KEPT, 20)] * 99  # outside the period
    )
    rate = PromiseKeptRate(store).kept_rate("acme", None, date(2026, 3, 1), date(2026, 3, 10))  # type: ignore[arg-type]
    assert rate == Decimal("0.5000")  # 250 / (250 + 100 + 150)
    assert store.queries == 4  # KEPT needs two pages of 200


def test_no_judged_promise_is_null() -> None:
    store = Store([_p(PromiseStatus.PENDING, 2)])
    assert PromiseKeptRate(store).kept_rate("acme", None, date(2026, 3, 1), date(2026, 3, 10)) is None  # type: ignore[arg-type]


def test_the_promises_export_source_pages_every_status() -> None:
    from datetime import UTC, datetime

    from domain.promises.report_source import PromiseReportSource
    from domain.reports.ports import PromiseQuery as ReportQuery

    made = datetime(2026, 3, 1, 15, 0, tzinfo=UTC)

    def promise(status: PromiseStatus, day: int, currency: str = "PEN") -> Any:
        return SimpleNamespace(
            status=status,
            promised_date=date(2026, 3, day),
            debtor_id="d1",
            debt_ids=("t1", "t2"),
            currency=currency,
            amount=Decimal("60.00"),
            agent_id="ag-1",
            created_at=made,
            deadline=made,
        )

    store = Store(
        [promise(PromiseStatus.PENDING, 2)] * 3
        + [promise(PromiseStatus.KEPT, 3)]
        + [promise(PromiseStatus.BROKEN, 4, "USD")]
    )
    query = ReportQuery(currency="PEN", due_from=date(2026, 3, 1), due_to=date(2026, 3, 31))
    rows = list(PromiseReportSource(store).promises("acme", query))  # type: ignore[arg-type]
    assert [r.status for r in rows] == ["PENDING", "PENDING", "PENDING", "KEPT"]
    assert rows[0].debt_id == "t1, t2" and rows[0].amount == Decimal("60.00")
