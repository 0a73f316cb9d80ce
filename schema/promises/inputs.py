"""GraphQL inputs of promises to pay."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from schema.common import DecimalInput
from schema.promises.types import PromiseStatus
from schema.types import Channel


@strawberry.input(description="A promise to pay; an agent may take one only for its own debtors.")
class PromiseCreateInput:
    debtor_id: strawberry.ID
    debt_ids: list[strawberry.ID] = strawberry.field(description="The promised debts (same currency, open).")
    amount: DecimalInput
    currency: str
    promised_date: date = strawberry.field(
        description="Debtor-local day, from today to the tenant's horizon."
    )
    channel: Channel = strawberry.field(description="Where it was taken.")  # type: ignore[valid-type]
    idempotency_key: str = strawberry.field(
        description="Required; made by the phone. A retry with the same key creates nothing."
    )
    recorded_at: datetime | None = strawberry.field(
        default=None, description="The device's clock when taken offline (at most 7 days ago); default now."
    )
    note: str | None = None


@strawberry.input(description="Promises a phone took offline, uploaded together.")
class PromisesSyncInput:
    items: list[PromiseCreateInput] = strawberry.field(description="At most 50; each gets its own result.")


@strawberry.input
class PromiseCancelInput:
    id: strawberry.ID
    reason: str | None = None


@strawberry.input(description="Which promises to list.")
class PromiseFilter:
    status: PromiseStatus | None = None  # type: ignore[valid-type]
    due_from: date | None = strawberry.field(default=None, description="Promised date from (inclusive).")
    due_to: date | None = strawberry.field(default=None, description="Promised date to (inclusive).")
    agent_id: str | None = None
    portfolio_id: strawberry.ID | None = None


@strawberry.input(description="Only the given fields change.")
class PromiseSettingsUpdateInput:
    horizon_days: int | None = None
    grace_days: int | None = None
    broken_threshold: int | None = None
    broken_window_days: int | None = None
