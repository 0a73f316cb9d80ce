"""Overdue notices: the partner event `DebtOverdue` on a debt's first day past due, for every tenant.

A scheduled worker (hourly, so every time zone's midnight is covered soon after) runs `OverdueNotices`.
Each notice has a deterministic id (tenant, debt, due date), so its outbox item is also its idempotency
record: a re-run, an overlapping window or a concurrent run never emits a notice twice, while a debt
whose due date moved (an extension) gets a new notice once the new date has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from domain.entities import Debt, DebtState, DomainEvent, Tenant
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode
from domain.ids import derived_id
from domain.ports import DebtQuery, PageRequest, Transaction
from domain.services.base import EVENT_SCHEMA_VERSION, MAX_ATTEMPTS, UseCase
from domain.services.debts import debt_event_data

EVENT_TYPE = "DebtOverdue"
DEFAULT_LOOKBACK_DAYS = 7
MAX_LOOKBACK_DAYS = 7
"""Published outbox items expire 7 days after publication, and a notice is deduplicated by its outbox
item: a window reaching further back could find a notice gone and emit it again."""
PAGE_SIZE = 200
EVENTS_PER_COMMIT = 100
"""One TransactWriteItems holds at most 100 items."""


def notice_id(tenant: str, debt: Debt) -> str:
    """The id of the one DebtOverdue a debt gets for its current due date."""
    return derived_id(tenant, EVENT_TYPE, debt.id, debt.due_date.isoformat())


class OverdueNoticesIncomplete(Exception):
    """Some tenants could not be processed (the others were); the next run tries them again."""

    def __init__(self, emitted: int, failed: dict[str, Exception]) -> None:
        super().__init__(f"overdue notices failed for tenants {sorted(failed)} ({emitted} emitted)")
        self.emitted, self.failed = emitted, failed


class OverdueNotices(UseCase):
    def run(self, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> int:
        """Emit a DebtOverdue for every OPEN debt of every tenant whose due date is within the last
        `lookback_days` days of the tenant's calendar (today excluded) and that has none yet.

        Returns how many were emitted. One tenant failing does not stop the others: they all run,
        then OverdueNoticesIncomplete reports the failures.
        """
        if not 1 <= lookback_days <= MAX_LOOKBACK_DAYS:
            raise ValueError(f"lookback_days must be within 1..{MAX_LOOKBACK_DAYS}, got {lookback_days}")
        emitted = 0
        failed: dict[str, Exception] = {}
        for tenant_id in self.repo.list_tenants():
            try:
                tenant = self.repo.get_tenant(tenant_id)
                if tenant is not None:
                    emitted += self.run_tenant(tenant, lookback_days)
            except Exception as error:  # isolate tenants; reported below
                failed[tenant_id] = error
        if failed:
            raise OverdueNoticesIncomplete(emitted, failed) from next(iter(failed.values()))
        return emitted

    def run_tenant(self, tenant: Tenant, lookback_days: int = DEFAULT_LOOKBACK_DAYS) -> int:
        today = self.today(tenant)
        query = DebtQuery(
            state=DebtState.OPEN,
            due_from=today - timedelta(days=lookback_days),
            due_to=today - timedelta(days=1),
        )
        emitted, after = 0, None
        while True:
            page = self.repo.list_debts(tenant.id, query, PageRequest(first=PAGE_SIZE, after=after))
            emitted += self._notify(tenant.id, today, page.items)
            if not page.has_next_page or page.end_cursor is None:
                return emitted
            after = page.end_cursor

    def _notify(self, tenant: str, today: date, debts: Iterable[Debt]) -> int:
        """Skip the notices already in the outbox (one batched read), commit the rest in batches."""
        now = self.now()
        notices = [
            DomainEvent(
                tenant=tenant,
                id=notice_id(tenant, debt),
                type=EVENT_TYPE,
                version=EVENT_SCHEMA_VERSION,
                occurred_at=now,
                aggregate_id=debt.id,
                data=debt_event_data(debt) | {"daysPastDue": (today - debt.due_date).days},
            )
            for debt in debts
            if debt.state is DebtState.OPEN and debt.due_date < today
        ]
        if not notices:
            return 0
        existing = self.repo.existing_event_ids(tenant, [n.id for n in notices])
        new = [n for n in notices if n.id not in existing]
        emitted = 0
        for start in range(0, len(new), EVENTS_PER_COMMIT):
            chunk = new[start : start + EVENTS_PER_COMMIT]
            if len(chunk) > 1:
                try:
                    self.repo.commit(tenant, Transaction(events=chunk))
                    emitted += len(chunk)
                    continue
                except ConcurrencyConflict:
                    pass  # another run wrote some of them meanwhile: go one by one
            emitted += sum(self._commit_one(tenant, notice) for notice in chunk)
        return emitted

    def _commit_one(self, tenant: str, notice: DomainEvent) -> bool:
        """Commit one notice; False when it already exists (the conditional put refused it)."""
        for _ in range(MAX_ATTEMPTS):
            try:
                self.repo.commit(tenant, Transaction(events=[notice]))
                return True
            except ConcurrencyConflict:
                # Refused because it exists, or a concurrent transaction on the item: look, then retry.
                if self.repo.existing_event_ids(tenant, [notice.id], consistent=True):
                    return False
        raise DomainError(ErrorCode.CONFLICT, f"could not write overdue notice {notice.id}", None)
