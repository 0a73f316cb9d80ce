"""Aging buckets: how far past due a balance is, on a given day in the tenant's calendar.

Defined once here for every report and dashboard (exports, summaries). `as_of_date` is the calendar
day in the tenant's time zone; callers turn the Clock's instant into it with `domain.clock.local_date`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class AgingBucket(StrEnum):
    CURRENT = "CURRENT"
    """Not yet due, or due on the day asked."""
    D1_30 = "D1_30"
    D31_60 = "D31_60"
    D61_90 = "D61_90"
    D91_120 = "D91_120"
    D120_PLUS = "D120_PLUS"


AGING_BUCKETS: tuple[AgingBucket, ...] = tuple(AgingBucket)
"""In report order, youngest first."""

_UPPER_DAYS: tuple[tuple[int, AgingBucket], ...] = (
    (0, AgingBucket.CURRENT),
    (30, AgingBucket.D1_30),
    (60, AgingBucket.D31_60),
    (90, AgingBucket.D61_90),
    (120, AgingBucket.D91_120),
)

BUCKET_LABELS: dict[str, dict[AgingBucket, str]] = {
    "en": {
        AgingBucket.CURRENT: "Current",
        AgingBucket.D1_30: "1-30 days",
        AgingBucket.D31_60: "31-60 days",
        AgingBucket.D61_90: "61-90 days",
        AgingBucket.D91_120: "91-120 days",
        AgingBucket.D120_PLUS: "Over 120 days",
    },
    "es": {
        AgingBucket.CURRENT: "Al día",
        AgingBucket.D1_30: "1-30 días",
        AgingBucket.D31_60: "31-60 días",
        AgingBucket.D61_90: "61-90 días",
        AgingBucket.D91_120: "91-120 días",
        AgingBucket.D120_PLUS: "Más de 120 días",
    },
}


def days_past_due(due_date: date, as_of_date: date) -> int:
    """Whole days since the due date; zero on or before it."""
    return max(0, (as_of_date - due_date).days)


def bucket_of(due_date: date, as_of_date: date) -> AgingBucket:
    """The bucket of a balance due on `due_date`, seen on `as_of_date`."""
    days = days_past_due(due_date, as_of_date)
    for upper, bucket in _UPPER_DAYS:
        if days <= upper:
            return bucket
    return AgingBucket.D120_PLUS


def bucket_label(bucket: AgingBucket, locale: str = "en") -> str:
    return BUCKET_LABELS.get(locale, BUCKET_LABELS["en"])[bucket]
