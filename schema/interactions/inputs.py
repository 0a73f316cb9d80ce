"""GraphQL inputs of interactions."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.policy import Direction
from schema.interactions.types import ContactDirection, InteractionChannel, InteractionOutcome


@strawberry.input(description="A contact attempt and its outcome, as the agent's phone recorded it.")
class InteractionLogInput:
    debtor_id: strawberry.ID
    channel: InteractionChannel  # type: ignore[valid-type]
    outcome: InteractionOutcome  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(
        description=(
            "When it happened, with its offset: at most 5 minutes ahead of the server, at most 30 days ago."
        )
    )
    idempotency_key: str = strawberry.field(
        description=(
            "Chosen by the client, one per interaction: a retry with the same key and request returns the "
            "same interaction with `replayed: true` and writes nothing; with another request, "
            "IDEMPOTENCY_KEY_REUSED."
        )
    )
    direction: ContactDirection = Direction.OUTBOUND  # type: ignore[valid-type]
    debt_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="The debts talked about (required for DISPUTE: a dispute opens on each OPEN one).",
    )
    note: str | None = strawberry.field(default=None, description="Free text (DISPUTE: the debtor's reason).")
    callback_at: datetime | None = strawberry.field(
        default=None, description="Required for CALLBACK: when to call back (future, at most 90 days ahead)."
    )
    address: str | None = strawberry.field(
        default=None,
        description=(
            "The phone or e-mail used. WRONG_NUMBER marks it INVALID on the debtor (reminders stop using "
            "it); required then when the debtor has several numbers for the channel."
        ),
    )


@strawberry.input(
    description=(
        "Which interactions to list. Served by one query on the most selective of: debtorId, violations, "
        "agentId, outcome (else the tenant's list); the rest filter it. Agents see a debtor assigned to "
        "them, or else the interactions they logged."
    )
)
class InteractionFilter:
    debtor_id: strawberry.ID | None = None
    agent_id: str | None = None
    channel: InteractionChannel | None = None  # type: ignore[valid-type]
    outcome: InteractionOutcome | None = None  # type: ignore[valid-type]
    from_: datetime | None = strawberry.field(default=None, name="from", description="occurredAt ≥ from.")
    to: datetime | None = strawberry.field(default=None, description="occurredAt ≤ to.")
    violations: bool | None = strawberry.field(
        default=None, description="true: only outbound contacts the contact policy did not allow."
    )
