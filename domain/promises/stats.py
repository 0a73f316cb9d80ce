"""The promise-kept rate for the KPI series (the dashboard's `PromiseStats` port).

kept rate = promises judged KEPT / promises judged (KEPT, PARTIALLY_KEPT or BROKEN), among those whose
promised date falls in the period. Pending promises are not judged yet and cancelled ones never will
be: neither counts. No judged promise in the period: null, never a made-up zero."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.ports import PageRequest
from domain.promises.model import PromiseStatus
from domain.promises.ports import PromiseQuery, PromiseRepository

JUDGED = (PromiseStatus.KEPT, PromiseStatus.PARTIALLY_KEPT, PromiseStatus.BROKEN)
PAGE = 200


class PromiseKeptRate:
    def __init__(self, store: PromiseRepository) -> None:
        self.store = store

    def count(
        self, tenant: str, status: PromiseStatus, portfolio_id: str | None, first: date, last: date
    ) -> int:
        query = PromiseQuery(status=status, due_from=first, due_to=last, portfolio_id=portfolio_id)
        total, after = 0, None
        while True:
            page = self.store.list_promises(tenant, query, PageRequest(PAGE, after))
            total += len(page.items)
            if not page.has_next_page:
                return total
            after = page.end_cursor

    def kept_rate(self, tenant: str, portfolio_id: str | None, first: date, last: date) -> Decimal | None:
        counts = {s: self.count(tenant, s, portfolio_id, first, last) for s in JUDGED}
        judged = sum(counts.values())
        if judged == 0:
            return None
        return (Decimal(counts[PromiseStatus.KEPT]) / Decimal(judged)).quantize(Decimal("0.0001"))
