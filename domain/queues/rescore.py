"""The nightly rescore: days past due and contact recency grow with time, so every debtor with an open
debt gets its risk score and base priority recomputed once a day. It walks each tenant's open debts
(Query GSI2 `T#t#DEBTS`, `OPEN#…`, page by page), never a Scan, and refreshes each debtor once."""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities import DebtState
from domain.ports import DebtQuery, LedgerRepository, PageRequest
from domain.queues.refresh import WorkRefresher

PAGE = 200


@dataclass
class RescoreReport:
    tenants: int = 0
    debtors: int = 0
    failed: int = 0


class Rescore:
    def __init__(self, ledger: LedgerRepository, refresher: WorkRefresher) -> None:
        self.ledger, self.refresher = ledger, refresher

    def run(self, tenants: list[str] | None = None) -> RescoreReport:
        report = RescoreReport()
        for tenant in tenants if tenants is not None else self.ledger.list_tenants():
            report.tenants += 1
            self.tenant(tenant, report)
        return report

    def tenant(self, tenant: str, report: RescoreReport) -> None:
        seen: set[str] = set()
        after: str | None = None
        while True:
            page = self.ledger.list_debts(tenant, DebtQuery(state=DebtState.OPEN), PageRequest(PAGE, after))
            for debt in page.items:
                if debt.debtor_id in seen:
                    continue
                seen.add(debt.debtor_id)
                try:
                    self.refresher.refresh(tenant, debt.debtor_id)
                    report.debtors += 1
                except Exception:  # one debtor's failure must not stop the tenant's run
                    report.failed += 1
            if not page.has_next_page or not page.end_cursor:
                return
            after = page.end_cursor
