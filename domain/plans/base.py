"""What every plan use case shares: the store, the observer, visibility, holding and releasing the
covered debts, closing a plan, and the partner event data."""

from __future__ import annotations

import logging
from typing import Any

from domain.clock import iso_utc
from domain.entities import Debt, Debtor
from domain.errors import NotFound
from domain.plans.model import PaymentPlan, PlanStatus
from domain.plans.ports import NoPlanObserver, PlanChange, PlanObserver, PlanRepository
from domain.ports import Claim, ClaimKind, PageRequest, Transaction
from domain.principal import Principal
from domain.services.base import Deps, UseCase
from domain.snapshot import snapshot

log = logging.getLogger(__name__)

EVENT_OF = {
    PlanStatus.ACTIVE: "PaymentPlanCreated",
    PlanStatus.COMPLETED: "PaymentPlanCompleted",
    PlanStatus.BROKEN: "PaymentPlanBroken",
    PlanStatus.CANCELLED: "PaymentPlanCancelled",
}
CHANGE_OF = {
    PlanStatus.COMPLETED: PlanChange.COMPLETED,
    PlanStatus.BROKEN: PlanChange.BROKEN,
    PlanStatus.CANCELLED: PlanChange.CANCELLED,
}


def plan_event_data(plan: PaymentPlan) -> dict[str, Any]:
    """The partner-facing plan (schema/events/PaymentPlan*.v1.json): the same shape for every change."""
    data: dict[str, Any] = {
        "planId": plan.id,
        "debtorId": plan.debtor_id,
        "debtIds": list(plan.debt_ids),
        "currency": plan.currency,
        "totalAmount": str(plan.total),
        "downPayment": str(plan.down_payment),
        "paidAmount": str(plan.paid),
        "frequency": plan.frequency.value,
        "status": plan.status.value,
        "instalments": [
            {
                "number": i.number,
                "kind": i.kind.value,
                "dueDate": i.due_date.isoformat(),
                "amount": str(i.amount),
                "paidAmount": str(i.paid),
                "status": i.status.value,
            }
            for i in plan.instalments
        ],
        "closedAt": iso_utc(plan.closed_at) if plan.closed_at else None,
    }
    if plan.status is PlanStatus.CANCELLED:
        data["reason"] = plan.cancel_reason
    return data


class PlanBase(UseCase):
    def __init__(self, deps: Deps, store: PlanRepository, observer: PlanObserver | None = None) -> None:
        super().__init__(deps)
        self.store = store
        self.observer: PlanObserver = observer or NoPlanObserver()

    def _visible_debtor(self, principal: Principal, debtor_id: str, field: str = "debtorId") -> Debtor:
        """The debtor, if the caller's scope covers it (an AGENT: its assigned debtors only)."""
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", field)
        return debtor

    def _all_of_debtor(self, tenant: str, debtor_id: str) -> list[PaymentPlan]:
        out: list[PaymentPlan] = []
        after: str | None = None
        while True:
            page = self.store.plans_of_debtor(tenant, debtor_id, PageRequest(200, after), consistent=True)
            out.extend(page.items)
            if not page.has_next_page:
                return out
            after = page.end_cursor

    def _hold(self, tx: Transaction, debt: Debt, plan: PaymentPlan) -> None:
        """IN_PLAN: the debt leaves the cadence (and the due index) in the plan's own commit."""
        debt.plan_id = plan.id
        debt.next_action = None
        debt.updated_at = self.now()
        tx.save(debt)

    def _close(
        self,
        principal: Principal,
        plan: PaymentPlan,
        status: PlanStatus,
        action: str,
        debts: dict[str, Debt],
        before: dict[str, Any],
    ) -> None:
        """Close an ACTIVE plan in one commit: its debt claims released, its debts back in collection
        (no next action: the planner recomputes their cadence at its next cycle), conditioned on the
        versions of the debts as read, the audit entry and the partner event."""
        now = self.now()
        plan.status, plan.closed_at, plan.updated_at = status, now, now
        tx = Transaction()
        tx.save(plan)
        for debt_id in plan.debt_ids:
            tx.releases.append(Claim(ClaimKind.PLAN_ACTIVE_DEBT, debt_id))
            debt = debts.get(debt_id)
            if debt is None:
                continue
            if debt.plan_id == plan.id:
                debt.plan_id, debt.next_action, debt.updated_at = None, None, now
            tx.save(debt)  # also when unchanged: its version guards the paid totals the verdict read
        self.audit(tx, principal, "PaymentPlan", plan.id, action, before, snapshot(plan))
        self.event(tx, principal.tenant, EVENT_OF[status], plan.id, plan_event_data(plan))
        self.repo.commit(principal.tenant, tx)

    def _tell(self, plan: PaymentPlan, change: PlanChange) -> None:
        try:
            self.observer.plan_changed(plan, change)
        except Exception:  # a listener's failure never undoes a committed change
            log.exception("plan observer failed for %s (%s)", plan.id, change.value)
