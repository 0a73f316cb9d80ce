"""Promises to pay for the PROMISES report export (the `domain.reports.ports.PromiseSource` port):
every status, by promised date, paged lazily from the status-and-date index (never a Scan)."""

from __future__ import annotations

from collections.abc import Iterator

from domain.ports import PageRequest
from domain.promises.model import PromiseStatus
from domain.promises.ports import PromiseQuery, PromiseRepository
from domain.reports.ports import PromiseQuery as ReportQuery
from domain.reports.ports import PromiseRecord

PAGE = 500


class PromiseReportSource:
    def __init__(self, store: PromiseRepository) -> None:
        self.store = store

    def promises(self, tenant: str, query: ReportQuery) -> Iterator[PromiseRecord]:
        for status in PromiseStatus:
            wanted = PromiseQuery(
                status=status,
                due_from=query.due_from,
                due_to=query.due_to,
                agent_id=query.agent_id,
                portfolio_id=query.portfolio_id,
            )
            after = None
            while True:
                page = self.store.list_promises(tenant, wanted, PageRequest(PAGE, after))
                for p in page.items:
                    if query.currency and p.currency != query.currency:
                        continue
                    yield PromiseRecord(
                        debtor_id=p.debtor_id,
                        debt_id=", ".join(p.debt_ids) or None,
                        currency=p.currency,
                        amount=p.amount,
                        promised_date=p.promised_date,
                        status=p.status.value,
                        agent_id=p.agent_id,
                        created_at=p.created_at or p.deadline,
                    )
                if not page.has_next_page:
                    break
                after = page.end_cursor
