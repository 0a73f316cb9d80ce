"""Live aggregates of debts: what one debt contributes to its portfolio's and its tenant's figures.

Every figure is a sum over debts, per scope (one portfolio, or the whole tenant) and per currency, so
a change of one debt moves the aggregates by `contribution(new) - contribution(old)`. Whoever writes
debts (the ledger's transactions, a bulk importer) applies those deltas; nothing here depends on the
day, so these figures stay exact without any scheduled work. Day-dependent figures (overdue, aging,
debtors) come from the nightly snapshot (`domain.summaries.snapshot`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import Decimal

from domain.entities import Debt, DebtState

TENANT_SCOPE = "ALL"
"""The scope of the whole tenant; a portfolio's scope is `PF#<portfolio id>`."""


def portfolio_scope(portfolio_id: str) -> str:
    return f"PF#{portfolio_id}"


def scope_of(portfolio_id: str | None) -> str:
    return portfolio_scope(portfolio_id) if portfolio_id else TENANT_SCOPE


@dataclass(frozen=True)
class Figures:
    """Sums over the debts of one scope in one currency (counts are plain integers)."""

    debts: int = 0
    """Every debt, whatever its state."""
    open_debts: int = 0
    """Debts with an undisputed balance to collect (state OPEN)."""
    disputed_debts: int = 0
    original: Decimal = Decimal(0)
    """Original amounts of every debt (what was billed)."""
    balance: Decimal = Decimal(0)
    """Outstanding balance: OPEN and DISPUTED debts (written-off and paid debts count zero)."""
    disputed: Decimal = Decimal(0)
    """The part of `balance` under dispute."""
    collected: Decimal = Decimal(0)
    """Payments applied to the debts, net of reversals (cumulative)."""
    credited: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    written_off: Decimal = Decimal(0)
    """Balance of written-off debts."""

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def __sub__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})

    def is_zero(self) -> bool:
        return all(not getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int | Decimal]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


FIGURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Figures))
COUNT_NAMES: frozenset[str] = frozenset({"debts", "open_debts", "disputed_debts"})


def figures_of(debt: Debt) -> Figures:
    """What one debt adds to the sums of its scopes."""
    state = debt.state
    outstanding = debt.balance if state in (DebtState.OPEN, DebtState.DISPUTED) else Decimal(0)
    return Figures(
        debts=1,
        open_debts=1 if state is DebtState.OPEN else 0,
        disputed_debts=1 if state is DebtState.DISPUTED else 0,
        original=debt.original_amount,
        balance=outstanding,
        disputed=outstanding if state is DebtState.DISPUTED else Decimal(0),
        collected=debt.paid_total,
        credited=debt.credit_total,
        fees=debt.fee_total,
        written_off=debt.balance if state is DebtState.WRITTEN_OFF else Decimal(0),
    )


@dataclass(frozen=True)
class AggregateDelta:
    """A change of the sums of one scope in one currency."""

    scope: str
    currency: str
    figures: Figures


def _contributions(debt: Debt | None) -> dict[tuple[str, str], Figures]:
    if debt is None:
        return {}
    figures = figures_of(debt)
    return {
        (portfolio_scope(debt.portfolio_id), debt.currency): figures,
        (TENANT_SCOPE, debt.currency): figures,
    }


def debt_deltas(old: Debt | None, new: Debt | None) -> list[AggregateDelta]:
    """The aggregate changes of writing `new` over `old` (None: the debt did not / does not exist).

    A debt moved to another portfolio (or currency) leaves the old scope and enters the new one.
    """
    before, after = _contributions(old), _contributions(new)
    deltas: list[AggregateDelta] = []
    for key in dict.fromkeys([*before, *after]):
        change = after.get(key, Figures()) - before.get(key, Figures())
        if not change.is_zero():
            deltas.append(AggregateDelta(key[0], key[1], change))
    return deltas


def merge_deltas(deltas: Iterable[AggregateDelta]) -> list[AggregateDelta]:
    """One delta per (scope, currency), in first-seen order; zero sums are dropped."""
    merged: dict[tuple[str, str], Figures] = {}
    for delta in deltas:
        key = (delta.scope, delta.currency)
        merged[key] = merged.get(key, Figures()) + delta.figures
    return [AggregateDelta(s, c, f) for (s, c), f in merged.items() if not f.is_zero()]
