"""`DynamoInteractionRepository`: interactions with their idempotency claims and contact-history entries
(layout in interaction_items.py and DESIGN.md)."""

from __future__ import annotations

from pynamodb.connection.base import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from domain.clock import iso_utc
from domain.interactions.model import Interaction, parse_ref
from domain.interactions.ports import InteractionFilter, Replay
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest
from infra.dynamodb.contact_log import log_additions, log_entry
from infra.dynamodb.interaction_items import (
    CLAIM_KIND,
    INTERACTION_PREFIX,
    InteractionItem,
    agent_interactions_gsi2,
    interaction_item,
    interaction_of,
    interaction_sk,
    interactions_gsi1,
    key_claim_pk,
    outcome_gsi4,
    violations_gsi3,
)
from infra.dynamodb.keys import CLAIM_SK, debtor_pk
from infra.dynamodb.message_items import contact_item
from infra.dynamodb.models import ClaimItem, TableItem
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

_MAX = "~"


def _connection() -> Connection:
    return TableItem._get_connection().connection


class DynamoInteractionRepository:
    def log(self, interaction: Interaction, contact: ContactRecord | None, fingerprint: str) -> Replay | None:
        """Interaction + claim + contact entry in one TransactWriteItems; a taken claim → its Replay."""
        tenant = interaction.tenant
        item = interaction_item(interaction, 1)
        claim = ClaimItem(
            key_claim_pk(tenant, interaction.idempotency_key),
            CLAIM_SK,
            tenant=tenant,
            claim_kind=CLAIM_KIND,
            value=interaction.idempotency_key,
            target=interaction.ref,
            fingerprint=fingerprint,
        )
        not_there = TableItem.PK.does_not_exist()
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=not_there)
                tx.save(claim, condition=not_there)
                if contact is not None:
                    tx.save(contact_item(tenant, interaction.debtor_id, contact, interaction.id))
                    entry = log_entry(contact, interaction.id)
                    tx.update(*log_additions(tenant, interaction.debtor_id, [entry]))
        except TransactWriteError as error:
            reasons = list(error.cancellation_reasons or [])
            taken = (
                len(reasons) > 1 and reasons[1] is not None and reasons[1].code == "ConditionalCheckFailed"
            )
            if taken:
                return self.find_by_key(tenant, interaction.idempotency_key)
            raise
        return None

    def find_by_key(self, tenant: str, idempotency_key: str) -> Replay | None:
        try:
            claim = ClaimItem.get(key_claim_pk(tenant, idempotency_key), CLAIM_SK, consistent_read=True)
        except ClaimItem.DoesNotExist:
            return None
        return Replay(self.get(tenant, claim.target, consistent=True), claim.fingerprint)

    def get(self, tenant: str, ref: str, consistent: bool = False) -> Interaction | None:
        parts = parse_ref(ref)
        if parts is None:
            return None
        debtor_id, at, interaction_id = parts
        try:
            item = InteractionItem.get(
                debtor_pk(tenant, debtor_id),
                interaction_sk(iso_utc(at), interaction_id),
                consistent_read=consistent,
            )
        except InteractionItem.DoesNotExist:
            return None
        return interaction_of(item)

    def list(self, tenant: str, query: InteractionFilter, page: PageRequest) -> Page[Interaction]:
        """debtor → its partition; violations → GSI3; agent → GSI2; outcome → GSI4; else GSI1. Newest
        first; the other criteria filter that one Query (run_page refills the page up to `first`)."""
        lower = iso_utc(query.occurred_from) if query.occurred_from else None
        upper = iso_utc(query.occurred_to) + _MAX if query.occurred_to else None
        empty = lower is not None and upper is not None and lower > upper
        filters: list[Condition] = []
        index: str | None
        if query.debtor_id:
            index, partition = None, debtor_pk(tenant, query.debtor_id)
            if lower or upper:
                sort = SortRange(
                    lower=f"{INTERACTION_PREFIX}{lower or ''}", upper=f"{INTERACTION_PREFIX}{upper or _MAX}"
                )
            else:
                sort = SortRange(prefix=INTERACTION_PREFIX)
        else:
            sort = SortRange(lower=lower, upper=upper)
            if query.violations:
                index, partition = "GSI3", violations_gsi3(tenant)
            elif query.agent_id:
                index, partition = "GSI2", agent_interactions_gsi2(tenant, query.agent_id)
            elif query.outcome is not None:
                index, partition = "GSI4", outcome_gsi4(tenant, query.outcome)
            else:
                index, partition = "GSI1", interactions_gsi1(tenant)
        if query.violations and index != "GSI3":
            filters.append(InteractionItem.violation == True)  # noqa: E712 - a PynamoDB condition
        if query.agent_id and index != "GSI2":
            filters.append(InteractionItem.agent_id == query.agent_id)
        if query.outcome is not None and index != "GSI4":
            filters.append(InteractionItem.outcome == query.outcome.value)
        if query.channel is not None:
            filters.append(InteractionItem.channel == query.channel.value)
        plan = QueryPlan(InteractionItem, index, partition, sort, tuple(filters), forward=False, empty=empty)
        result = run_page(plan, tenant, page)
        items = [interaction_of(i) for i in result.items]
        return Page(items, result.end_cursor, result.has_next_page, result.cursors)
