"""GraphQL inputs of payment plans."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.plans.types import PaymentPlanFrequency, PaymentPlanStatus


@strawberry.input(description="A payment plan; an agent may make one only for its own debtors.")
class PaymentPlanCreateInput:
    debtor_id: strawberry.ID
    debt_ids: list[strawberry.ID] = strawberry.field(description="The covered debts (open, one currency).")
    down_payment: str | None = strawberry.field(
        default=None, description='Decimal string due today (debtor-local), e.g. "100.00"; default none.'
    )
    instalments: int = strawberry.field(description="How many instalments split the rest (tenant maximum).")
    frequency: PaymentPlanFrequency  # type: ignore[valid-type]
    first_due_date: date = strawberry.field(
        description="Debtor-local day, from today to the tenant's horizon."
    )
    idempotency_key: str = strawberry.field(
        description="Required. A retry with the same key creates nothing."
    )
    note: str | None = None


@strawberry.input
class PaymentPlanCancelInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input(description="Which payment plans to list.")
class PaymentPlanFilter:
    status: PaymentPlanStatus | None = None  # type: ignore[valid-type]
    debtor_id: strawberry.ID | None = strawberry.field(
        default=None, description="One debtor's, newest first."
    )
    portfolio_id: strawberry.ID | None = None
    agent_id: str | None = None


@strawberry.input(description="Only the given fields change.")
class PaymentPlanSettingsUpdateInput:
    grace_days: int | None = None
    max_instalments: int | None = None
    max_first_due_days: int | None = None
