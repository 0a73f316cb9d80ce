"""The daily promise sweep, per tenant: judge the pending promises whose deadline passed (broken or
partially kept; kept if a payment was missed), and fire PROMISE_DUE_TOMORROW for those due tomorrow.

Both lists are Queries of the status-and-date index; a re-run judges nothing twice (a judged promise
is no longer pending) and the due-tomorrow jobs carry the day before the promised date as their
occurrence, so the dispatcher's send claims drop the repeats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from domain.campaigns.model import StepTrigger
from domain.clock import local_date
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.promises.model import Promise, PromiseStatus
from domain.promises.ports import PromiseQuery, StepTriggerPort
from domain.promises.service import Promises

SWEEPER = "system:promise-sweeper"


@dataclass
class SweepSummary:
    tenants: int = 0
    judged: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    due_tomorrow: int = 0
    jobs: int = 0

    def add(self, other: SweepSummary) -> None:
        self.tenants += other.tenants
        self.judged += other.judged
        self.due_tomorrow += other.due_tomorrow
        self.jobs += other.jobs
        for k, v in other.outcomes.items():
            self.outcomes[k] = self.outcomes.get(k, 0) + v


class PromiseSweeper:
    def __init__(self, promises: Promises, triggers: StepTriggerPort | None = None) -> None:
        self.promises = promises
        self.triggers = triggers

    def run(self, tenants: Iterable[str] | None = None) -> SweepSummary:
        summary = SweepSummary()
        for tenant in tenants if tenants is not None else self.promises.repo.list_tenants():
            summary.add(self.sweep_tenant(tenant))
        return summary

    def _pending(self, tenant: str, query: PromiseQuery) -> Iterator[Promise]:
        after: str | None = None
        while True:
            page = self.promises.store.list_promises(tenant, query, PageRequest(200, after))
            yield from page.items
            if not page.has_next_page:
                return
            after = page.end_cursor

    def sweep_tenant(self, tenant: str) -> SweepSummary:
        summary = SweepSummary(tenants=1)
        principal = Principal(sub=SWEEPER, tenant=tenant, role=Role.ADMIN)
        now = self.promises.now()
        today = now.date()  # UTC; each promise is then read in its own zone
        overdue = PromiseQuery(status=PromiseStatus.PENDING, due_to=today + timedelta(days=1))
        for promise in list(self._pending(tenant, overdue)):
            if promise.deadline > now:
                continue
            judged = self.promises.evaluate(principal, promise.debtor_id, promise.id)
            if judged is not None:
                summary.judged += 1
                summary.outcomes[judged.status.value] = summary.outcomes.get(judged.status.value, 0) + 1
        if self.triggers is None:
            return summary
        soon = PromiseQuery(status=PromiseStatus.PENDING, due_from=today, due_to=today + timedelta(days=2))
        for promise in self._pending(tenant, soon):
            tomorrow = local_date(now, promise.time_zone) + timedelta(days=1)
            if promise.promised_date != tomorrow:
                continue
            summary.due_tomorrow += 1
            summary.jobs += self.triggers.fire(
                tenant,
                promise.debtor_id,
                promise.debt_ids,
                StepTrigger.PROMISE_DUE_TOMORROW,
                promise.promised_date - timedelta(days=1),
            )
        return summary
