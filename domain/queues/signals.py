"""Hooks other features call when something that moves a debtor in its agent's queue happens.

- the ledger, after a commit (payments, debts, debtors): `ledger_changed`;
- promises to pay: `promise_changed(tenant, debtor_id, promise_id, status, due_date, at)`;
- the interaction log: `interaction_logged(tenant, debtor_id, occurred_at, outcome, callback_at)`.

Each one is idempotent (a retried call changes nothing more) and refreshes the risk score and the
queue entry. A failure here never undoes the caller's committed change: the nightly rescore repairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from domain.queues.model import WorkState
from domain.queues.refresh import WorkRefresher

PROMISE_OPEN = frozenset({"CREATED", "PENDING", "UPDATED"})
PROMISE_BROKEN = "BROKEN"


class LedgerObserver(Protocol):
    def ledger_changed(self, tenant: str, debtor_ids: Iterable[str]) -> None:
        """Called after a ledger transaction committed, with the debtors it touched."""
        ...


class NoLedgerObserver:
    def ledger_changed(self, tenant: str, debtor_ids: Iterable[str]) -> None:
        return None


class QueueSignals:
    def __init__(self, refresher: WorkRefresher) -> None:
        self.refresher = refresher

    def ledger_changed(self, tenant: str, debtor_ids: Iterable[str]) -> None:
        for debtor_id in sorted(set(debtor_ids)):
            self.refresher.refresh(tenant, debtor_id)

    def debtor_changed(self, tenant: str, debtor_id: str) -> WorkState | None:
        return self.refresher.refresh(tenant, debtor_id)

    def promise_changed(
        self,
        tenant: str,
        debtor_id: str,
        promise_id: str,
        status: str,
        due_date: date | None,
        at: datetime,
    ) -> WorkState | None:
        """A promise was created (or re-dated: `due_date`), kept, broken or cancelled at `at`."""

        def apply(state: WorkState) -> None:
            if status.upper() in PROMISE_OPEN and due_date is not None:
                state.promises[promise_id] = due_date
                return
            state.promises.pop(promise_id, None)
            if status.upper() == PROMISE_BROKEN and at not in state.broken_at:
                state.broken_at.append(at)

        return self.refresher.refresh(tenant, debtor_id, apply)

    def interaction_logged(
        self,
        tenant: str,
        debtor_id: str,
        occurred_at: datetime,
        outcome: str,
        callback_at: datetime | None,
    ) -> WorkState | None:
        """The agent (or the debtor) was in contact; the newest interaction sets or clears the callback."""

        def apply(state: WorkState) -> None:
            last = state.last_contact_at
            if last is None or occurred_at >= last:
                state.last_contact_at = occurred_at
                state.callback_at = callback_at

        return self.refresher.refresh(tenant, debtor_id, apply)
