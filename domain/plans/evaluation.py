"""Plans after they are made: payments pay the instalments in order, the grace days break them, a
request cancels them. Every verdict is recomputed from the covered debts, never incremented."""

from __future__ import annotations

import copy

from domain.entities import Debt
from domain.errors import DomainError, ErrorCode, NotFound
from domain.plans import rules
from domain.plans.base import CHANGE_OF, PlanBase
from domain.plans.model import PaymentPlan, PlanStatus
from domain.plans.ports import PlanChange
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.services.base import clean_text
from domain.snapshot import snapshot

Outcome = tuple[PaymentPlan, PlanChange | None]


class PlanEvaluation(PlanBase):
    def cancel(self, principal: Principal, debtor_id: str, plan_id: str, reason: str | None) -> PaymentPlan:
        """Cancel an ACTIVE plan: its debts go back to collection with their remaining balance."""
        principal.require(Action.PLAN_CANCEL)
        self._visible_debtor(principal, debtor_id, "id")
        text = clean_text(reason, "reason", max_len=500)

        def attempt() -> PaymentPlan:
            plan = self.store.get_plan(principal.tenant, debtor_id, plan_id)
            if plan is None:
                raise NotFound("plan")
            if not plan.active:
                raise DomainError(ErrorCode.INVALID_STATE, f"the plan is {plan.status.value}", "id")
            before = snapshot(plan)
            debts = {d.id: d for d in self.repo.debts_of_debtor(principal.tenant, debtor_id)}
            rules.allocate(plan, rules.paid_since(plan, debts.values()), self.now())
            plan.cancel_reason = text
            self._close(principal, plan, PlanStatus.CANCELLED, "paymentPlanCancel", debts, before)
            return plan

        plan = self.retrying(attempt)
        self._tell(plan, PlanChange.CANCELLED)
        return plan

    def evaluate_debtor(self, principal: Principal, debtor_id: str) -> list[PaymentPlan]:
        """Recompute the debtor's ACTIVE plans from its debts; write what changed. Called after every
        payment and reversal, and by the daily sweep; safe to repeat or to race."""
        changed: list[PaymentPlan] = []
        for plan in self._all_of_debtor(principal.tenant, debtor_id):
            if plan.active:
                judged = self.evaluate(principal, debtor_id, plan.id)
                if judged is not None:
                    changed.append(judged)
        return changed

    def evaluate(self, principal: Principal, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        """The plan if this evaluation changed it (paid amounts, or COMPLETED / BROKEN), else None."""
        plan, change = self.evaluate_current(principal, debtor_id, plan_id)
        return plan if change is not None else None

    def evaluate_current(
        self, principal: Principal, debtor_id: str, plan_id: str
    ) -> tuple[PaymentPlan | None, PlanChange | None]:
        """The plan as it stands after evaluating it now, and what changed (None: nothing)."""
        outcome = self.retrying(lambda: self._evaluate(principal, debtor_id, plan_id))
        if outcome is None:
            return None, None
        plan, change = outcome
        if change is not None:
            self._tell(plan, change)
        return plan, change

    def _evaluate(self, principal: Principal, debtor_id: str, plan_id: str) -> Outcome | None:
        tenant = principal.tenant
        plan = self.store.get_plan(tenant, debtor_id, plan_id)
        if plan is None:
            return None
        if not plan.active:
            return plan, None
        before, was = snapshot(plan), copy.deepcopy(plan.instalments)
        debts: dict[str, Debt] = {d.id: d for d in self.repo.debts_of_debtor(tenant, debtor_id)}
        rules.allocate(plan, rules.paid_since(plan, debts.values()), self.now())
        status = rules.verdict(plan, debts.values())
        if status is not PlanStatus.ACTIVE:
            self._close(principal, plan, status, "paymentPlanEvaluate", debts, before)
            return plan, CHANGE_OF[status]
        if plan.instalments == was:
            return plan, None
        plan.updated_at = self.now()
        tx = Transaction()
        tx.save(plan)
        self.repo.commit(tenant, tx)
        return plan, PlanChange.PAID
