"""PAYMENTS: the tenant's payments by paid-at range (GSI1 `T#t#PAYMENTS`), newest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.entities import Debt, Debtor, Payment
from domain.ports import PaymentQuery
from domain.reports.columns import column, columns_of, text
from domain.reports.debt_report import DebtReportContext
from domain.reports.lookups import CHUNK, debtor_document, debtor_name
from domain.reports.model import Report, ReportFilter, ReportKind, Row, SummaryBlock
from domain.reports.paging import chunked, iter_pages
from domain.reports.totals import CurrencyTotals


def day_range_utc(
    first: date | None, last: date | None, time_zone: str
) -> tuple[datetime | None, datetime | None]:
    """The instants from the start of `first` to the end of `last` on the calendar of `time_zone`."""
    zone = ZoneInfo(time_zone)
    start = datetime.combine(first, time.min, zone) if first else None
    end = (
        datetime.combine(last + timedelta(days=1), time.min, zone) - timedelta(microseconds=1)
        if last
        else None
    )
    return start, end


def local_naive(instant: datetime | None, time_zone: str) -> datetime | None:
    """Wall-clock time in `time_zone` without tzinfo (what a spreadsheet can hold)."""
    if instant is None:
        return None
    return instant.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)


def payments_report(ctx: DebtReportContext, f: ReportFilter, time_zone: str) -> Report:
    paid_from, paid_to = day_range_utc(f.paid_from, f.paid_to, time_zone)
    totals = CurrencyTotals()
    repo, tenant = ctx.repo, ctx.tenant
    needs_debts = bool(f.portfolio_id or f.agent_id)

    def matching() -> Iterator[tuple[Payment, dict[tuple[str, str], Debt], dict[str, Debtor]]]:
        query = PaymentQuery(paid_from=paid_from, paid_to=paid_to)
        stream = iter_pages(lambda page: repo.list_payments(tenant, query, page))
        wanted = (p for p in stream if not f.currency or p.currency == f.currency)
        for chunk in chunked(wanted, CHUNK):
            keys = list(dict.fromkeys((p.debtor_id, a.debt_id) for p in chunk for a in p.allocations))
            debts = repo.get_debts(tenant, keys) if keys else {}
            debtors = repo.get_debtors(tenant, list(dict.fromkeys(p.debtor_id for p in chunk)))
            for payment in chunk:
                if needs_debts and not _in_scope(payment, debts, f):
                    continue
                yield payment, debts, debtors

    def rows() -> Iterator[Row]:
        for payment, debts, debtors in matching():
            debtor = debtors.get(payment.debtor_id)
            applied = payment.amount - payment.unapplied
            if not payment.reversed:
                totals.add(
                    payment.currency, collected=payment.amount, applied=applied, unapplied=payment.unapplied
                )
            else:
                totals.add(payment.currency, reversed=Decimal(1))
            numbers = []
            for allocation in payment.allocations:
                debt = debts.get((payment.debtor_id, allocation.debt_id))
                numbers.append((debt.number or debt.external_id) if debt else allocation.debt_id)
            yield (
                local_naive(payment.paid_at, time_zone),
                debtor_name(debtor, payment.debtor_id),
                debtor_document(debtor),
                payment.currency,
                payment.amount,
                applied,
                payment.unapplied,
                payment.method.value,
                payment.reference,
                ", ".join(numbers),
                "REVERSED" if payment.reversed else "RECORDED",
                local_naive(payment.reversed_at, time_zone),
                payment.recorded_by,
            )

    def summary() -> list[SummaryBlock]:
        columns = [
            column(k, ctx.locale)
            for k in ("currency", "payments", "collected", "applied", "unapplied", "reversed")
        ]
        block_rows: list[Row] = [
            (
                currency,
                sums.count - int(sums.amounts["reversed"]),
                sums.amounts["collected"],
                sums.amounts["applied"],
                sums.amounts["unapplied"],
                int(sums.amounts["reversed"]),
            )
            for currency, sums in totals.items()
        ]
        return [SummaryBlock(text("totals_by_currency", ctx.locale), columns, block_rows)]

    return Report(
        kind=ReportKind.PAYMENTS,
        title=text(ReportKind.PAYMENTS, ctx.locale),
        filename=f"payments-{ctx.as_of.isoformat()}",
        sheet=text(ReportKind.PAYMENTS, ctx.locale),
        columns=columns_of(ReportKind.PAYMENTS, ctx.locale),
        rows=rows(),
        summary=summary,
    )


def _in_scope(payment: Payment, debts: dict[tuple[str, str], Debt], f: ReportFilter) -> bool:
    """A payment belongs to a portfolio or an agent through the debts it was applied to."""
    for allocation in payment.allocations:
        debt = debts.get((payment.debtor_id, allocation.debt_id))
        if debt is None:
            continue
        if f.portfolio_id and debt.portfolio_id != f.portfolio_id:
            continue
        if f.agent_id and debt.assigned_agent_id != f.agent_id:
            continue
        return True
    return False
