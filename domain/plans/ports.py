"""What the plan use cases need from storage, and the hook other features listen on.

Plans are written through the ledger's `Transaction` (with the debts they hold or release, their
claims, audit entries and outbox events, atomically); this port holds their reads and the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from domain.plans.model import PaymentPlan, PlanSettings, PlanStatus
from domain.ports import Page, PageRequest


@dataclass(frozen=True)
class PlanQuery:
    """A plan listing: a debtor's (its partition) or the tenant's by status and next due date."""

    status: PlanStatus | None = None
    debtor_id: str | None = None
    portfolio_id: str | None = None
    agent_id: str | None = None
    due_to: date | None = None
    """ACTIVE plans whose first unpaid instalment is due on or before this day (the sweep)."""


class PlanRepository(Protocol):
    def get_plan(self, tenant: str, debtor_id: str, plan_id: str) -> PaymentPlan | None:
        """Strongly consistent."""
        ...

    def get_plans(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], PaymentPlan]:
        """By (debtor id, plan id), one BatchGetItem (`Debt.paymentPlan`)."""
        ...

    def plans_of_debtor(
        self, tenant: str, debtor_id: str, page: PageRequest, consistent: bool = False
    ) -> Page[PaymentPlan]:
        """A debtor's plans, newest first."""
        ...

    def list_plans(self, tenant: str, query: PlanQuery, page: PageRequest) -> Page[PaymentPlan]:
        """By status and next due date (or a debtor's, newest first), one Query per page."""
        ...

    def get_settings(self, tenant: str) -> PlanSettings: ...

    def save_settings(self, tenant: str, settings: PlanSettings, expected_version: int) -> None:
        """Conditional put on `version` (0 = first); raises ConcurrencyConflict."""
        ...


class PlanChange(StrEnum):
    CREATED = "CREATED"
    PAID = "PAID"
    """A payment moved the paid amount (the plan stays ACTIVE)."""
    COMPLETED = "COMPLETED"
    BROKEN = "BROKEN"
    CANCELLED = "CANCELLED"


class PlanObserver(Protocol):
    """Told after a plan change is committed; at least once (listeners must be idempotent)."""

    def plan_changed(self, plan: PaymentPlan, change: PlanChange) -> None: ...


class NoPlanObserver:
    def plan_changed(self, plan: PaymentPlan, change: PlanChange) -> None:
        return None
