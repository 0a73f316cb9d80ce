"""Aging buckets of a receivable: how many days past its due date it is on a given day."""

from __future__ import annotations

from datetime import date
from enum import StrEnum


class AgingBucket(StrEnum):
    """Days past due: CURRENT (not yet due), 1–30, 31–60, 61–90, 91–120, more than 120."""

    CURRENT = "CURRENT"
    D1_30 = "D1_30"
    D31_60 = "D31_60"
    D61_90 = "D61_90"
    D91_120 = "D91_120"
    D120_PLUS = "D120_PLUS"


BUCKETS: tuple[AgingBucket, ...] = tuple(AgingBucket)
"""In aging order: each bucket rolls into the next."""

_UPPER: tuple[tuple[int, AgingBucket], ...] = (
    (0, AgingBucket.CURRENT),
    (30, AgingBucket.D1_30),
    (60, AgingBucket.D31_60),
    (90, AgingBucket.D61_90),
    (120, AgingBucket.D91_120),
)


def days_past_due(due_date: date, as_of_date: date) -> int:
    """Whole days since the due date; zero on or before it."""
    return max(0, (as_of_date - due_date).days)


def bucket_of(due_date: date, as_of_date: date) -> AgingBucket:
    """The bucket of a receivable due on `due_date`, seen on `as_of_date`."""
    dpd = days_past_due(due_date, as_of_date)
    for upper, bucket in _UPPER:
        if dpd <= upper:
            return bucket
    return AgingBucket.D120_PLUS
