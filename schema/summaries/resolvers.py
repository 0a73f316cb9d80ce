"""Resolvers of the dashboard: one use case call each (reads are a constant number of requests)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from domain.promises.stats import PromiseKeptRate
from domain.summaries import kpis
from domain.summaries.dashboard import Dashboard
from schema.common import decode_one
from schema.errors import query
from schema.summaries.types import CurrencySummary, Granularity, KpiSeries


def summary(info: strawberry.Info, portfolio_id: str | None, as_of: date | None) -> list[CurrencySummary]:
    ctx = info.context
    found = query(lambda: Dashboard(ctx.ledger.deps).summary(ctx.principal, portfolio_id, as_of, ctx.today()))
    return [CurrencySummary.of(s) for s in found]


@strawberry.type
class SummaryQueries:
    @strawberry.field(
        description="KPI series of a portfolio (or of the whole tenant when portfolioId is null), per "
        "period from `from` to `to` (tenant-local days; at most 92 days, 106 weeks or 36 months). "
        "Built from the nightly snapshots (a period needs the snapshots of its first day and of the day "
        "after its last) and, for contact and conversion, from the messages and payments. ADMIN, SUPERVISOR."
    )
    def kpis(
        self,
        info: strawberry.Info,
        from_: Annotated[date, strawberry.argument(name="from")],
        to: date,
        granularity: Granularity = kpis.Granularity.MONTH,  # type: ignore[valid-type]
        portfolio_id: strawberry.ID | None = None,
    ) -> KpiSeries:
        ctx = info.context
        messages = ctx.reminders.deps.messages if ctx.reminders else None

        def run() -> KpiSeries:
            pf = decode_one(portfolio_id, "Portfolio", "portfolioId") if portfolio_id else None
            stats = PromiseKeptRate(ctx.promises.store) if ctx.promises is not None else None
            dashboard = Dashboard(ctx.ledger.deps, promises=stats)
            report = dashboard.kpis(ctx.principal, pf, from_, to, kpis.Granularity(granularity), messages)
            return KpiSeries.of(report)

        return query(run)
