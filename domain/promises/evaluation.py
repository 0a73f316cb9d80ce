"""Closing promises: cancellation, and evaluation from payments (kept, broken, reopened)."""

from __future__ import annotations

from domain.entities import Debt, DebtState
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.promises import rules
from domain.promises.base import CHANGE_OF, PromiseBase
from domain.promises.model import Promise, PromiseStatus
from domain.promises.ports import PromiseChange
from domain.services.base import clean_text
from domain.snapshot import snapshot


class PromiseEvaluation(PromiseBase):
    def cancel(self, principal: Principal, debtor_id: str, promise_id: str, reason: str | None) -> Promise:
        principal.require(Action.PROMISE_CANCEL)
        self._visible_debtor(principal, debtor_id, "id")
        text = clean_text(reason, "reason", max_len=500)

        def attempt() -> Promise:
            promise = self.store.get_promise(principal.tenant, debtor_id, promise_id)
            if promise is None:
                raise NotFound("promise")
            if not promise.pending:
                raise DomainError(ErrorCode.INVALID_STATE, f"the promise is {promise.status.value}", "id")
            promise.cancel_reason = text
            debts = {d.id: d for d in self.repo.debts_of_debtor(principal.tenant, debtor_id)}
            self._close(principal, promise, PromiseStatus.CANCELLED, "promiseCancel", debts)
            return promise

        promise = self.retrying(attempt)
        self._tell(promise, PromiseChange.CANCELLED)
        return promise

    # --- evaluation (payments, the sweeper) -----------------------------------------------------

    def evaluate_debtor(self, principal: Principal, debtor_id: str) -> list[Promise]:
        """Recompute the debtor's open and kept promises from its payments; write what changed.

        Called after every payment and reversal, and by the sweeper; safe to repeat or to race."""
        changed: list[tuple[Promise, PromiseChange]] = []
        for promise in self._all_of_debtor(principal.tenant, debtor_id):
            if promise.status in (PromiseStatus.PENDING, PromiseStatus.KEPT):
                outcome = self._evaluate_once(principal, promise.id, debtor_id)
                if outcome is not None:
                    changed.append(outcome)
        for promise, change in changed:
            self._tell(promise, change)
        return [p for p, _ in changed]

    def _evaluate_once(
        self, principal: Principal, promise_id: str, debtor_id: str
    ) -> tuple[Promise, PromiseChange] | None:
        return self.retrying(lambda: self._evaluate(principal, debtor_id, promise_id))

    def evaluate(self, principal: Principal, debtor_id: str, promise_id: str) -> Promise | None:
        outcome = self._evaluate_once(principal, promise_id, debtor_id)
        if outcome is None:
            return None
        self._tell(*outcome)
        return outcome[0]

    def _evaluate(
        self, principal: Principal, debtor_id: str, promise_id: str
    ) -> tuple[Promise, PromiseChange] | None:
        tenant = principal.tenant
        promise = self.store.get_promise(tenant, debtor_id, promise_id)
        if promise is None or promise.status not in (PromiseStatus.PENDING, PromiseStatus.KEPT):
            return None
        now = self.now()
        debts, payments = self._debts_then_payments(tenant, debtor_id, promise.taken_at)
        kept = rules.kept_amount(promise, payments)
        status = rules.verdict(promise, kept, now)
        if status is promise.status and kept == promise.kept_amount:
            return None
        was = promise.status
        promise.kept_amount = kept
        if status is was:
            promise.updated_at = now
            tx = Transaction()
            tx.save(promise)
            self.repo.commit(tenant, tx)
            return None
        if was is PromiseStatus.PENDING:
            self._close(principal, promise, status, "promiseEvaluate", debts)
            return promise, CHANGE_OF[status]
        if status is PromiseStatus.PENDING and self.repo.get_claims(
            tenant, ClaimKind.PROMISE_PENDING_DEBT, promise.debt_ids
        ):
            status = _judged(promise)  # another promise holds a debt: this one cannot reopen
        return self._reopen(principal, promise, status, debts)

    def _reopen(
        self, principal: Principal, promise: Promise, status: PromiseStatus, debts: dict[str, Debt]
    ) -> tuple[Promise, PromiseChange]:
        """A reversal took a kept promise below its amount: pending again before its deadline (its
        debts claimed and paused again), else broken or partially kept."""
        before, now = snapshot(promise), self.now()
        promise.status, promise.updated_at = status, now
        promise.closed_at = None if status is PromiseStatus.PENDING else now
        tx = Transaction()
        tx.save(promise)
        debtor = self.repo.get_debtor(principal.tenant, promise.debtor_id)
        for debt_id in promise.debt_ids:
            debt = debts.get(debt_id)
            if status is PromiseStatus.PENDING:
                tx.claims.append(
                    Claim(ClaimKind.PROMISE_PENDING_DEBT, debt_id, f"{promise.debtor_id}/{promise.id}")
                )
            if debt is None:
                continue
            if status is PromiseStatus.PENDING and debtor is not None and debt.state is DebtState.OPEN:
                self._pause(tx, debt, debtor, promise.deadline, now)
            else:
                tx.save(debt)  # unchanged: its version guards the payments the verdict read
        self.audit(tx, principal, "Promise", promise.id, "promiseEvaluate", before, snapshot(promise))
        self._emit(tx, promise, CHANGE_OF[status])
        try:
            self.repo.commit(principal.tenant, tx)
        except UniquenessConflict:
            # Another promise took a debt meanwhile: evaluate again (it will be judged, not reopened).
            raise ConcurrencyConflict("a promised debt was claimed meanwhile") from None
        return promise, CHANGE_OF[status]


def _judged(promise: Promise) -> PromiseStatus:
    return PromiseStatus.PARTIALLY_KEPT if promise.kept_amount > 0 else PromiseStatus.BROKEN
