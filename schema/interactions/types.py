"""GraphQL types of interactions and of the debtor timeline."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import entities as e
from domain.campaigns.model import Message as DomainMessage
from domain.interactions import model as m
from domain.interactions.timeline import TimelineEntry as DomainEntry
from domain.policy import AttemptKind, Direction
from schema.campaigns.types import ContactDecision, Message
from schema.common import Node, encode_id
from schema.types import Adjustment, DebtorNode, Dispute, PaymentNode, visible_debtor

InteractionChannel = strawberry.enum(
    m.InteractionChannel, description="How the contact was made (OTHER: logged, never counted by the policy)."
)
InteractionOutcome = strawberry.enum(
    m.InteractionOutcome,
    description=(
        "What came of it. NO_ANSWER, WRONG_NUMBER and LEFT_MESSAGE on a call or visit count as attempts; "
        "PROMISE, REFUSED, DISPUTE, PAID and CALLBACK as conversations (contacts on written channels)."
    ),
)
ContactDirection = strawberry.enum(
    Direction, name="ContactDirection", description="OUTBOUND: we contacted them; INBOUND: they contacted us."
)
ContactAttemptKind = strawberry.enum(
    AttemptKind,
    name="ContactAttemptKind",
    description="How the contact history counts it for the policy caps: ATTEMPT, CONTACT or CONVERSATION.",
)


def interaction_gid(i: m.Interaction) -> strawberry.ID:
    return encode_id("Interaction", i.ref)


@strawberry.type(
    name="Interaction",
    description=(
        "A contact attempt and its outcome (gestión), logged by an agent or a supervisor. It counts toward "
        "the contact-policy caps like an automatic message. An outbound contact the policy did not allow "
        "at `occurredAt` is still recorded — it happened — with `policyDecision` as proof and "
        "`violation: true`; supervisors list them with `interactions(filter: {violations: true})`."
    ),
)
class InteractionNode(Node):
    channel: InteractionChannel  # type: ignore[valid-type]
    direction: ContactDirection  # type: ignore[valid-type]
    outcome: InteractionOutcome  # type: ignore[valid-type]
    occurred_at: datetime = strawberry.field(description="When it happened (as the agent reported it).")
    recorded_at: datetime = strawberry.field(description="When the log reached the server.")
    callback_at: datetime | None = strawberry.field(description="When to call back (CALLBACK), UTC.")
    note: str | None
    address: str | None = strawberry.field(description="The phone (E.164) or e-mail used, when given.")
    logged_by: str = strawberry.field(description="The user who logged it.")
    agent_id: str | None = strawberry.field(description="The agent who logged it (null for supervisors).")
    counted_as: ContactAttemptKind = strawberry.field(  # type: ignore[valid-type]
        description="How the contact history counts it (null-free; OTHER channel: never counted)."
    )
    violation: bool = strawberry.field(
        description="Outbound, and the contact policy did not allow it at `occurredAt` (see policyDecision)."
    )
    policy_decision: ContactDecision | None = strawberry.field(
        description="The policy's decision at `occurredAt`, for outbound contacts on a policy channel."
    )
    idempotency_key: str
    _entity: strawberry.Private[m.Interaction]

    @classmethod
    def of(cls, i: m.Interaction) -> InteractionNode:
        v = i.verdict
        decision = (
            ContactDecision(
                outcome=v.outcome,
                until=v.until,
                rule_ids=list(v.rule_ids),
                policy_id=v.policy_id,
                policy_version=v.policy_version,
                reason=v.reason,
            )
            if v is not None
            else None
        )
        return cls(
            id=interaction_gid(i),
            channel=i.channel,
            direction=i.direction,
            outcome=i.outcome,
            occurred_at=i.occurred_at,
            recorded_at=i.recorded_at,
            callback_at=i.callback_at,
            note=i.note,
            address=i.address,
            logged_by=i.logged_by,
            agent_id=i.agent_id,
            counted_as=i.kind,
            violation=i.violation,
            policy_decision=decision,
            idempotency_key=i.idempotency_key,
            _entity=i,
        )

    @strawberry.field(description="The debtor's id.")
    def debtor_id(self) -> strawberry.ID:
        return encode_id("Debtor", self._entity.debtor_id)

    @strawberry.field(description="The debts it was about (empty: the debtor in general).")
    def debt_ids(self) -> list[strawberry.ID]:
        return [encode_id("Debt", self._entity.debtor_id, d) for d in self._entity.debt_ids]

    @strawberry.field(description="The debtor contacted.")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        return await visible_debtor(info, self._entity.debtor_id)


@strawberry.interface(
    description=(
        "One record of the debtor's history on the timeline. `kind` is INTERACTION, MESSAGE, PAYMENT, "
        "DISPUTE or ADJUSTMENT (PROMISE and PLAN as those features join); each kind has its typed entry."
    )
)
class TimelineEntry:
    at: datetime = strawberry.field(
        description="When it happened: an interaction's occurredAt; other records when they were recorded."
    )
    kind: str
    summary: str = strawberry.field(description="One line for a list view.")


@strawberry.type(description="An interaction on the timeline.")
class InteractionEntry(TimelineEntry):
    interaction: InteractionNode


@strawberry.type(description="A reminder message on the timeline (sent, blocked, skipped …).")
class MessageEntry(TimelineEntry):
    message: Message


@strawberry.type(description="A payment on the timeline (at the time it was recorded).")
class PaymentEntry(TimelineEntry):
    payment: PaymentNode


@strawberry.type(description="A dispute on the timeline (at the time it was opened).")
class DisputeEntry(TimelineEntry):
    dispute: Dispute
    debt_id: strawberry.ID = strawberry.field(description="The disputed debt.")


@strawberry.type(description="A credit note or fee on the timeline.")
class AdjustmentEntry(TimelineEntry):
    adjustment: Adjustment
    debt_id: strawberry.ID = strawberry.field(description="The adjusted debt.")


@strawberry.type(description="A record of a kind this API version has no typed entry for yet.")
class OtherEntry(TimelineEntry):
    pass


ENTRY_TYPES = [InteractionEntry, MessageEntry, PaymentEntry, DisputeEntry, AdjustmentEntry, OtherEntry]


def _debt_id(debtor_id: str, debt_id: str) -> strawberry.ID:
    return encode_id("Debt", debtor_id, debt_id)


def timeline_entry(x: DomainEntry) -> TimelineEntry:
    """The typed entry for a domain entry (unknown kinds become an OtherEntry, so a new source shows up
    before its GraphQL type exists)."""
    p = x.payload
    if isinstance(p, m.Interaction):
        return InteractionEntry(at=x.at, kind=x.kind, summary=x.summary, interaction=InteractionNode.of(p))
    if isinstance(p, DomainMessage):
        return MessageEntry(at=x.at, kind=x.kind, summary=x.summary, message=Message.of(p))
    if isinstance(p, e.Payment):
        return PaymentEntry(at=x.at, kind=x.kind, summary=x.summary, payment=PaymentNode.of(p))
    if isinstance(p, e.Dispute):
        return DisputeEntry(
            at=x.at,
            kind=x.kind,
            summary=x.summary,
            dispute=Dispute.of(p),
            debt_id=_debt_id(p.debtor_id, p.debt_id),
        )
    if isinstance(p, e.Adjustment):
        return AdjustmentEntry(
            at=x.at,
            kind=x.kind,
            summary=x.summary,
            adjustment=Adjustment.of(p),
            debt_id=_debt_id(p.debtor_id, p.debt_id),
        )
    return OtherEntry(at=x.at, kind=x.kind, summary=x.summary)
