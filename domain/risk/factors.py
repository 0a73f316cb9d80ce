"""An explainable score is a list of factors: what was measured, its weight, the points it gave."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Factor:
    name: str
    value: Decimal
    """The measured input (days, a share, a count, 0/1), never money summed across currencies."""
    weight: int
    """The most points this factor can give."""
    points: int
    """What it gave: `weight × normalised value`, rounded half up."""


def factor(name: str, value: Decimal, weight: int, normalised: Decimal) -> Factor:
    share = min(max(normalised, Decimal(0)), Decimal(1))
    points = int((share * weight).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Factor(name, value, weight, points)


def capped(value: Decimal, cap: Decimal) -> Decimal:
    """`value / cap`, at most 1 (a share of the factor's full weight)."""
    return min(value / cap, Decimal(1)) if cap > 0 else Decimal(0)
