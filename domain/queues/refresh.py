"""Keeping a debtor's work item (risk score, base priority, queue placement) in step with the ledger.

`WorkRefresher.refresh` re-reads the debtor, its debts and payments and rewrites the work item,
conditional on the version it read (a concurrent signal is never lost: the loser reads again). It is
called after ledger commits (the repository's post-commit observer), by the promise and interaction
hooks (`QueueSignals`), on assignment and nightly. Five requests: the debtor, its debts, its payments,
the work item, the conditional put (plus one UpdateItem per debt when the band changes).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from domain.clock import Clock, local_date
from domain.entities import DebtState
from domain.errors import ConcurrencyConflict
from domain.ports import LedgerRepository, PageRequest, PaymentQuery
from domain.queues.model import WorkState
from domain.queues.ports import WorkStore
from domain.queues.priority import base_priority, overdue_balances
from domain.risk.score import BROKEN_PROMISE_WINDOW_DAYS, risk_score

MAX_ATTEMPTS = 5
PAYMENTS_READ = 200
"""The newest payments a score looks at (one Query page)."""
KEEP_BROKEN = 10

Change = Callable[[WorkState], None]


class WorkRefresher:
    def __init__(self, ledger: LedgerRepository, store: WorkStore, clock: Clock) -> None:
        self.ledger, self.store, self.clock = ledger, store, clock

    def refresh(self, tenant: str, debtor_id: str, change: Change | None = None) -> WorkState | None:
        """Recompute the debtor's work item, applying `change` (a signal) to what is stored first."""
        for _ in range(MAX_ATTEMPTS - 1):
            try:
                return self._refresh(tenant, debtor_id, change)
            except ConcurrencyConflict:
                continue
        return self._refresh(tenant, debtor_id, change)

    def _refresh(self, tenant: str, debtor_id: str, change: Change | None) -> WorkState | None:
        debtor = self.ledger.get_debtor(tenant, debtor_id)
        if debtor is None:
            return None
        current = self.store.get_work(tenant, debtor_id)
        state = copy.deepcopy(current) if current else WorkState(tenant=tenant, debtor_id=debtor_id)
        if change is not None:
            change(state)
        now = self.clock.now()
        debts = self.ledger.debts_of_debtor(tenant, debtor_id)
        payments = self.ledger.list_payments(
            tenant, PaymentQuery(debtor_id=debtor_id), PageRequest(first=PAYMENTS_READ)
        ).items
        window = now - timedelta(days=BROKEN_PROMISE_WINDOW_DAYS)
        state.broken_at = sorted(state.broken_at)[-KEEP_BROKEN:]
        broken = sum(1 for at in state.broken_at if at >= window)
        state.time_zone = debtor.time_zone
        state.agent_id = debtor.assigned_agent_id
        state.risk = risk_score(debts, payments, broken, now, debtor.time_zone)
        today = local_date(now, debtor.time_zone)
        open_debts = [d for d in debts if d.state is DebtState.OPEN]
        overdue: dict[str, Decimal] = {}
        for d in open_debts:
            if d.due_date < today:
                overdue[d.currency] = overdue.get(d.currency, Decimal(0)) + d.balance
        state.overdue = overdue_balances(overdue)
        state.days_past_due = max(((today - d.due_date).days for d in open_debts), default=0)
        state.days_past_due = max(state.days_past_due, 0)
        state.priority = base_priority(state, now) if open_debts else None
        state.refreshed_at = now
        self.store.save_work(state, current.version if current else 0)
        state.version = (current.version if current else 0) + 1
        band = state.risk.band.value
        stale = [d.id for d in debts if d.risk_band != band]
        if stale:
            self.store.set_debt_band(tenant, debtor_id, stale, band)
        return state
