"""`DynamoSummaryStore`: the summaries port on the ledger table (aggregates and snapshots).

`DynamoLedgerRepository` inherits it: the same table, and its commits keep the aggregates current.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.clock import Clock, SystemClock
from domain.summaries.figures import AggregateDelta, Figures
from domain.summaries.snapshot import Snapshot
from infra.dynamodb import aggregates, snapshots

if TYPE_CHECKING:
    from domain.summaries.ports import SummaryStore


class DynamoSummaryStore:
    clock: Clock = SystemClock()
    """Only dates the expiry of idempotency markers of `apply_deltas`."""

    def live_figures(self, tenant: str, scope: str) -> dict[str, Figures]:
        return aggregates.read_figures(tenant, scope, consistent=True)

    def apply_deltas(self, tenant: str, deltas: list[AggregateDelta], idempotency_key: str | None) -> bool:
        return aggregates.apply(tenant, deltas, idempotency_key, self.clock)

    def last_snapshot_day(self, tenant: str) -> date | None:
        return snapshots.last_day(tenant)

    def snapshots_on(self, tenant: str, scope: str, day: date) -> list[Snapshot] | None:
        return snapshots.on_day(tenant, scope, day)

    def snapshots_between(self, tenant: str, scope: str, first: date, last: date) -> list[Snapshot]:
        return snapshots.between(tenant, scope, first, last)

    def save_snapshots(
        self, tenant: str, day: date, scopes: list[str], items: list[Snapshot], replace: bool
    ) -> bool:
        return snapshots.save(tenant, day, scopes, items, replace)


if TYPE_CHECKING:
    _conforms: SummaryStore = DynamoSummaryStore()
