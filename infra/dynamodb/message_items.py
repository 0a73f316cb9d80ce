"""The reminder engine's message store in the single table: key builders, PynamoDB items, converters.

(`<ts>` of a message is its creation time; GSI2 only for campaign messages)

| item | PK | SK | GSI1 | GSI2 |
|---|---|---|---|---|
| message | `T#t#DR#<dr>` | `MSG#<id>` | `T#t#MESSAGES` / `<ts>#<id>` | `T#t#CMP#<cmp>#MSG` / `<ts>#<id>` |
| send claim | `T#t#SEND#<debtId>#<campaignId>#<stepId>#<day>` | `SEND` | | |
| contact history | `T#t#DR#<debtorId>` | `CL#<utc ts>#<messageId>` (TTL 2 years) | | |
| contact log | `T#t#DR#<debtorId>` | `CONTACTS` (recent contacts, see contact_log.py) | | |
| message lookup | `T#t#PMID#<provider id or our message id>` | `PMID` | | |
| address registry | `ADDR#<e164>` | `T#t#DR#<debtorId>` (TTL 2 years after the last send) | | |
| call task | `T#t#TASKS` | `<due ts>#<taskId>` | `T#t#AG#<agentId>#TASKS` / `<due ts>#<taskId>` | |
| agent device | `T#t#AG#<agentId>` | `DEV#<token sha256>` | | |
| device token owner | `T#t#DEVTOK#<token sha256>` | `DEVTOK` | | |
| campaign counters | `T#t#CMP#<campaignId>` | `STATS` | | |
| payment attribution | `T#t#ATTR#<paymentId>#<campaignId>` | `ATTR` | | |

Messages live in their debtor's partition (a debtor's messages and contact history are one Query);
the tenant list and the campaign list are GSI1/GSI2, newest first. Tasks are one tenant partition
(supervisors list them all) with the agent's own list on GSI1; a tenant creates at most a few thousand
a day, far from a partition's limits. Counters are numbers updated with `ADD` only: `blocked#<rule>`
per rule and `amount#<currency>` per currency as exact DynamoDB decimals (never a float).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from domain.campaigns.model import AgentDevice, CallTask, Message
from domain.campaigns.ports import SendClaim
from domain.clock import iso_utc
from domain.entities import Channel
from domain.policy import AttemptKind, ContactRecord, Direction, Recipient
from infra.dynamodb.campaign_codec import (
    message_from_json,
    message_to_json,
    parse_ts,
    task_from_json,
    task_to_json,
)
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import debtor_pk, tenant_prefix
from infra.dynamodb.models import TableItem

HISTORY_RETENTION = timedelta(days=2 * 366)
"""Chile (Ley 21.320) keeps a per-debtor contact log for two years; the entries then expire (TTL)."""
MESSAGE_PREFIX = "MSG#"
CONTACT_PREFIX = "CL#"
CLAIM_SK = "SEND"
LOOKUP_SK = "PMID"
ADDRESS_PREFIX = "ADDR#"
DEVICE_PREFIX = "DEV#"
DEVICE_OWNER_SK = "DEVTOK"
STATS_SK = "STATS"
ATTRIBUTION_SK = "ATTR"


# --- keys ----------------------------------------------------------------------------------------


def message_sk(message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{message_id}"


def messages_gsi1(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}MESSAGES"


def campaign_messages_gsi2(tenant: str, campaign_id: str) -> str:
    return f"{tenant_prefix(tenant)}CMP#{campaign_id}#MSG"


def claim_pk(tenant: str, claim: SendClaim) -> str:
    day = claim.occurrence.isoformat()
    return f"{tenant_prefix(tenant)}SEND#{claim.debt_id}#{claim.campaign_id}#{claim.step_id}#{day}"


def lookup_pk(tenant: str, provider_or_message_id: str) -> str:
    """A message by the provider's id (written when sent) or by our own id (written when claimed):
    SES echoes our id back in its `recaudo-ref` tag, so feedback finds a message whose provider id
    never reached us (a crash after the provider accepted). The two never collide: ours are 26
    base32 characters, SES and SNS ids have other shapes."""
    return f"{tenant_prefix(tenant)}PMID#{provider_or_message_id}"


def address_pk(address: str) -> str:
    return f"{ADDRESS_PREFIX}{address}"


def tasks_pk(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}TASKS"


def agent_tasks_gsi1(tenant: str, agent_id: str) -> str:
    return f"{tenant_prefix(tenant)}AG#{agent_id}#TASKS"


def agent_pk(tenant: str, agent_id: str) -> str:
    return f"{tenant_prefix(tenant)}AG#{agent_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_owner_pk(tenant: str, token: str) -> str:
    return f"{tenant_prefix(tenant)}DEVTOK#{token_hash(token)}"


def stats_key(tenant: str, campaign_id: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": f"{tenant_prefix(tenant)}CMP#{campaign_id}"}, "SK": {"S": STATS_SK}}


def attribution_pk(tenant: str, payment_id: str, campaign_id: str) -> str:
    return f"{tenant_prefix(tenant)}ATTR#{payment_id}#{campaign_id}"


# --- items ---------------------------------------------------------------------------------------


class MessageItem(TableItem, discriminator="MESSAGE"):
    """The message as one JSON document; status and channel also as attributes (list filters)."""

    doc = UnicodeAttribute()
    status = UnicodeAttribute()
    channel = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")


class SendClaimItem(TableItem, discriminator="SEND_CLAIM"):
    """One debt's (campaign, step, day): written once, with its message, conditioned on not existing.
    Also the once-only claim of a (payment, campaign) attribution, with empty message keys."""

    message_pk = UnicodeAttribute(attr_name="messagePK")
    message_sk = UnicodeAttribute(attr_name="messageSK")


class ContactItem(TableItem, discriminator="CONTACT"):
    doc = UnicodeAttribute()


class ProviderRefItem(TableItem, discriminator="PROVIDER_REF"):
    message_pk = UnicodeAttribute(attr_name="messagePK")
    message_sk = UnicodeAttribute(attr_name="messageSK")


class AddressItem(TableItem, discriminator="ADDRESS_REGISTRY"):
    """`ADDR#<e164>` / `T#<tenant>#DR#<debtorId>`: who was texted at a number. The one key of the
    message store that does not start with a tenant, on purpose (like the tenant registry in DESIGN.md):
    an inbound STOP/BAJA to a shared origination number carries only the sender's number, and must reach
    every tenant that texted it. Only the delivery-feedback worker reads it (`debtors_by_address`), never
    a request, and no cursor can reach it (cursors are bound to `T#<tenant>#` partitions)."""

    debtor_id = UnicodeAttribute(attr_name="debtorId")


class TaskItem(TableItem, discriminator="CALL_TASK"):
    doc = UnicodeAttribute()


class DeviceItem(TableItem, discriminator="AGENT_DEVICE"):
    agent_id = UnicodeAttribute(attr_name="agentId")
    token = UnicodeAttribute()
    platform = UnicodeAttribute()
    endpoint_arn = UnicodeAttribute(attr_name="endpointArn")
    created_at = UnicodeAttribute(null=True, attr_name="createdAt")


class DeviceOwnerItem(TableItem, discriminator="AGENT_DEVICE_OWNER"):
    """Which agent a push token belongs to now: a phone handed to another agent stops receiving the
    first agent's task notices in the same transaction that registers it."""

    agent_id = UnicodeAttribute(attr_name="agentId")


