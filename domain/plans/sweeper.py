"""The daily plan sweep: break the plans with an instalment unpaid past grace, and queue the
INSTALMENT_DUE step for the instalments falling due.

Reminder timing: an instalment is reminded the day before its due date (debtor-local). The job's
occurrence is always that day before, and the sweep queues it on the day before *and* on the due day
while the instalment is unpaid, so a sweep missed on the day before (an outage, a plan made that
day after the sweep) still reminds on the due day, and the dispatcher's send claim (debt, campaign,
step, day) makes it one message per instalment either way.

Only ACTIVE plans whose first unpaid instalment is due by the day after tomorrow (UTC; each plan is
then read in its debtor's zone) are read: one index Query per page, never a Scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from domain.campaigns.model import StepTrigger
from domain.clock import local_date
from domain.plans.model import InstalmentStatus, PaymentPlan, PlanStatus
from domain.plans.ports import PlanQuery
from domain.plans.service import PaymentPlans
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.promises.ports import StepTriggerPort

SWEEPER = "system:plan-sweeper"


@dataclass
class PlanSweepSummary:
    tenants: int = 0
    evaluated: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    instalments_due: int = 0
    jobs: int = 0

    def add(self, other: PlanSweepSummary) -> None:
        self.tenants += other.tenants
        self.evaluated += other.evaluated
        self.instalments_due += other.instalments_due
        self.jobs += other.jobs
        for k, v in other.outcomes.items():
            self.outcomes[k] = self.outcomes.get(k, 0) + v


class PlanSweeper:
    def __init__(self, plans: PaymentPlans, triggers: StepTriggerPort | None = None) -> None:
        self.plans = plans
        self.triggers = triggers

    def run(self, tenants: Iterable[str] | None = None) -> PlanSweepSummary:
        summary = PlanSweepSummary()
        for tenant in tenants if tenants is not None else self.plans.repo.list_tenants():
            summary.add(self.sweep_tenant(tenant))
        return summary

    def _due(self, tenant: str, query: PlanQuery) -> Iterator[PaymentPlan]:
        after: str | None = None
        while True:
            page = self.plans.store.list_plans(tenant, query, PageRequest(200, after))
            yield from page.items
            if not page.has_next_page:
                return
            after = page.end_cursor

    def sweep_tenant(self, tenant: str) -> PlanSweepSummary:
        summary = PlanSweepSummary(tenants=1)
        principal = Principal(sub=SWEEPER, tenant=tenant, role=Role.ADMIN)
        now = self.plans.now()
        query = PlanQuery(status=PlanStatus.ACTIVE, due_to=now.date() + timedelta(days=2))
        for listed in list(self._due(tenant, query)):
            plan, change = self.plans.evaluate_current(principal, listed.debtor_id, listed.id)
            summary.evaluated += 1
            if plan is None:
                continue
            if change is not None and not plan.active:
                summary.outcomes[plan.status.value] = summary.outcomes.get(plan.status.value, 0) + 1
            if not plan.active or self.triggers is None:
                continue
            today = local_date(now, plan.time_zone)
            for inst in plan.instalments:
                if inst.status is InstalmentStatus.PAID or inst.due_date not in (today, today + timedelta(1)):
                    continue
                summary.instalments_due += 1
                summary.jobs += self.triggers.fire(
                    tenant,
                    plan.debtor_id,
                    plan.debt_ids,
                    StepTrigger.INSTALMENT_DUE,
                    inst.due_date - timedelta(days=1),
                )
        return summary
