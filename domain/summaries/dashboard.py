"""The dashboard's use cases: `summary` of a portfolio or the tenant, and the `kpis` series."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from domain.aging import AgingBucket
from domain.campaigns.attribution import WINDOW
from domain.campaigns.model import Message
from domain.campaigns.ports import MessageFilter, MessageRepository
from domain.entities import Payment, Tenant
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import Page, PageRequest, PaymentQuery
from domain.principal import Action, Principal
from domain.services.base import Deps, UseCase
from domain.summaries import engagement, kpis
from domain.summaries.figures import Figures, scope_of
from domain.summaries.ports import NoPromises, PromiseStats, SummaryStore
from domain.summaries.snapshot import Snapshot

MAX_PERIODS = {kpis.Granularity.DAY: 92, kpis.Granularity.WEEK: 106, kpis.Granularity.MONTH: 36}
PAGE = 200
T = TypeVar("T")


@dataclass(frozen=True)
class CurrencySummary:
    """The figures of one currency. `live` figures are current to the last committed write; the
    aging ones (overdue, buckets, debtors) are those of the snapshot of `snapshot_day`."""

    currency: str
    figures: Figures
    live: bool
    snapshot_day: date | None = None
    debtors: int | None = None
    overdue: Decimal | None = None
    aging: dict[AgingBucket, Decimal] | None = None
    aging_counts: dict[AgingBucket, int] | None = None


@dataclass(frozen=True)
class KpiPeriod:
    first: date
    last: date
    currencies: list[kpis.CurrencyKpis]
    contact_rates: list[engagement.ChannelContact]
    conversion: engagement.Conversion | None
    promise_kept_rate: Decimal | None


@dataclass
class KpiReport:
    granularity: kpis.Granularity
    periods: list[KpiPeriod] = field(default_factory=list)


def _from_snapshot(snap: Snapshot, live: Figures | None = None) -> CurrencySummary:
    return CurrencySummary(
        currency=snap.currency,
        figures=live if live is not None else snap.figures,
        live=live is not None,
        snapshot_day=snap.day,
        debtors=snap.debtors,
        overdue=snap.overdue,
        aging=dict(snap.aging),
        aging_counts=dict(snap.aging_counts),
    )


class Dashboard(UseCase):
    def __init__(self, deps: Deps, store: SummaryStore | None = None, promises: PromiseStats | None = None):
        super().__init__(deps)
        repo_store = deps.repo if isinstance(deps.repo, SummaryStore) else None
        self.store = store or repo_store
        self.promises = promises or NoPromises()

    def _store(self) -> SummaryStore:
        if self.store is None:
            raise DomainError(ErrorCode.INVALID_STATE, "this ledger store keeps no summaries", None)
        return self.store

    def summary(
        self, principal: Principal, portfolio_id: str | None, as_of: date | None, today: date | None = None
    ) -> list[CurrencySummary]:
        """Per currency: live counts and amounts plus the aging of the latest snapshot (as_of null or
        today), or everything as of the snapshot of a past day (SNAPSHOT_NOT_FOUND when none)."""
        principal.require(Action.DASHBOARD_READ)
        store, scope = self._store(), scope_of(portfolio_id)
        today = today or self.today(self.settings(principal))
        day = as_of or today
        if day > today:
            raise DomainError(ErrorCode.INVALID_DATE, f"asOf {day} is after today ({today})", "asOf")
        if day < today:
            taken = store.snapshots_on(principal.tenant, scope, day)
            if taken is None:
                raise DomainError(ErrorCode.SNAPSHOT_NOT_FOUND, f"no snapshot was taken on {day}", "asOf")
            return [_from_snapshot(s) for s in sorted(taken, key=lambda s: s.currency)]
        live = store.live_figures(principal.tenant, scope)
        last = store.last_snapshot_day(principal.tenant)
        snaps = (
            {s.currency: s for s in (store.snapshots_on(principal.tenant, scope, last) or [])} if last else {}
        )
        out: list[CurrencySummary] = []
        for currency in sorted(set(live) | set(snaps)):
            figures = live.get(currency, Figures())
            snap = snaps.get(currency)
            out.append(_from_snapshot(snap, figures) if snap else CurrencySummary(currency, figures, True))
        return out

    def kpis(
        self,
        principal: Principal,
        portfolio_id: str | None,
        first: date,
        last: date,
        granularity: kpis.Granularity,
        messages: MessageRepository | None = None,
    ) -> KpiReport:
        """KPI series over [first, last], one point per period (see `domain.summaries.kpis`)."""
        principal.require(Action.DASHBOARD_READ)
        store, tenant = self._store(), self.settings(principal)
        if portfolio_id and self.repo.get_portfolio(tenant.id, portfolio_id) is None:
            raise NotFound("portfolio", "portfolioId")
        if first > last:
            raise DomainError(ErrorCode.INVALID_DATE, "from is after to", "from")
        spans = kpis.periods(first, last, granularity)
        if len(spans) > MAX_PERIODS[granularity]:
            limit = MAX_PERIODS[granularity]
            raise DomainError(
                ErrorCode.INVALID, f"at most {limit} {granularity.value} periods per request", "to"
            )
        by_day: dict[date, dict[str, Snapshot]] = {}
        for snap in store.snapshots_between(
            tenant.id, scope_of(portfolio_id), first, last + timedelta(days=1)
        ):
            by_day.setdefault(snap.day, {})[snap.currency] = snap
        sent, paid = self._engagement(tenant, portfolio_id, first, last, messages)
        report = KpiReport(granularity)
        for start, end in spans:
            opening, closing = by_day.get(start, {}), by_day.get(end + timedelta(days=1), {})
            within = [
                s
                for d, snaps in by_day.items()
                if start < d <= end + timedelta(days=1)
                for s in snaps.values()
            ]
            currencies = sorted(set(opening) | set(closing))
            per_currency = [
                kpis.currency_kpis(
                    c, end, opening.get(c), closing.get(c), [s for s in within if s.currency == c]
                )
                for c in currencies
            ]
            lo, hi = self._instant(tenant, start), self._instant(tenant, end + timedelta(days=1))
            period_messages = [
                m for m in sent if (engagement.sent_at(m) or lo) >= lo and (engagement.sent_at(m) or hi) < hi
            ]
            report.periods.append(
                KpiPeriod(
                    first=start,
                    last=end,
                    currencies=per_currency,
                    contact_rates=engagement.contact_rates(period_messages) if messages else [],
                    conversion=engagement.conversion(period_messages, paid) if messages else None,
                    promise_kept_rate=self.promises.kept_rate(tenant.id, portfolio_id, start, end),
                )
            )
        return report

    @staticmethod
    def _instant(tenant: Tenant, day: date) -> datetime:
        return datetime.combine(day, time(0), ZoneInfo(tenant.time_zone))

    def _engagement(
        self,
        tenant: Tenant,
        portfolio_id: str | None,
        first: date,
        last: date,
        messages: MessageRepository | None,
    ) -> tuple[list[Message], list[Payment]]:
        """Messages of the range (one Query, paged) and payments up to the attribution window after it."""
        if messages is None:
            return [], []
        lo, hi = self._instant(tenant, first), self._instant(tenant, last + timedelta(days=1))
        sent = list(
            _pages(
                lambda p: messages.list_messages(tenant.id, MessageFilter(created_from=lo, created_to=hi), p)
            )
        )
        query = PaymentQuery(paid_from=lo, paid_to=hi + WINDOW)
        paid = list(_pages(lambda p: self.repo.list_payments(tenant.id, query, p)))
        if portfolio_id:
            sent, paid = self._in_portfolio(tenant.id, portfolio_id, sent, paid)
        return sent, paid

    def _in_portfolio(
        self, tenant: str, portfolio_id: str, sent: list[Message], paid: list[Payment]
    ) -> tuple[list[Message], list[Payment]]:
        """Messages about, and payments allocated to, the portfolio's debts (debts read in batches)."""
        pairs = {(m.debtor_id, d) for m in sent for d in m.debt_ids}
        pairs |= {(p.debtor_id, a.debt_id) for p in paid for a in p.allocations}
        ordered = sorted(pairs)
        inside: set[tuple[str, str]] = set()
        for i in range(0, len(ordered), 100):
            found = self.repo.get_debts(tenant, ordered[i : i + 100])
            inside |= {k for k, debt in found.items() if debt.portfolio_id == portfolio_id}
        return (
            [m for m in sent if any((m.debtor_id, d) in inside for d in m.debt_ids)],
            [p for p in paid if any((p.debtor_id, a.debt_id) in inside for a in p.allocations)],
        )


def _pages(fetch: Callable[[PageRequest], Page[T]]) -> Iterator[T]:
    after: str | None = None
    while True:
        page = fetch(PageRequest(first=PAGE, after=after))
        yield from page.items
        if not page.has_next_page or not page.end_cursor:
            return
        after = page.end_cursor