class StatsItem(TableItem, discriminator="CAMPAIGN_STATS"):
    """Campaign counters. Written only with UpdateItem ADD (see the repository); declared so the item
    kind is known to the models. Per-rule and per-currency counters are dynamic attributes."""

    planned = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    delivered = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    payments = NumberAttribute(default=0)


# --- converters ----------------------------------------------------------------------------------


def message_item(message: Message, version: int) -> MessageItem:
    created = iso_utc(message.created_at) if message.created_at else ""
    item = MessageItem(
        debtor_pk(message.tenant, message.debtor_id),
        message_sk(message.id),
        tenant=message.tenant,
        version=version,
        doc=dumps(message_to_json(message)),
        status=message.status.value,
        channel=message.channel.value,
        debtor_id=message.debtor_id,
        GSI1PK=messages_gsi1(message.tenant),
        GSI1SK=f"{created}#{message.id}",
    )
    if message.campaign_id:
        item.GSI2PK = campaign_messages_gsi2(message.tenant, message.campaign_id)
        item.GSI2SK = f"{created}#{message.id}"
    return item


def message_of(item: MessageItem) -> Message:
    return message_from_json(item.tenant, json.loads(item.doc), int(item.version or 0))


def contact_doc(record: ContactRecord) -> dict[str, object]:
    return {
        "channel": record.channel.value,
        "at": iso_utc(record.at),
        "direction": record.direction.value,
        "kind": record.kind.value,
        "recipient": record.recipient.value,
        "debtIds": list(record.debt_ids),
        "address": record.address,
        "requestedByDebtor": record.requested_by_debtor,
        "person": record.person,
    }


