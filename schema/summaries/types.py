"""Dashboard types: per-currency summaries and KPI series (amounts as Money, ratios as decimal strings)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry

from domain import aging
from domain import entities as e
from domain.summaries import dashboard as d
from domain.summaries import engagement, kpis
from schema.common import Money
from schema.types import AgingBucket

Granularity = strawberry.enum(
    kpis.Granularity,
    name="KpiGranularity",
    description="Length of each KPI period: a day, an ISO week (Monday–Sunday) or a calendar month.",
)


def bucket(b: aging.AgingBucket) -> e.AgingBucket:
    """The API's AgingBucket value of a domain bucket (same order: CURRENT, 1–30 … 120+)."""
    return list(e.AgingBucket)[aging.AGING_BUCKETS.index(b)]


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | None, currency: str) -> Money | None:
    return None if value is None else Money.of(value, currency)


@strawberry.type(description="Open balance of one aging bucket (as of the snapshot).")
class AgingAmount:
    bucket: AgingBucket = strawberry.field(description="Days past due on the snapshot's day.")  # type: ignore[valid-type]
    balance: Money = strawberry.field(description="Open balance of the bucket's debts.")
    debt_count: int = strawberry.field(description="Open debts in the bucket.")


@strawberry.type(
    description="The figures of one currency (never summed across currencies). When `live` is true, "
    "the counts and amounts are current to the last committed write, and `debtorCount`, "
    "`overdueBalance` and `aging` are those of the nightly snapshot of `snapshotDate` (null before "
    "the first snapshot). For a past `asOf`, every figure is that day's snapshot (its opening)."
)
class CurrencySummary:
    currency: str = strawberry.field(description="ISO 4217.")
    live: bool = strawberry.field(description="True when counts and amounts are live, false for a snapshot.")
    snapshot_date: date | None = strawberry.field(
        description="The day of the snapshot behind the aging figures."
    )
    debt_count: int = strawberry.field(description="Every debt, whatever its state.")
    open_debt_count: int = strawberry.field(description="Debts with an undisputed balance to collect.")
    disputed_debt_count: int = strawberry.field(description="Debts under an open dispute.")
    debtor_count: int | None = strawberry.field(
        description="Distinct debtors with an outstanding balance (snapshot)."
    )
    original_amount: Money = strawberry.field(description="Original amounts of every debt.")
    balance: Money = strawberry.field(description="Outstanding balance of open and disputed debts.")
    disputed_balance: Money = strawberry.field(description="The part of `balance` under dispute.")
    overdue_balance: Money | None = strawberry.field(description="Open balance past due (snapshot).")
    collected: Money = strawberry.field(description="Payments applied to the debts, net of reversals.")
    credited: Money = strawberry.field(description="Credits (adjustments and dispute resolutions) applied.")
    fees: Money = strawberry.field(description="Fees added to the debts.")
    written_off: Money = strawberry.field(description="Balance of written-off debts.")
    aging: list[AgingAmount] | None = strawberry.field(
        description="Open balance per days-past-due bucket (snapshot); disputed balances are not aged."
    )

    @classmethod
    def of(cls, s: d.CurrencySummary) -> CurrencySummary:
        f, c = s.figures, s.currency
        aging_rows = None
        if s.aging is not None:
            counts = s.aging_counts or {}
            aging_rows = [
                AgingAmount(bucket=bucket(b), balance=Money.of(v, c), debt_count=counts.get(b, 0))
                for b, v in s.aging.items()
            ]
        return cls(
            currency=c,
            live=s.live,
            snapshot_date=s.snapshot_day,
            debt_count=f.debts,
            open_debt_count=f.open_debts,
            disputed_debt_count=f.disputed_debts,
            debtor_count=s.debtors,
            original_amount=Money.of(f.original, c),
            balance=Money.of(f.balance, c),
            disputed_balance=Money.of(f.disputed, c),
            overdue_balance=_money(s.overdue, c),
            collected=Money.of(f.collected, c),
            credited=Money.of(f.credited, c),
            fees=Money.of(f.fees, c),
            written_off=Money.of(f.written_off, c),
            aging=aging_rows,
        )


@strawberry.type(description="Share of a bucket's opening balance that rolled into a later bucket.")
class RollRate:
    from_bucket: AgingBucket = strawberry.field(description="The bucket the balance left.")  # type: ignore[valid-type]
    to_bucket: AgingBucket = strawberry.field(description="The next bucket.")  # type: ignore[valid-type]
    rate: str | None = strawberry.field(
        description="Sum of the balances that left `fromBucket` for a later bucket between consecutive "
        "snapshots in the period / balance in `fromBucket` at the period's opening (fraction, 4 places)."
    )


