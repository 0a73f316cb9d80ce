"""GraphQL types of promises to pay."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.promises import model as pm
from domain.promises.service import SyncOutcome as DomainSyncOutcome
from schema.common import Money, Node, UserError, encode_id
from schema.types import Channel, DebtNode, DebtorNode, debts_of, visible_debtor

PromiseStatus = strawberry.enum(
    pm.PromiseStatus, description="PENDING until paid (KEPT) or judged after the grace days; or CANCELLED."
)
PromiseSyncOutcome = strawberry.enum(
    DomainSyncOutcome,
    name="PromiseSyncOutcome",
    description="CREATED, EXISTING (the key was already used: nothing written) or FAILED (see errors).",
)


def promise_gid(p: pm.Promise) -> strawberry.ID:
    return encode_id("Promise", p.debtor_id, p.id)


@strawberry.type(name="Promise", description="A debtor's promise to pay some debts by a date.")
class PromiseNode(Node):
    amount: Money = strawberry.field(description="The promised amount.")
    kept_amount: Money = strawberry.field(
        description="Paid to the promised debts between taking the promise and its deadline."
    )
    promised_date: date = strawberry.field(
        description="The day (debtor-local) the debtor promised to pay by."
    )
    deadline: datetime = strawberry.field(
        description="When an unpaid promise is judged: the end of promisedDate + grace days, debtor-local."
    )
    status: PromiseStatus  # type: ignore[valid-type]
    channel: Channel = strawberry.field(description="Where it was taken (CALL, VISIT ...).")  # type: ignore[valid-type]
    note: str | None
    agent_id: str | None = strawberry.field(description="The agent who took it, or the debtor's agent.")
    created_by: str = strawberry.field(description="Who recorded it.")
    approved_by: str | None = strawberry.field(
        description="The supervisor who accepted it although the debtor had broken too many promises."
    )
    recorded_at: datetime | None = strawberry.field(description="The device's clock when it was taken.")
    created_at: datetime | None = strawberry.field(description="When the server received it.")
    closed_at: datetime | None = strawberry.field(description="When it was kept, judged or cancelled.")
    cancel_reason: str | None
    version: int
    _entity: strawberry.Private[pm.Promise]

    @classmethod
    def of(cls, p: pm.Promise) -> PromiseNode:
        return cls(
            id=promise_gid(p),
            amount=Money.of(p.amount, p.currency),
            kept_amount=Money.of(p.kept_amount, p.currency),
            promised_date=p.promised_date,
            deadline=p.deadline,
            status=p.status,
            channel=p.channel,
            note=p.note,
            agent_id=p.agent_id,
            created_by=p.created_by,
            approved_by=p.approved_by,
            recorded_at=p.recorded_at,
            created_at=p.created_at,
            closed_at=p.closed_at,
            cancel_reason=p.cancel_reason,
            version=p.version,
            _entity=p,
        )

    @strawberry.field(description="The debtor who promised.")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        return await visible_debtor(info, self._entity.debtor_id)

    @strawberry.field(description="The promised debts.")
    async def debts(self, info: strawberry.Info) -> list[DebtNode]:
        return await debts_of(info, self._entity.debtor_id, self._entity.debt_ids)


@strawberry.type(description="A tenant's promise rules.")
class PromiseSettings:
    horizon_days: int = strawberry.field(description="The promised date is at most this many days ahead.")
    grace_days: int = strawberry.field(description="Days after the promised date before it is judged.")
    broken_threshold: int = strawberry.field(
        description="Broken promises (in brokenWindowDays) after which a supervisor takes new ones; 0: off."
    )
    broken_window_days: int
    version: int

    @classmethod
    def of(cls, s: pm.PromiseSettings) -> PromiseSettings:
        return cls(
            horizon_days=s.horizon_days,
            grace_days=s.grace_days,
            broken_threshold=s.broken_threshold,
            broken_window_days=s.broken_window_days,
            version=s.version,
        )


@strawberry.type
class PromiseCreatePayload:
    promise: PromiseNode | None
    replayed: bool = strawberry.field(description="True when this idempotency key was already used.")
    errors: list[UserError]


@strawberry.type(description="What became of one promise of a sync batch.")
class PromiseSyncResult:
    idempotency_key: str
    outcome: PromiseSyncOutcome  # type: ignore[valid-type]
    promise: PromiseNode | None
    errors: list[UserError] = strawberry.field(description="Why it failed (fields are `items[n].…`).")


@strawberry.type
class PromisesSyncPayload:
    results: list[PromiseSyncResult] = strawberry.field(description="One per item, in order.")
    errors: list[UserError]


@strawberry.type
class PromiseCancelPayload:
    promise: PromiseNode | None
    errors: list[UserError]


@strawberry.type
class PromiseSettingsUpdatePayload:
    settings: PromiseSettings | None
    errors: list[UserError]
