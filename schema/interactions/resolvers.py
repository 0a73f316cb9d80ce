"""Queries and mutations of interactions (composed into the root schema)."""

from __future__ import annotations

import strawberry

from domain.errors import DomainError, ErrorCode
from domain.interactions.ports import InteractionFilter as DomainFilter
from domain.interactions.service import Interactions
from domain.interactions.validation import InteractionInput
from schema.common import (
    Connection,
    UserError,
    configured,
    decode_id,
    decode_one,
    page_request,
    to_connection,
)
from schema.errors import attempt, query
from schema.interactions import inputs as i
from schema.interactions.types import InteractionNode


def interactions(info: strawberry.Info) -> Interactions:
    service: Interactions | None = getattr(info.context, "interactions", None)
    return configured(service, "interactions are")


def _debt_ids(debtor_id: str, ids: list[strawberry.ID] | None) -> tuple[str, ...]:
    out = []
    for n, gid in enumerate(ids or []):
        try:
            owner, debt_id = decode_id(gid, "Debt", 2)[1]
        except DomainError:
            owner, debt_id = "", ""
        if owner != debtor_id:
            raise DomainError(ErrorCode.NOT_FOUND, "no debt of this debtor has this id", f"debtIds[{n}]")
        out.append(debt_id)
    return tuple(out)


def _input(x: i.InteractionLogInput) -> InteractionInput:
    debtor_id = decode_one(x.debtor_id, "Debtor", "debtorId")
    return InteractionInput(
        debtor_id=debtor_id,
        channel=x.channel,
        outcome=x.outcome,
        occurred_at=x.occurred_at,
        idempotency_key=x.idempotency_key,
        direction=x.direction,
        debt_ids=_debt_ids(debtor_id, x.debt_ids),
        note=x.note,
        callback_at=x.callback_at,
        address=x.address,
    )


@strawberry.type(description="The result of interactionLog.")
class InteractionLogPayload:
    interaction: InteractionNode | None
    replayed: bool = strawberry.field(description="True when this idempotency key was already logged.")
    effects: list[str] = strawberry.field(
        description="What it changed elsewhere: `phone-invalid:<e164>`, `dispute:<debt id>`."
    )
    errors: list[UserError]


@strawberry.type
class InteractionQueries:
    @strawberry.field(description="Interactions, newest first by occurredAt (see InteractionFilter).")
    def interactions(
        self,
        info: strawberry.Info,
        filter: i.InteractionFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[InteractionNode]:
        f = filter or i.InteractionFilter()

        def run() -> Connection[InteractionNode]:
            domain_filter = DomainFilter(
                debtor_id=decode_one(f.debtor_id, "Debtor", "debtorId") if f.debtor_id else None,
                agent_id=f.agent_id,
                channel=f.channel,
                outcome=f.outcome,
                occurred_from=f.from_,
                occurred_to=f.to,
                violations=bool(f.violations),
            )
            page = interactions(info).list(info.context.principal, domain_filter, page_request(first, after))
            return to_connection(page, InteractionNode.of)

        return query(run)

    @strawberry.field(description="One interaction by id (null when not found or not yours).")
    def interaction(self, info: strawberry.Info, id: strawberry.ID) -> InteractionNode | None:
        try:
            ref = decode_id(id, "Interaction", 1)[1][0]
        except DomainError:
            return None
        found = query(lambda: interactions(info).get(info.context.principal, ref))
        return InteractionNode.of(found) if found else None


@strawberry.type
class InteractionMutations:
    @strawberry.mutation(
        description=(
            "Log a contact attempt and its outcome (gestión), once per idempotencyKey. It lands in the "
            "debtor's contact history in the same transaction, so contactCheck and the reminder dispatcher "
            "count it. WRONG_NUMBER invalidates the number; DISPUTE opens a dispute on each named OPEN debt; "
            "CALLBACK needs callbackAt. An outbound contact outside the policy is recorded and flagged."
        )
    )
    def interaction_log(self, info: strawberry.Info, input: i.InteractionLogInput) -> InteractionLogPayload:
        result, errors = attempt(lambda: interactions(info).log(info.context.principal, _input(input)))
        if result is None:
            return InteractionLogPayload(interaction=None, replayed=False, effects=[], errors=errors)
        return InteractionLogPayload(
            interaction=InteractionNode.of(result.interaction),
            replayed=result.replayed,
            effects=list(result.interaction.effects),
            errors=[],
        )