@strawberry.type(
    description="One period's KPIs in one currency (null when a snapshot or denominator is missing)."
)
class CurrencyKpis:
    currency: str = strawberry.field(description="ISO 4217.")
    opening_balance: Money | None = strawberry.field(description="Balance at the opening snapshot.")
    closing_balance: Money | None = strawberry.field(description="Balance at the closing snapshot.")
    closing_overdue: Money | None = strawberry.field(description="Overdue balance at the closing snapshot.")
    billed: Money | None = strawberry.field(
        description="Credit sales: original amounts and fees added in the period (closing − opening)."
    )
    collected: Money | None = strawberry.field(
        description="Payments applied in the period, net of reversals."
    )
    due_in_period: Money | None = strawberry.field(
        description="Overdue balance at the opening + original amounts of debts falling due in the period."
    )
    dso: str | None = strawberry.field(
        description="Days sales outstanding, countback: the closing balance is matched against the billing "
        "of the period's last month (its days up to the period end), then of earlier months, counting "
        "each month's days until the balance is covered (the last month counts its covered fraction)."
    )
    cei: str | None = strawberry.field(
        description="Collection effectiveness index, percent: (opening balance + billed − closing balance) / "
        "(opening balance + billed − closing current balance) × 100."
    )
    recovery_rate: str | None = strawberry.field(description="collected / dueInPeriod (fraction).")
    delinquency_rate: str | None = strawberry.field(
        description="closing overdue / closing balance (fraction)."
    )
    roll_rates: list[RollRate] = strawberry.field(description="One per bucket pair, CURRENT→1–30 first.")

    @classmethod
    def of(cls, k: kpis.CurrencyKpis) -> CurrencyKpis:
        c = k.currency
        order = aging.AGING_BUCKETS
        return cls(
            currency=c,
            opening_balance=_money(k.opening_balance, c),
            closing_balance=_money(k.closing_balance, c),
            closing_overdue=_money(k.closing_overdue, c),
            billed=_money(k.billed, c),
            collected=_money(k.collected, c),
            due_in_period=_money(k.due_in_period, c),
            dso=_text(k.dso),
            cei=_text(k.cei),
            recovery_rate=_text(k.recovery_rate),
            delinquency_rate=_text(k.delinquency_rate),
            roll_rates=[
                RollRate(
                    from_bucket=bucket(b),
                    to_bucket=bucket(order[order.index(b) + 1]),
                    rate=_text(rate),
                )
                for b, rate in k.roll_rates.items()
            ],
        )


@strawberry.type(description="Contact rate of one channel in a period.")
class ChannelContactRate:
    channel: str = strawberry.field(description="EMAIL, SMS, WHATSAPP or CALL_TASK.")
    attempted: int = strawberry.field(
        description="Debtors with a message that left us (sent, delivered, bounced, failed)."
    )
    reached: int = strawberry.field(description="Debtors with a message sent or delivered (not bounced).")
    rate: str | None = strawberry.field(description="reached / attempted (fraction).")

    @classmethod
    def of(cls, c: engagement.ChannelContact) -> ChannelContactRate:
        return cls(channel=c.channel, attempted=c.attempted, reached=c.reached, rate=_text(c.rate))


@strawberry.type(description="Messages followed by a payment of the same debtor within 7 days.")
class MessageConversion:
    messages: int = strawberry.field(description="Messages sent or delivered in the period.")
    converted: int = strawberry.field(description="Of those, messages followed by a payment within 7 days.")
    rate: str | None = strawberry.field(description="converted / messages (fraction).")
    collected: list[Money] = strawberry.field(description="Those payments, per currency (each payment once).")

    @classmethod
    def of(cls, c: engagement.Conversion) -> MessageConversion:
        money = [Money.of(v, k) for k, v in sorted(c.collected.items())]
        return cls(messages=c.messages, converted=c.converted, rate=_text(c.rate), collected=money)


@strawberry.type(description="The KPIs of one period (tenant-local days, both ends included).")
class KpiPoint:
    from_: date = strawberry.field(name="from", description="First day of the period.")
    to: date = strawberry.field(description="Last day of the period.")
    currencies: list[CurrencyKpis] = strawberry.field(description="One per currency, by code.")
    contact_rates: list[ChannelContactRate] = strawberry.field(description="Per channel, sorted by channel.")
    message_conversion: MessageConversion | None = strawberry.field(
        description="Null when the reminder engine is not wired to this API."
    )
    promise_kept_rate: str | None = strawberry.field(
        description="Promises with their promised date in the period judged KEPT / judged KEPT, "
        "PARTIALLY_KEPT or BROKEN (pending and cancelled ones do not count); null when none was judged."
    )

    @classmethod
    def of(cls, p: d.KpiPeriod) -> KpiPoint:
        return cls(
            from_=p.first,
            to=p.last,
            currencies=[CurrencyKpis.of(k) for k in p.currencies],
            contact_rates=[ChannelContactRate.of(c) for c in p.contact_rates],
            message_conversion=MessageConversion.of(p.conversion) if p.conversion else None,
            promise_kept_rate=_text(p.promise_kept_rate),
        )


@strawberry.type(description="A KPI series: one point per period from `from` to `to`.")
class KpiSeries:
    granularity: Granularity = strawberry.field(description="Length of each period.")  # type: ignore[valid-type]
    points: list[KpiPoint] = strawberry.field(description="One per period, oldest first.")

    @classmethod
    def of(cls, r: d.KpiReport) -> KpiSeries:
        return cls(granularity=r.granularity, points=[KpiPoint.of(p) for p in r.periods])
