"""INTERACTIONS and PROMISES: rows from their sources, times in the debtor's zone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

from domain.reports.columns import column, columns_of, text
from domain.reports.debt_report import DebtReportContext
from domain.reports.lookups import DebtorLookup, debtor_document, debtor_name
from domain.reports.model import Report, ReportFilter, ReportKind, Row, SummaryBlock
from domain.reports.payment_report import day_range_utc, local_naive
from domain.reports.ports import InteractionQuery, InteractionSource, PromiseQuery, PromiseSource
from domain.reports.totals import CurrencyTotals


def interactions_report(
    ctx: DebtReportContext, f: ReportFilter, source: InteractionSource, tenant_zone: str
) -> Report:
    since, until = day_range_utc(f.since, f.until, tenant_zone)
    query = InteractionQuery(since=since, until=until, campaign_id=f.campaign_id, agent_id=f.agent_id)
    campaigns = source.campaign_names(ctx.tenant)
    lookup = DebtorLookup(ctx.repo, ctx.tenant)
    counts: Counter[tuple[str, str, str]] = Counter()

    def rows() -> Iterator[Row]:
        for item, debtor in lookup.with_debtors(
            source.interactions(ctx.tenant, query), lambda i: i.debtor_id
        ):
            zone = debtor.time_zone if debtor else tenant_zone
            counts[(text(item.kind, ctx.locale), item.channel, item.status)] += 1
            yield (
                local_naive(item.at, zone),
                zone,
                text(item.kind, ctx.locale),
                item.channel,
                item.status,
                debtor_name(debtor, item.debtor_id),
                debtor_document(debtor),
                campaigns.get(item.campaign_id, item.campaign_id) if item.campaign_id else None,
                item.step_id,
                item.recipient,
                item.subject,
                item.currency,
                item.amount,
                item.detail,
            )

    def summary() -> list[SummaryBlock]:
        columns = [column(k, ctx.locale) for k in ("interaction", "channel", "status", "rows")]
        block_rows: list[Row] = [(*key, n) for key, n in sorted(counts.items())]
        return [SummaryBlock(text(ReportKind.INTERACTIONS, ctx.locale), columns, block_rows)]

    return Report(
        kind=ReportKind.INTERACTIONS,
        title=text(ReportKind.INTERACTIONS, ctx.locale),
        filename=f"interactions-{ctx.as_of.isoformat()}",
        sheet=text(ReportKind.INTERACTIONS, ctx.locale),
        columns=columns_of(ReportKind.INTERACTIONS, ctx.locale),
        rows=rows(),
        summary=summary,
    )


def promises_report(
    ctx: DebtReportContext, f: ReportFilter, source: PromiseSource, tenant_zone: str
) -> Report:
    query = PromiseQuery(f.portfolio_id, f.currency, f.due_from, f.due_to, f.agent_id)
    lookup = DebtorLookup(ctx.repo, ctx.tenant)
    totals = CurrencyTotals()

    def rows() -> Iterator[Row]:
        for p, debtor in lookup.with_debtors(source.promises(ctx.tenant, query), lambda p: p.debtor_id):
            totals.add(p.currency, promised=p.amount)
            yield (
                debtor_name(debtor, p.debtor_id),
                debtor_document(debtor),
                p.debt_id,
                p.currency,
                p.amount,
                p.promised_date,
                p.status,
                p.agent_id,
                local_naive(p.created_at, debtor.time_zone if debtor else tenant_zone),
            )

    def summary() -> list[SummaryBlock]:
        columns = [column(k, ctx.locale) for k in ("currency", "rows", "promised_amount")]
        block_rows: list[Row] = [
            (currency, sums.count, sums.amounts.get("promised", Decimal(0)))
            for currency, sums in totals.items()
        ]
        return [SummaryBlock(text("totals_by_currency", ctx.locale), columns, block_rows)]

    return Report(
        kind=ReportKind.PROMISES,
        title=text(ReportKind.PROMISES, ctx.locale),
        filename=f"promises-{ctx.as_of.isoformat()}",
        sheet=text(ReportKind.PROMISES, ctx.locale),
        columns=columns_of(ReportKind.PROMISES, ctx.locale),
        rows=rows(),
        summary=summary,
    )
