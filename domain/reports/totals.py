"""Running totals kept while rows stream by: per currency, never summed across currencies."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from domain.aging import AGING_BUCKETS, AgingBucket


@dataclass
class Sums:
    count: int = 0
    amounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def add(self, **amounts: Decimal) -> None:
        self.count += 1
        for name, value in amounts.items():
            self.amounts[name] += value


class CurrencyTotals:
    """Count and named sums per currency (sorted by currency when read)."""

    def __init__(self) -> None:
        self._by_currency: dict[str, Sums] = defaultdict(Sums)

    def add(self, currency: str, **amounts: Decimal) -> None:
        self._by_currency[currency].add(**amounts)

    def items(self) -> list[tuple[str, Sums]]:
        return sorted(self._by_currency.items())


class AgingTotals:
    """Count and balance per currency and aging bucket."""

    def __init__(self) -> None:
        self._cells: dict[str, dict[AgingBucket, Sums]] = defaultdict(lambda: defaultdict(Sums))

    def add(self, currency: str, bucket: AgingBucket, balance: Decimal) -> None:
        self._cells[currency][bucket].add(balance=balance)

    def currencies(self) -> list[str]:
        return sorted(self._cells)

    def of(self, currency: str) -> list[tuple[AgingBucket, int, Decimal]]:
        """Every bucket in order, empty ones included (the chart keeps its six bars)."""
        cells = self._cells.get(currency, {})
        out = []
        for bucket in AGING_BUCKETS:
            sums = cells.get(bucket)
            out.append((bucket, sums.count if sums else 0, sums.amounts["balance"] if sums else Decimal(0)))
        return out
