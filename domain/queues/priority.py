"""Queue priority: 0–1000 points, explainable, in two parts.

The **base** part is stored on the debtor's queue entry and keyed in the agent's queue index, so a
page of the queue is one Query. It is refreshed after every ledger change, promise or interaction,
and nightly (days past due and contact recency grow with time):

| factor | value | weight | full weight at |
|---|---|---|---|
| `overdueBalance` | the largest overdue balance of one currency, major units | 200 | 10^6 (log scale) |
| `daysPastDue` | the oldest open debt's days past due | 200 | 90 days |
| `riskBand` | LOW 0, MEDIUM 0.5, HIGH 1 | 150 | HIGH |
| `promiseBrokenRecently` | a promise broken in the last 14 days (0/1) | 100 | 1 |
| `lastContactRecency` | days since the last contact (never: 7) | 50 | 7 days |

The **time-dependent** part is added when the queue is read, for a bounded candidate set:

| factor | value | weight |
|---|---|---|
| `callbackDue` | a callback the agent scheduled is due now (0/1) | 200 |
| `promiseDueToday` | a promise to pay falls due today, debtor-local (0/1) | 100 |
| `contactAllowedNow` | the contact policy allows a call now (0/1) | 0: reported, not ranked |

`contactAllowedNow` is shown but does not move an entry: at one instant office hours are the same for
most of an agent's debtors, and ranking by it would make page boundaries depend on every debtor's
contact history (one Query each). The agent sees it on every entry and skips the ones it cannot call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.clock import local_date
from domain.money import quantum
from domain.queues.model import Priority, WorkState
from domain.risk.factors import Factor, capped, factor
from domain.risk.score import RiskBand

BASE_MAX = 700
BROKEN_RECENTLY_DAYS = 14
_BAND_SHARE = {RiskBand.LOW: Decimal(0), RiskBand.MEDIUM: Decimal("0.5"), RiskBand.HIGH: Decimal(1)}


def day_start(day: date, time_zone: str) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(time_zone))


def _largest_overdue(overdue: Mapping[str, Decimal]) -> Decimal:
    """In major units, per currency, the largest (never a sum across currencies)."""
    return max(overdue.values(), default=Decimal(0))


def _log_share(amount: Decimal) -> Decimal:
    if amount <= 0:
        return Decimal(0)
    return min(((1 + amount).log10() / 6).quantize(Decimal("0.0001")), Decimal(1))


def base_priority(state: WorkState, now: datetime) -> Priority:
    """The stored part of the priority (see the module docs)."""
    largest = _largest_overdue(state.overdue)
    dpd = Decimal(max(state.days_past_due, 0))
    band = state.risk.band if state.risk else RiskBand.LOW
    recent = now - timedelta(days=BROKEN_RECENTLY_DAYS)
    broken = Decimal(1 if any(at >= recent for at in state.broken_at) else 0)
    if state.last_contact_at is None:
        since = Decimal(7)
    else:
        since = Decimal(max((now - state.last_contact_at).days, 0))
    factors = (
        factor("overdueBalance", largest, 200, _log_share(largest)),
        factor("daysPastDue", dpd, 200, capped(dpd, Decimal(90))),
        factor("riskBand", _BAND_SHARE[band], 150, _BAND_SHARE[band]),
        factor("promiseBrokenRecently", broken, 100, broken),
        factor("lastContactRecency", min(since, Decimal(7)), 50, capped(since, Decimal(7))),
    )
    return Priority(min(sum(f.points for f in factors), BASE_MAX), factors)


def full_priority(state: WorkState, now: datetime, contact_allowed: bool | None = None) -> Priority:
    """The base priority plus the factors that depend on the instant of reading."""
    base = state.priority or base_priority(state, now)
    today = local_date(now, state.time_zone)
    callback = Decimal(1 if state.callback_at is not None and state.callback_at <= now else 0)
    promise = Decimal(1 if any(day == today for day in state.promises.values()) else 0)
    extra: list[Factor] = [
        factor("callbackDue", callback, 200, callback),
        factor("promiseDueToday", promise, 100, promise),
    ]
    if contact_allowed is not None:
        allowed = Decimal(1 if contact_allowed else 0)
        extra.append(Factor("contactAllowedNow", allowed, 0, 0))
    return Priority(base.score + sum(f.points for f in extra), (*base.factors, *extra))


def overdue_balances(balances: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Overdue balances per currency, kept to each currency's minor units."""
    return {cur: amount.quantize(quantum(cur)) for cur, amount in balances.items() if amount > 0}
