"""AGING and DEBTS: debts read through the portfolio, agent, currency or tenant index, page by page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from domain.aging import bucket_label, bucket_of, days_past_due
from domain.entities import Debt, DebtState, DebtStatus
from domain.ledger import debt_status
from domain.ports import LedgerRepository
from domain.reports.columns import column, columns_of, text
from domain.reports.lookups import DebtorLookup, debtor_document, debtor_name, portfolio_names
from domain.reports.model import Report, ReportFilter, ReportKind, Row, SummaryBlock
from domain.reports.paging import iter_pages
from domain.reports.totals import AgingTotals, CurrencyTotals
from domain.services.debts import DebtFilter, to_query

OUTSTANDING = (DebtStatus.OVERDUE, DebtStatus.CURRENT, DebtStatus.IN_PLAN, DebtStatus.DISPUTED)
"""What an aging report covers unless a status is asked: every balance still owed."""


@dataclass(frozen=True)
class DebtReportContext:
    repo: LedgerRepository
    tenant: str
    as_of: date
    locale: str


def iter_debts(
    ctx: DebtReportContext, f: ReportFilter, statuses: tuple[DebtStatus | None, ...]
) -> Iterator[Debt]:
    """One index Query per status (its state and due range are in the sort key), paged lazily."""
    for status in statuses:
        query = to_query(
            DebtFilter(
                portfolio_id=f.portfolio_id,
                status=status,
                due_from=f.due_from,
                due_to=f.due_to,
                agent_id=f.agent_id,
                currency=f.currency,
            ),
            ctx.as_of,
        )
        if query.due_from and query.due_to and query.due_from > query.due_to:
            continue
        yield from iter_pages(partial(ctx.repo.list_debts, ctx.tenant, query))


def _dpd(debt: Debt, as_of: date) -> int:
    return days_past_due(debt.due_date, as_of) if debt.state in (DebtState.OPEN, DebtState.DISPUTED) else 0


def aging_report(ctx: DebtReportContext, f: ReportFilter) -> Report:
    statuses: tuple[DebtStatus | None, ...] = (f.status,) if f.status else OUTSTANDING
    totals = AgingTotals()
    portfolios = portfolio_names(ctx.repo, ctx.tenant)
    lookup = DebtorLookup(ctx.repo, ctx.tenant)

    def rows() -> Iterator[Row]:
        for debt, debtor in lookup.with_debtors(iter_debts(ctx, f, statuses), lambda d: d.debtor_id):
            bucket = bucket_of(debt.due_date, ctx.as_of)
            balance = debt.balance
            totals.add(debt.currency, bucket, balance)
            yield (
                debtor_name(debtor, debt.debtor_id),
                debtor_document(debtor),
                debt.number or debt.external_id,
                portfolios.get(debt.portfolio_id, debt.portfolio_id),
                debt.assigned_agent_id,
                debt.currency,
                debt.due_date,
                _dpd(debt, ctx.as_of),
                bucket_label(bucket, ctx.locale),
                debt_status(debt, ctx.as_of).value,
                debt.original_amount,
                balance,
            )

    def summary() -> list[SummaryBlock]:
        blocks = []
        columns = [column(k, ctx.locale) for k in ("bucket", "count", "balance")]
        for currency in totals.currencies():
            cells = totals.of(currency)
            block_rows: list[Row] = [(bucket_label(b, ctx.locale), n, amount) for b, n, amount in cells]
            total: Row = (
                text("total", ctx.locale),
                sum(n for _, n, _ in cells),
                sum((a for _, _, a in cells), Decimal(0)),
            )
            title = f"{text('balance_by_bucket', ctx.locale)} - {currency}"
            blocks.append(
                SummaryBlock(title, columns, block_rows, total, chart_title=title, currency=currency)
            )
        return blocks

    return Report(
        kind=ReportKind.AGING,
        title=text(ReportKind.AGING, ctx.locale),
        filename=f"aging-{ctx.as_of.isoformat()}",
        sheet=text(ReportKind.AGING, ctx.locale)[:31],
        columns=columns_of(ReportKind.AGING, ctx.locale),
        rows=rows(),
        summary=summary,
    )


def debts_report(ctx: DebtReportContext, f: ReportFilter) -> Report:
    totals = CurrencyTotals()
    portfolios = portfolio_names(ctx.repo, ctx.tenant)
    lookup = DebtorLookup(ctx.repo, ctx.tenant)

    def rows() -> Iterator[Row]:
        for debt, debtor in lookup.with_debtors(iter_debts(ctx, f, (f.status,)), lambda d: d.debtor_id):
            balance = debt.balance
            totals.add(
                debt.currency,
                original=debt.original_amount,
                paid=debt.paid_total,
                credits=debt.credit_total,
                fees=debt.fee_total,
                balance=balance,
            )
            yield (
                debtor_name(debtor, debt.debtor_id),
                debtor_document(debtor),
                debtor.external_id if debtor else None,
                debt.number or debt.external_id,
                debt.kind.value,
                portfolios.get(debt.portfolio_id, debt.portfolio_id),
                debt.assigned_agent_id,
                debt.currency,
                debt.issue_date,
                debt.due_date,
                debt_status(debt, ctx.as_of).value,
                _dpd(debt, ctx.as_of),
                debt.original_amount,
                debt.paid_total,
                debt.credit_total,
                debt.fee_total,
                balance,
            )

    def summary() -> list[SummaryBlock]:
        names = ("original", "paid", "credits", "fees", "balance")
        columns = [column(k, ctx.locale) for k in ("currency", "count", *names)]
        block_rows: list[Row] = [
            (currency, sums.count, *(sums.amounts[n] for n in names)) for currency, sums in totals.items()
        ]
        return [SummaryBlock(text("totals_by_currency", ctx.locale), columns, block_rows)]

    return Report(
        kind=ReportKind.DEBTS,
        title=text(ReportKind.DEBTS, ctx.locale),
        filename=f"debts-{ctx.as_of.isoformat()}",
        sheet=text(ReportKind.DEBTS, ctx.locale),
        columns=columns_of(ReportKind.DEBTS, ctx.locale),
        rows=rows(),
        summary=summary,
    )
