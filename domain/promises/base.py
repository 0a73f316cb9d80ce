"""What every promise use case shares: the store, the observer, visibility, payments, pause/resume,
and the partner event of each change."""

from __future__ import annotations

import logging
from datetime import datetime

from domain.entities import Debt, Debtor, NextAction, Payment
from domain.errors import NotFound
from domain.ports import Claim, ClaimKind, PageRequest, Transaction
from domain.principal import Principal
from domain.promises.events import EVENT_OF, promise_event_data
from domain.promises.model import Promise, PromiseStatus
from domain.promises.ports import NoPromiseObserver, PromiseChange, PromiseObserver, PromiseRepository
from domain.services.base import Deps, UseCase
from domain.snapshot import snapshot

log = logging.getLogger(__name__)

CHANGE_OF = {
    PromiseStatus.KEPT: PromiseChange.KEPT,
    PromiseStatus.PARTIALLY_KEPT: PromiseChange.PARTIALLY_KEPT,
    PromiseStatus.BROKEN: PromiseChange.BROKEN,
    PromiseStatus.CANCELLED: PromiseChange.CANCELLED,
    PromiseStatus.PENDING: PromiseChange.REOPENED,
}


class PromiseBase(UseCase):
    def __init__(self, deps: Deps, store: PromiseRepository, observer: PromiseObserver | None = None) -> None:
        super().__init__(deps)
        self.store = store
        self.observer: PromiseObserver = observer or NoPromiseObserver()

    def _visible_debtor(self, principal: Principal, debtor_id: str, field: str = "debtorId") -> Debtor:
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", field)
        return debtor

    def _all_of_debtor(self, tenant: str, debtor_id: str) -> list[Promise]:
        out: list[Promise] = []
        after: str | None = None
        while True:
            page = self.store.promises_of_debtor(tenant, debtor_id, PageRequest(200, after), consistent=True)
            out.extend(page.items)
            if not page.has_next_page:
                return out
            after = page.end_cursor

    def _debts_then_payments(
        self, tenant: str, debtor_id: str, since: datetime
    ) -> tuple[dict[str, Debt], list[Payment]]:
        """The debtor's debts, then its payments, both strongly consistent and in this order: a
        payment committed after the debts were read moves a debt's version, so a write conditioned
        on those versions cannot act on a payment list that missed it."""
        debts = {d.id: d for d in self.repo.debts_of_debtor(tenant, debtor_id)}
        return debts, self.store.payments_since(tenant, debtor_id, since)

    def _pause(self, tx: Transaction, debt: Debt, debtor: Debtor, until: datetime, now: datetime) -> None:
        """Hold the debt's cadence until `until`: no step fires meanwhile, and the planner looks at
        the debt again at that instant (an "evaluate" mark in the due index)."""
        debt.paused_until = until
        debt.next_action = NextAction(
            at=until,
            campaign_id="",
            step_id="",
            occurrence=debt.due_date,
            time_zone=debtor.time_zone,
            jurisdiction=debtor.jurisdiction,
        )
        debt.updated_at = now
        tx.save(debt)

    @staticmethod
    def _resume(tx: Transaction, debt: Debt, now: datetime) -> None:
        """Lift the pause: an open debt without a next action is indexed "to evaluate" now."""
        debt.paused_until = None
        debt.next_action = None
        debt.updated_at = now
        tx.save(debt)

    def _close(
        self,
        principal: Principal,
        promise: Promise,
        status: PromiseStatus,
        action: str,
        debts: dict[str, Debt],
    ) -> None:
        """Close a pending promise: its debt claims released and its debts resumed, in one commit
        conditioned on the versions of the debts as read before the payments (see above), with the
        audit entry and the partner event."""
        before = snapshot(promise)
        now = self.now()
        promise.status, promise.closed_at, promise.updated_at = status, now, now
        tx = Transaction()
        tx.save(promise)
        for debt_id in promise.debt_ids:
            tx.releases.append(Claim(ClaimKind.PROMISE_PENDING_DEBT, debt_id))
            debt = debts.get(debt_id)
            if debt is not None and debt.paused_until is not None:
                self._resume(tx, debt, now)
            elif debt is not None:
                tx.save(debt)  # unchanged, but its version guards the payments this verdict read
        self.audit(tx, principal, "Promise", promise.id, action, before, snapshot(promise))
        self._emit(tx, promise, CHANGE_OF[status])
        self.repo.commit(principal.tenant, tx)

    def _emit(self, tx: Transaction, promise: Promise, change: PromiseChange) -> None:
        """The partner event of `change`, in the transaction that writes it: it exists exactly when
        the change does, so a retried request or a re-run sweep never emits it twice."""
        self.event(tx, promise.tenant, EVENT_OF[change], promise.id, promise_event_data(promise))

    def _tell(self, promise: Promise, change: PromiseChange) -> None:
        try:
            self.observer.promise_changed(promise, change)
        except Exception:  # a listener's failure never undoes a committed change
            log.exception("promise observer failed for %s (%s)", promise.id, change.value)
