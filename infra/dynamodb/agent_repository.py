"""`DynamoAgentRepository`: the agent directory in the tenant's root partition (`T#t` / `AGENT#<id>`),
listed with one Query, written with its audit entry in one transaction conditional on `version`."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from domain.agents.model import Agent
from domain.entities import AuditEntry
from domain.errors import ConcurrencyConflict
from infra.dynamodb.keys import tenant_pk
from infra.dynamodb.mapping import audit_item
from infra.dynamodb.models import TableItem, UTCDateTimeAttribute

AGENT_PREFIX = "AGENT#"


class AgentItem(TableItem, discriminator="AGENT"):
    id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


def _agent(tenant: str, item: AgentItem) -> Agent:
    return Agent(
        tenant=tenant,
        id=item.id,
        name=item.name,
        email=item.email,
        phone=item.phone,
        active=bool(item.active),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


class DynamoAgentRepository:
    def get_agent(self, tenant: str, agent_id: str) -> Agent | None:
        try:
            item = AgentItem.get(tenant_pk(tenant), f"{AGENT_PREFIX}{agent_id}", consistent_read=True)
        except AgentItem.DoesNotExist:
            return None
        return _agent(tenant, item)

    def get_agents(self, tenant: str, agent_ids: list[str]) -> dict[str, Agent]:
        keys = [(tenant_pk(tenant), f"{AGENT_PREFIX}{i}") for i in dict.fromkeys(agent_ids)]
        if not keys:
            return {}
        return {item.id: _agent(tenant, item) for item in AgentItem.batch_get(keys)}

    def list_agents(self, tenant: str) -> list[Agent]:
        items = AgentItem.query(tenant_pk(tenant), TableItem.SK.startswith(AGENT_PREFIX))
        return [_agent(tenant, item) for item in items]

    def save_agent(self, agent: Agent, expected_version: int, audit: AuditEntry) -> None:
        item = AgentItem(
            tenant_pk(agent.tenant),
            f"{AGENT_PREFIX}{agent.id}",
            tenant=agent.tenant,
            version=expected_version + 1,
            id=agent.id,
            name=agent.name,
            email=agent.email,
            phone=agent.phone,
            active=agent.active,
            created_at=agent.created_at,
            updated_at=agent.updated_at,
        )
        condition = (
            TableItem.PK.does_not_exist() if expected_version == 0 else TableItem.version == expected_version
        )
        connection = TableItem._get_connection().connection
        try:
            with TransactWrite(connection=connection) as writer:
                writer.save(item, condition=condition)
                writer.save(audit_item(agent.tenant, audit), condition=TableItem.PK.does_not_exist())
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise ConcurrencyConflict(f"{item.PK}/{item.SK}") from None
            raise
        agent.version = expected_version + 1