def contact_item(tenant: str, debtor_id: str, record: ContactRecord, ref: str) -> ContactItem:
    item = ContactItem(
        debtor_pk(tenant, debtor_id),
        f"{CONTACT_PREFIX}{iso_utc(record.at)}#{ref}",
        tenant=tenant,
        doc=dumps(contact_doc(record)),
    )
    item.expires_at = record.at + HISTORY_RETENTION
    return item


def contact_of(item: ContactItem) -> ContactRecord:
    return contact_from_doc(json.loads(item.doc), item.SK)


def contact_from_doc(d: dict[str, Any], where: str) -> ContactRecord:
    at = parse_ts(d["at"])
    if at is None:
        raise ValueError(f"contact {where} has no time")
    return ContactRecord(
        channel=Channel(d["channel"]),
        at=at,
        direction=Direction(d.get("direction", "OUTBOUND")),
        kind=AttemptKind(d.get("kind", "CONTACT")),
        recipient=Recipient(d.get("recipient", "DEBTOR")),
        debt_ids=tuple(d.get("debtIds", ())),
        address=d.get("address"),
        requested_by_debtor=bool(d.get("requestedByDebtor", False)),
        person=d.get("person"),
    )


def address_item(tenant: str, debtor_id: str, address: str, at: datetime) -> AddressItem:
    item = AddressItem(address_pk(address), debtor_pk(tenant, debtor_id), tenant=tenant, debtor_id=debtor_id)
    item.expires_at = at + HISTORY_RETENTION
    return item


def task_item(task: CallTask, version: int) -> TaskItem:
    due = iso_utc(task.due_at)
    item = TaskItem(
        tasks_pk(task.tenant),
        f"{due}#{task.id}",
        tenant=task.tenant,
        version=version,
        doc=dumps(task_to_json(task)),
    )
    if task.agent_id:
        item.GSI1PK = agent_tasks_gsi1(task.tenant, task.agent_id)
        item.GSI1SK = f"{due}#{task.id}"
    return item


def task_of(item: TaskItem) -> CallTask:
    return task_from_json(item.tenant, json.loads(item.doc), int(item.version or 0))


def device_item(device: AgentDevice) -> DeviceItem:
    return DeviceItem(
        agent_pk(device.tenant, device.agent_id),
        f"{DEVICE_PREFIX}{token_hash(device.token)}",
        tenant=device.tenant,
        version=device.version + 1,
        agent_id=device.agent_id,
        token=device.token,
        platform=device.platform,
        endpoint_arn=device.endpoint_arn,
        created_at=iso_utc(device.created_at) if device.created_at else None,
    )


def device_of(item: DeviceItem) -> AgentDevice:
    return AgentDevice(
        item.tenant,
        item.agent_id,
        item.token,
        item.platform,
        item.endpoint_arn,
        parse_ts(item.created_at),
        int(item.version or 0),
    )
