"""Aging buckets: boundaries on the tenant's calendar day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.aging import AGING_BUCKETS, AgingBucket, bucket_label, bucket_of, days_past_due

AS_OF = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-10, AgingBucket.CURRENT),
        (0, AgingBucket.CURRENT),
        (1, AgingBucket.D1_30),
        (30, AgingBucket.D1_30),
        (31, AgingBucket.D31_60),
        (60, AgingBucket.D31_60),
        (61, AgingBucket.D61_90),
        (90, AgingBucket.D61_90),
        (91, AgingBucket.D91_120),
        (120, AgingBucket.D91_120),
        (121, AgingBucket.D120_PLUS),
        (4000, AgingBucket.D120_PLUS),
    ],
)
def test_bucket_boundaries(days_late: int, bucket: AgingBucket) -> None:
    due = AS_OF - timedelta(days=days_late)
    assert bucket_of(due, AS_OF) is bucket
    assert days_past_due(due, AS_OF) == max(0, days_late)


def test_buckets_are_in_report_order_with_labels_in_both_languages() -> None:
    assert [b.value for b in AGING_BUCKETS] == [
        "CURRENT",
        "D1_30",
        "D31_60",
        "D61_90",
        "D91_120",
        "D120_PLUS",
    ]
    assert bucket_label(AgingBucket.D120_PLUS) == "Over 120 days"
    assert bucket_label(AgingBucket.CURRENT, "es") == "Al día"
