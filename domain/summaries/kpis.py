"""KPI formulas over consecutive snapshots (pure functions; the README documents each one).

A period [first, last] (tenant-local days, inclusive) opens with the snapshot of `first` and closes
with the snapshot of `last + 1` (each snapshot is the opening position of its day). Amounts stay per
currency; ratios are Decimal: rates as fractions rounded to 4 places, CEI as a percentage and DSO
in days, both rounded to 2 places. A figure whose inputs are missing or whose denominator is zero
is None (null), never zero.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

from domain.aging import AGING_BUCKETS, AgingBucket
from domain.summaries.snapshot import ISSUE_MONTHS, Snapshot, months_back

RATE_PLACES = Decimal("0.0001")
PERCENT_PLACES = Decimal("0.01")
ROLL_FROM: tuple[AgingBucket, ...] = AGING_BUCKETS[:-1]
"""Roll rates exist for every bucket but the last (it rolls nowhere)."""


class Granularity(StrEnum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


def periods(first: date, last: date, granularity: Granularity) -> list[tuple[date, date]]:
    """Calendar periods covering [first, last]: days, ISO weeks (Monday–Sunday) or months, the first
    and last clipped to the range."""
    out: list[tuple[date, date]] = []
    start = first
    while start <= last:
        if granularity is Granularity.DAY:
            end = start
        elif granularity is Granularity.WEEK:
            end = start + timedelta(days=6 - start.weekday())
        else:
            end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        end = min(end, last)
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def ratio(numerator: Decimal, denominator: Decimal, places: Decimal = RATE_PLACES) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(places, rounding=ROUND_HALF_EVEN)


def dso_countback(receivables: Decimal, issued_by_month: dict[str, Decimal], as_of: date) -> Decimal:
    """Days sales outstanding, countback method: starting with the month of `as_of` (its days up to
    `as_of`) and going back month by month, subtract each month's billing from the receivables and
    count its days, until a month's billing covers what is left; that month counts the fraction
    left / billing of its days. Months without billing count whole. At most ISSUE_MONTHS months."""
    remaining, days = receivables, Decimal(0)
    for i, key in enumerate(months_back(as_of, ISSUE_MONTHS)):
        if remaining <= 0:
            break
        year, month = int(key[:4]), int(key[5:])
        month_days = Decimal(as_of.day if i == 0 else calendar.monthrange(year, month)[1])
        billed = issued_by_month.get(key, Decimal(0))
        if billed > 0 and remaining <= billed:
            days += month_days * remaining / billed
            remaining = Decimal(0)
        else:
            days += month_days
            remaining -= billed
    return days.quantize(PERCENT_PLACES, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class CurrencyKpis:
    """One period's KPIs in one currency."""

    currency: str
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    closing_current: Decimal | None = None
    closing_overdue: Decimal | None = None
    billed: Decimal | None = None
    collected: Decimal | None = None
    due_in_period: Decimal | None = None
    dso: Decimal | None = None
    cei: Decimal | None = None
    recovery_rate: Decimal | None = None
    delinquency_rate: Decimal | None = None
    roll_rates: dict[AgingBucket, Decimal | None] = field(default_factory=dict)


def currency_kpis(
    currency: str,
    last: date,
    opening: Snapshot | None,
    closing: Snapshot | None,
    within: list[Snapshot],
) -> CurrencyKpis:
    """KPIs of the period ending `last`, from its opening and closing snapshots and the snapshots
    taken after the opening up to the closing one (`within`, for the roll rates)."""
    closing_values: dict[str, Decimal | None] = {}
    if closing is not None:
        balance = closing.figures.balance
        closing_values = {
            "closing_balance": balance,
            "closing_current": closing.aging[AgingBucket.CURRENT],
            "closing_overdue": closing.overdue,
            "dso": dso_countback(balance, closing.issued_by_month, last),
            "delinquency_rate": ratio(closing.overdue, balance),
        }
    if opening is None:
        return CurrencyKpis(currency=currency, **closing_values)  # type: ignore[arg-type]
    rolled = {b: sum((s.rolled[b] for s in within), Decimal(0)) for b in ROLL_FROM}
    roll_rates = {b: ratio(rolled[b], opening.aging[b]) for b in ROLL_FROM}
    if closing is None:
        return CurrencyKpis(currency=currency, opening_balance=opening.figures.balance, roll_rates=roll_rates)
    o, c = opening.figures, closing.figures
    billed = (c.original - o.original) + (c.fees - o.fees)
    collected = c.collected - o.collected
    due = opening.overdue + (closing.due_to_date - opening.due_to_date)
    collectible = o.balance + billed - closing.aging[AgingBucket.CURRENT]
    cei = ratio((o.balance + billed - c.balance) * 100, collectible, PERCENT_PLACES)
    return CurrencyKpis(
        currency=currency,
        opening_balance=o.balance,
        billed=billed,
        collected=collected,
        due_in_period=due,
        cei=cei,
        recovery_rate=ratio(collected, due),
        roll_rates=roll_rates,
        **closing_values,
    )
