"""GraphQL types of agents, work queues and risk scores."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from domain.agents.model import Agent as DomainAgent
from domain.entities import Debtor as DomainDebtor
from domain.queues.model import Priority as DomainPriority
from domain.queues.model import QueueEntry as DomainQueueEntry
from domain.risk.factors import Factor
from domain.risk.score import RiskBand as DomainRiskBand
from domain.risk.score import RiskScore as DomainRiskScore
from schema.campaigns.types import ContactDecision

if TYPE_CHECKING:
    from schema.types import DebtorNode

RiskBand = strawberry.enum(DomainRiskBand, description="LOW 0–299, MEDIUM 300–599, HIGH 600–1000.")


@strawberry.type(description="One input of an explainable score: what was measured and what it gave.")
class ScoreFactor:
    name: str
    value: str = strawberry.field(
        description="The measured input as a decimal (days, a share, a count, 0/1)."
    )
    weight: int = strawberry.field(description="The most points this factor can give.")
    points: int = strawberry.field(description="The points it gave to the score.")

    @classmethod
    def of(cls, f: Factor) -> ScoreFactor:
        return cls(name=f.name, value=str(f.value), weight=f.weight, points=f.points)


@strawberry.type(
    description="A debtor's risk of not paying, 0–1000 (higher is riskier), from its payment behaviour."
)
class RiskScore:
    score: int
    band: RiskBand  # type: ignore[valid-type]
    factors: list[ScoreFactor]
    computed_at: datetime

    @classmethod
    def of(cls, r: DomainRiskScore) -> RiskScore:
        return cls(
            score=r.score,
            band=r.band,
            factors=[ScoreFactor.of(f) for f in r.factors],
            computed_at=r.computed_at,
        )


@strawberry.type(
    description="Why an entry sits where it does in a work queue: the sum of its factors' points."
)
class Priority:
    score: int
    factors: list[ScoreFactor]

    @classmethod
    def of(cls, p: DomainPriority) -> Priority:
        return cls(score=p.score, factors=[ScoreFactor.of(f) for f in p.factors])


@strawberry.type(description="A member of the tenant's collections team.")
class Agent:
    id: str = strawberry.field(description="The agent id: the `agent_id` claim of the agent's tokens.")
    name: str
    email: str | None
    phone: str | None = strawberry.field(description="E.164.")
    active: bool = strawberry.field(description="Inactive agents keep their debtors but get no new ones.")
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, a: DomainAgent) -> Agent:
        return cls(
            id=a.id,
            name=a.name,
            email=a.email,
            phone=a.phone,
            active=a.active,
            created_at=a.created_at,
            updated_at=a.updated_at,
        )


@strawberry.type(
    description="A debtor in an agent's work queue, with why it is there and whether to call now."
)
class QueueEntry:
    priority: Priority
    contact: ContactDecision | None = strawberry.field(
        description="May the agent call now (channel CALL): SEND, DEFER until, or BLOCK with the rule."
    )
    _debtor_id: strawberry.Private[str]
    _debtor: strawberry.Private[DomainDebtor | None]

    @classmethod
    def of(cls, e: DomainQueueEntry) -> QueueEntry:
        return cls(
            priority=Priority.of(e.priority),
            contact=ContactDecision.of(e.contact) if e.contact else None,
            _debtor_id=e.debtor_id,
            _debtor=e.debtor,
        )

    @strawberry.field(description="The debtor.")
    async def debtor(
        self, info: strawberry.Info
    ) -> Annotated[DebtorNode, strawberry.lazy("schema.types")] | None:
        from schema.types import DebtorNode

        found = self._debtor or await info.context.loaders.debtor.load(self._debtor_id)
        return DebtorNode.of(found) if found else None
