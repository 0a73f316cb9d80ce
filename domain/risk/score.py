"""The risk score: 0–1000 (higher is riskier) from a debtor's payment behaviour, with its factors.

| factor | value | weight | full at |
|---|---|---|---|
| `lateHistory` | share of past (paid) debts paid after their due date (none: 0.5) | 250 | all late |
| `averageDaysLate` | mean days late over past debts | 150 | 60 days |
| `brokenPromises` | promises to pay broken in the last 90 days | 200 | 3 |
| `daysPastDue` | the oldest open debt's days past due today | 250 | 120 days |
| `outstandingShare` | open balance ÷ open debts' amount (per currency, the highest) | 150 | 1 |

Bands: LOW 0–299, MEDIUM 300–599, HIGH 600–1000. Balances are compared as shares within one currency
so no amount is ever summed across currencies, and a small and a large debtor are judged alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.clock import local_date
from domain.entities import Debt, DebtState, Payment
from domain.risk.factors import Factor, capped, factor

BROKEN_PROMISE_WINDOW_DAYS = 90


class RiskBand(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


BANDS: tuple[tuple[int, RiskBand], ...] = ((600, RiskBand.HIGH), (300, RiskBand.MEDIUM), (0, RiskBand.LOW))
"""Lowest score of each band, highest band first."""


@dataclass(frozen=True)
class RiskScore:
    score: int
    band: RiskBand
    factors: tuple[Factor, ...]
    computed_at: datetime


def band_of(score: int) -> RiskBand:
    return next(band for floor, band in BANDS if score >= floor)


def _paid_day(debt: Debt, payments: Sequence[Payment], time_zone: str) -> date | None:
    """The debtor-local day of the last live payment allocated to the debt (None: paid by credits)."""
    days = [
        local_date(p.paid_at, time_zone)
        for p in payments
        if not p.reversed and any(a.debt_id == debt.id and a.amount > 0 for a in p.allocations)
    ]
    return max(days) if days else None


def _outstanding_share(open_debts: Sequence[Debt]) -> Decimal:
    by_currency: dict[str, tuple[Decimal, Decimal]] = {}
    for d in open_debts:
        owed, original = by_currency.get(d.currency, (Decimal(0), Decimal(0)))
        by_currency[d.currency] = (owed + d.balance, original + d.original_amount + d.fee_total)
    shares = [owed / original for owed, original in by_currency.values() if original > 0]
    return min(max(shares, default=Decimal(0)), Decimal(1))


def risk_score(
    debts: Sequence[Debt],
    payments: Sequence[Payment],
    broken_promises: int,
    now: datetime,
    time_zone: str,
) -> RiskScore:
    """Score a debtor from its debts, payments and the promises it broke in the last 90 days."""
    today = local_date(now, time_zone)
    past = [d for d in debts if d.state is DebtState.PAID and not d.written_off]
    late_days: list[int] = []
    for d in past:
        paid = _paid_day(d, payments, time_zone)
        late_days.append(max((paid - d.due_date).days, 0) if paid else 0)
    if late_days:
        late_share = Decimal(sum(1 for n in late_days if n > 0)) / len(late_days)
        average_late = (Decimal(sum(late_days)) / len(late_days)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    else:
        late_share, average_late = Decimal("0.5"), Decimal(0)
    open_debts = [d for d in debts if d.state is DebtState.OPEN]
    dpd = max(((today - d.due_date).days for d in open_debts), default=0)
    dpd = max(dpd, 0)
    share = _outstanding_share(open_debts).quantize(Decimal("0.01"), ROUND_HALF_UP)
    broken = Decimal(max(broken_promises, 0))
    factors = (
        factor("lateHistory", late_share.quantize(Decimal("0.01"), ROUND_HALF_UP), 250, late_share),
        factor("averageDaysLate", average_late, 150, capped(average_late, Decimal(60))),
        factor("brokenPromises", broken, 200, capped(broken, Decimal(3))),
        factor("daysPastDue", Decimal(dpd), 250, capped(Decimal(dpd), Decimal(120))),
        factor("outstandingShare", share, 150, share),
    )
    score = min(sum(f.points for f in factors), 1000)
    return RiskScore(score, band_of(score), factors, now)
