"""What summaries need from storage: live aggregates, snapshots, and (later) promise statistics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from domain.summaries.figures import AggregateDelta, Figures
from domain.summaries.snapshot import Snapshot


@runtime_checkable
class SummaryStore(Protocol):
    """Aggregates and snapshots of one tenant's ledger (every method is scoped by tenant)."""

    def live_figures(self, tenant: str, scope: str) -> dict[str, Figures]:
        """The live sums of a scope, per currency, in a constant number of reads."""
        ...

    def apply_deltas(self, tenant: str, deltas: list[AggregateDelta], idempotency_key: str | None) -> bool:
        """Add deltas to the live sums (for writers outside the ledger's transactions, e.g. a bulk
        import). With a key, a second call with the same key changes nothing and returns False."""
        ...

    def last_snapshot_day(self, tenant: str) -> date | None:
        """The day of the tenant's latest complete snapshot."""
        ...

    def snapshots_on(self, tenant: str, scope: str, day: date) -> list[Snapshot] | None:
        """The snapshots of a scope on a day, one per currency; None when that day was not taken."""
        ...

    def snapshots_between(self, tenant: str, scope: str, first: date, last: date) -> list[Snapshot]:
        """Every snapshot of a scope from `first` to `last` inclusive (one Query, all pages)."""
        ...

    def save_snapshots(
        self, tenant: str, day: date, scopes: list[str], snapshots: list[Snapshot], replace: bool
    ) -> bool:
        """Store a day's snapshots and mark the day taken for every scope (also those without debts).
        Without `replace`, a day already taken is left alone and False is returned."""
        ...


class PromiseStats(Protocol):
    """Promises to pay are not built yet; their module will implement this port."""

    def kept_rate(self, tenant: str, portfolio_id: str | None, first: date, last: date) -> Decimal | None:
        """Promises due in the period that were kept / promises due in the period."""
        ...


class NoPromises:
    """Until promises exist: the promise-kept rate is unknown (null), never a made-up zero."""

    def kept_rate(self, tenant: str, portfolio_id: str | None, first: date, last: date) -> Decimal | None:
        return None
