"""The nightly snapshot: for every tenant whose day has turned, page its debts once, store the day's
snapshots per scope and currency, and repair any drift of the live aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.entities import Tenant
from domain.ports import DebtQuery, PageRequest
from domain.services.base import Deps, UseCase
from domain.summaries.figures import TENANT_SCOPE, AggregateDelta, Figures, portfolio_scope
from domain.summaries.ports import SummaryStore
from domain.summaries.snapshot import SnapshotBuilder

PAGE_SIZE = 500


@dataclass
class SnapshotRun:
    taken: list[str] = field(default_factory=list)
    """Tenants whose snapshot was written in this run."""
    repaired: list[AggregateDelta] = field(default_factory=list)
    """Corrections applied to the live aggregates (should stay empty)."""
    skipped_repairs: int = 0
    """Aggregates left alone because a write landed while the debts were being read."""
    failed: dict[str, Exception] = field(default_factory=dict)


class LedgerSnapshots(UseCase):
    def __init__(self, deps: Deps, store: SummaryStore) -> None:
        super().__init__(deps)
        self.store = store

    def run(self, replace: bool = False) -> SnapshotRun:
        """Every tenant of the registry; one failing does not stop the others (they are reported)."""
        result = SnapshotRun()
        for tenant_id in self.repo.list_tenants():
            try:
                tenant = self.repo.get_tenant(tenant_id)
                if tenant is not None:
                    self.run_tenant(tenant, result, replace)
            except Exception as error:  # isolate tenants; reported in the result
                result.failed[tenant_id] = error
        return result

    def run_tenant(self, tenant: Tenant, result: SnapshotRun, replace: bool = False) -> bool:
        """Snapshot the tenant's current local day once (again only with `replace`)."""
        day = self.today(tenant)
        last = self.store.last_snapshot_day(tenant.id)
        if last is not None and last >= day and not replace:
            return False
        previous = last if last is not None and last < day else None
        scopes = [TENANT_SCOPE, *(portfolio_scope(p.id) for p in self.repo.list_portfolios(tenant.id))]
        before = {s: self.store.live_figures(tenant.id, s) for s in scopes}
        builder = SnapshotBuilder(day, previous, self.now())
        after: str | None = None
        while True:
            page = self.repo.list_debts(tenant.id, DebtQuery(), PageRequest(first=PAGE_SIZE, after=after))
            for debt in page.items:
                builder.add(debt)
            if not page.has_next_page or not page.end_cursor:
                break
            after = page.end_cursor
        snapshots = builder.snapshots()
        self._repair(tenant.id, scopes, before, {(s.scope, s.currency): s.figures for s in snapshots}, result)
        if self.store.save_snapshots(tenant.id, day, scopes, snapshots, replace):
            result.taken.append(tenant.id)
            return True
        return False

    def _repair(
        self,
        tenant: str,
        scopes: list[str],
        before: dict[str, dict[str, Figures]],
        counted: dict[tuple[str, str], Figures],
        result: SnapshotRun,
    ) -> None:
        """Where the aggregates differ from the debts just counted, add the difference, but only if
        they did not move while the debts were read (else the count may be the stale one)."""
        corrections: list[AggregateDelta] = []
        for scope in scopes:
            now = self.store.live_figures(tenant, scope)
            currencies = set(now) | {c for s, c in counted if s == scope}
            for currency in sorted(currencies):
                live = now.get(currency, Figures())
                drift = counted.get((scope, currency), Figures()) - live
                if drift.is_zero():
                    continue
                if before[scope].get(currency, Figures()) != live:
                    result.skipped_repairs += 1
                    continue
                corrections.append(AggregateDelta(scope, currency, drift))
        if corrections:
            self.store.apply_deltas(tenant, corrections, None)
            result.repaired.extend(corrections)
