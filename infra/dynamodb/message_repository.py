"""`DynamoMessageRepository`: reminder messages with their idempotency claims, the contact history
the policy engine counts, call tasks, agent devices and campaign counters.

| item | PK | SK | GSI1 | GSI2 |
|---|---|---|---|---|
| message | `T#t#DR#<dr>` | `MSG#<id>` | `T#t#MESSAGES` / `<ts>#<id>` | `T#t#CMP#<cmp>#MSG` / `<ts>#<id>` |
| send claim | `T#t#SEND#<debtId>#<campaignId>#<stepId>#<day>` | `SEND` | | |
| contact history | `T#t#DR#<debtorId>` | `CL#<utc ts>#<messageId>` | | |
| provider id → message | `T#t#PMID#<provider message id>` | `PMID` | | |
| call task | `T#t#TASKS` | `<due ts>#<taskId>` | `T#t#AG#<agentId>#TASKS` / `<due ts>#<taskId>` | |
| agent device | `T#t#AG#<agentId>` | `DEV#<token sha256>` | | |
| campaign counters | `T#t#CMP#<campaignId>` | `STATS` | | |

A claim is written with its message in one transaction, conditioned on not existing: two dispatchers
(or a retried Lambda) cannot both own one debt's step on one day. A sent message and the contact it
counts for are one transaction too. Counters use atomic ADD and are never read-modify-written.
Contact history is kept two years (Chile's collection log rule), then expires.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection.base import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from domain.campaigns.model import AgentDevice, CallTask, CampaignStats, Message, MessageStatus
from domain.campaigns.ports import MessageFilter, SendClaim
from domain.clock import iso_utc
from domain.entities import Channel
from domain.errors import ConcurrencyConflict
from domain.policy import AttemptKind, ContactRecord, Direction, Recipient
from domain.ports import Page, PageRequest
from domain.templates import TemplateChannel
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
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

HISTORY_RETENTION = timedelta(days=2 * 366)
ADDRESS_PREFIX = "ADDR#"
_PHONE_CHANNELS = (TemplateChannel.SMS, TemplateChannel.WHATSAPP)
MESSAGE_PREFIX = "MSG#"
CONTACT_PREFIX = "CL#"


class MessageItem(TableItem, discriminator="MESSAGE"):
    doc = UnicodeAttribute()
    status = UnicodeAttribute()
    channel = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")


class SendClaimItem(TableItem, discriminator="SEND_CLAIM"):
    message_pk = UnicodeAttribute(attr_name="messagePK")
    message_sk = UnicodeAttribute(attr_name="messageSK")


class ContactItem(TableItem, discriminator="CONTACT"):
    doc = UnicodeAttribute()


class ProviderRefItem(TableItem, discriminator="PROVIDER_REF"):
    message_pk = UnicodeAttribute(attr_name="messagePK")
    message_sk = UnicodeAttribute(attr_name="messageSK")


class AddressItem(TableItem, discriminator="ADDRESS_REGISTRY"):
    """`ADDR#<e164>` / `T#<tenant>#DR#<debtorId>`: who was texted at a number. The one key here that
    does not start with a tenant, on purpose (like the tenant registry in DESIGN.md): an inbound STOP
    to a shared number carries only the sender's number, and must reach every tenant that texts it.
    Only the delivery-feedback worker reads it, never a request."""

    debtor_id = UnicodeAttribute(attr_name="debtorId")


class TaskItem(TableItem, discriminator="CALL_TASK"):
    doc = UnicodeAttribute()


class DeviceItem(TableItem, discriminator="AGENT_DEVICE"):
    agent_id = UnicodeAttribute(attr_name="agentId")
    token = UnicodeAttribute()
    platform = UnicodeAttribute()
    endpoint_arn = UnicodeAttribute(attr_name="endpointArn")
    created_at = UnicodeAttribute(null=True, attr_name="createdAt")


class StatsItem(TableItem, discriminator="CAMPAIGN_STATS"):
    planned = NumberAttribute(default=0)
    sent = NumberAttribute(default=0)
    delivered = NumberAttribute(default=0)
    failed = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    skipped = NumberAttribute(default=0)
    payments = NumberAttribute(default=0)


def claim_pk(tenant: str, claim: SendClaim) -> str:
    day = claim.occurrence.isoformat()
    return f"{tenant_prefix(tenant)}SEND#{claim.debt_id}#{claim.campaign_id}#{claim.step_id}#{day}"


def _message_item(message: Message, version: int) -> MessageItem:
    created = iso_utc(message.created_at) if message.created_at else ""
    item = MessageItem(
        debtor_pk(message.tenant, message.debtor_id),
        f"{MESSAGE_PREFIX}{message.id}",
        tenant=message.tenant,
        version=version,
        doc=dumps(message_to_json(message)),
        status=message.status.value,
        channel=message.channel.value,
        debtor_id=message.debtor_id,
        GSI1PK=f"{tenant_prefix(message.tenant)}MESSAGES",
        GSI1SK=f"{created}#{message.id}",
    )
    if message.campaign_id:
        item.GSI2PK = f"{tenant_prefix(message.tenant)}CMP#{message.campaign_id}#MSG"
        item.GSI2SK = f"{created}#{message.id}"
    return item


def _message(item: MessageItem) -> Message:
    return message_from_json(item.tenant, json.loads(item.doc), int(item.version or 0))


def _contact_item(tenant: str, debtor_id: str, record: ContactRecord, ref: str) -> ContactItem:
    doc = {
        "channel": record.channel.value,
        "at": iso_utc(record.at),
        "direction": record.direction.value,
        "kind": record.kind.value,
        "recipient": record.recipient.value,
        "debtIds": list(record.debt_ids),
        "address": record.address,
        "requestedByDebtor": record.requested_by_debtor,
    }
    item = ContactItem(
        debtor_pk(tenant, debtor_id),
        f"{CONTACT_PREFIX}{iso_utc(record.at)}#{ref}",
        tenant=tenant,
        doc=dumps(doc),
    )
    item.expires_at = record.at + HISTORY_RETENTION
    return item


def _contact(item: ContactItem) -> ContactRecord:
    d = json.loads(item.doc)
    at = parse_ts(d["at"])
    assert at is not None
    return ContactRecord(
        channel=Channel(d["channel"]),
        at=at,
        direction=Direction(d.get("direction", "OUTBOUND")),
        kind=AttemptKind(d.get("kind", "CONTACT")),
        recipient=Recipient(d.get("recipient", "DEBTOR")),
        debt_ids=tuple(d.get("debtIds", ())),
        address=d.get("address"),
        requested_by_debtor=bool(d.get("requestedByDebtor", False)),
    )


def _stats_key(tenant: str, campaign_id: str) -> dict[str, dict[str, str]]:
    return {"PK": {"S": f"{tenant_prefix(tenant)}CMP#{campaign_id}"}, "SK": {"S": "STATS"}}


def _connection() -> Connection:
    return TableItem._get_connection().connection


class DynamoMessageRepository:
    def claim_message(self, message: Message, claims: list[SendClaim]) -> list[SendClaim]:
        item = _message_item(message, 1)
        not_there = TableItem.PK.does_not_exist()
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=not_there)
                for claim in claims:
                    tx.save(
                        SendClaimItem(
                            claim_pk(message.tenant, claim),
                            "SEND",
                            tenant=message.tenant,
                            message_pk=item.PK,
                            message_sk=item.SK,
                        ),
                        condition=not_there,
                    )
        except TransactWriteError as error:
            reasons = list(error.cancellation_reasons or [])
            taken = [
                claim
                for claim, reason in zip(claims, reasons[1:], strict=False)
                if reason is not None and reason.code == "ConditionalCheckFailed"
            ]
            if taken:
                return taken
            raise
        message.version = 1
        return []

    def message_for_claim(self, tenant: str, claim: SendClaim) -> Message | None:
        try:
            ref = SendClaimItem.get(claim_pk(tenant, claim), "SEND", consistent_read=True)
        except SendClaimItem.DoesNotExist:
            return None
        return self._get(ref.message_pk, ref.message_sk)

    def _get(self, pk: str, sk: str) -> Message | None:
        try:
            return _message(MessageItem.get(pk, sk, consistent_read=True))
        except MessageItem.DoesNotExist:
            return None

    def save_message(
        self, message: Message, expected_version: int, contact: ContactRecord | None = None
    ) -> None:
        item = _message_item(message, expected_version + 1)
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=TableItem.version == expected_version)
                if contact is not None:
                    tx.save(_contact_item(message.tenant, message.debtor_id, contact, message.id))
                if message.status is MessageStatus.SENT and message.to and message.channel in _PHONE_CHANNELS:
                    tx.save(
                        AddressItem(
                            f"{ADDRESS_PREFIX}{message.to}",
                            f"{tenant_prefix(message.tenant)}DR#{message.debtor_id}",
                            tenant=message.tenant,
                            debtor_id=message.debtor_id,
                        )
                    )
                if message.provider_message_id:
                    ref = ProviderRefItem(
                        f"{tenant_prefix(message.tenant)}PMID#{message.provider_message_id}",
                        "PMID",
                        tenant=message.tenant,
                        message_pk=item.PK,
                        message_sk=item.SK,
                    )
                    tx.save(ref)
        except TransactWriteError as error:
            if error.cause_response_code == "TransactionCanceledException":
                raise ConcurrencyConflict(f"message {message.id}") from error
            raise
        message.version = expected_version + 1

    def get_message(self, tenant: str, debtor_id: str, message_id: str) -> Message | None:
        return self._get(debtor_pk(tenant, debtor_id), f"{MESSAGE_PREFIX}{message_id}")

    def find_by_provider_id(self, tenant: str | None, provider_message_id: str) -> Message | None:
        if not tenant:
            return None
        try:
            ref = ProviderRefItem.get(f"{tenant_prefix(tenant)}PMID#{provider_message_id}", "PMID")
        except ProviderRefItem.DoesNotExist:
            return None
        return self._get(ref.message_pk, ref.message_sk)

    def debtors_by_address(self, address: str) -> list[tuple[str, str]]:
        items = AddressItem.query(f"{ADDRESS_PREFIX}{address}")
        return [(i.tenant, i.debtor_id) for i in items]

    def list_messages(self, tenant: str, query: MessageFilter, page: PageRequest) -> Page[Message]:
        filters: list[Any] = []
        if query.status is not None:
            filters.append(MessageItem.status == query.status.value)
        if query.channel is not None:
            filters.append(MessageItem.channel == query.channel.value)
        lower = iso_utc(query.created_from) if query.created_from else None
        upper = f"{iso_utc(query.created_to)}~" if query.created_to else None
        if query.debtor_id:
            if query.campaign_id:
                filters.append(f"{tenant_prefix(tenant)}CMP#{query.campaign_id}#MSG" == MessageItem.GSI2PK)
            if lower or upper:
                filters.append(MessageItem.GSI1SK.between(lower or "", upper or "~"))
            plan = QueryPlan(
                MessageItem,
                None,
                debtor_pk(tenant, query.debtor_id),
                SortRange(prefix=MESSAGE_PREFIX),
                tuple(filters),
                forward=False,
            )
        elif query.campaign_id:
            plan = QueryPlan(
                MessageItem,
                "GSI2",
                f"{tenant_prefix(tenant)}CMP#{query.campaign_id}#MSG",
                SortRange(lower=lower, upper=upper),
                tuple(filters),
                forward=False,
            )
        else:
            plan = QueryPlan(
                MessageItem,
                "GSI1",
                f"{tenant_prefix(tenant)}MESSAGES",
                SortRange(lower=lower, upper=upper),
                tuple(filters),
                forward=False,
            )
        result = run_page(plan, tenant, page)
        return Page(
            [_message(i) for i in result.items], result.end_cursor, result.has_next_page, result.cursors
        )

    def contact_history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]:
        items = ContactItem.query(
            debtor_pk(tenant, debtor_id),
            TableItem.SK.between(f"{CONTACT_PREFIX}{iso_utc(since)}", f"{CONTACT_PREFIX}~"),
            consistent_read=True,
        )
        return [_contact(i) for i in items]

    def record_contact(self, tenant: str, debtor_id: str, contact: ContactRecord) -> None:
        ref = hashlib.sha256(f"{contact.channel}{contact.at}{contact.address}".encode()).hexdigest()[:16]
        _contact_item(tenant, debtor_id, contact, ref).save()

    def save_task(self, task: CallTask) -> None:
        due = iso_utc(task.due_at)
        item = TaskItem(
            f"{tenant_prefix(task.tenant)}TASKS",
            f"{due}#{task.id}",
            tenant=task.tenant,
            version=task.version + 1,
            doc=dumps(task_to_json(task)),
        )
        if task.agent_id:
            item.GSI1PK = f"{tenant_prefix(task.tenant)}AG#{task.agent_id}#TASKS"
            item.GSI1SK = f"{due}#{task.id}"
        item.save()
        task.version += 1

    def list_tasks(self, tenant: str, agent_id: str | None, page: PageRequest) -> Page[CallTask]:
        if agent_id:
            plan = QueryPlan(TaskItem, "GSI1", f"{tenant_prefix(tenant)}AG#{agent_id}#TASKS", SortRange())
        else:
            plan = QueryPlan(TaskItem, None, f"{tenant_prefix(tenant)}TASKS", SortRange())
        result = run_page(plan, tenant, page)
        tasks = [task_from_json(tenant, json.loads(i.doc), int(i.version or 0)) for i in result.items]
        return Page(tasks, result.end_cursor, result.has_next_page, result.cursors)

    def save_device(self, device: AgentDevice) -> None:
        DeviceItem(
            f"{tenant_prefix(device.tenant)}AG#{device.agent_id}",
            f"DEV#{hashlib.sha256(device.token.encode()).hexdigest()}",
            tenant=device.tenant,
            agent_id=device.agent_id,
            token=device.token,
            platform=device.platform,
            endpoint_arn=device.endpoint_arn,
            created_at=iso_utc(device.created_at) if device.created_at else None,
        ).save()

    def devices_of_agent(self, tenant: str, agent_id: str) -> list[AgentDevice]:
        items = DeviceItem.query(f"{tenant_prefix(tenant)}AG#{agent_id}", TableItem.SK.startswith("DEV#"))
        return [
            AgentDevice(tenant, i.agent_id, i.token, i.platform, i.endpoint_arn, parse_ts(i.created_at))
            for i in items
        ]

    def add_stats(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        connection = _connection()
        adds: dict[str, Decimal] = {
            name: Decimal(value)
            for name, value in (
                ("planned", delta.planned),
                ("sent", delta.sent),
                ("delivered", delta.delivered),
                ("failed", delta.failed),
                ("blocked", delta.blocked),
                ("skipped", delta.skipped),
                ("payments", delta.payments_within_7_days),
            )
            if value
        }
        adds.update({f"blocked#{rule}": Decimal(n) for rule, n in delta.blocked_by_rule.items() if n})
        adds.update({f"amount#{cur}": amount for cur, amount in delta.amount_within_7_days.items() if amount})
        if not adds:
            return
        names = {f"#a{i}": name for i, name in enumerate(adds)}
        values = {f":a{i}": {"N": str(v)} for i, v in enumerate(adds.values())}
        values[":tenant"] = {"S": tenant}
        values[":kind"] = {"S": "CAMPAIGN_STATS"}
        expression = "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(adds)))
        expression += " SET #tenant = :tenant, #kind = :kind"
        names["#tenant"], names["#kind"] = "tenant", "kind"
        client: Any = connection.client
        client.update_item(
            TableName=TableItem.Meta.table_name,
            Key=_stats_key(tenant, campaign_id),
            UpdateExpression=expression,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def claim_attribution(self, tenant: str, payment_id: str, campaign_id: str) -> bool:
        item = SendClaimItem(
            f"{tenant_prefix(tenant)}ATTR#{payment_id}#{campaign_id}",
            "ATTR",
            tenant=tenant,
            message_pk="",
            message_sk="",
        )
        try:
            item.save(condition=TableItem.PK.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def get_stats(self, tenant: str, campaign_id: str) -> CampaignStats:
        client: Any = _connection().client
        raw = client.get_item(
            TableName=TableItem.Meta.table_name, Key=_stats_key(tenant, campaign_id), ConsistentRead=True
        ).get("Item", {})

        def number(name: str) -> Decimal:
            return Decimal(raw[name]["N"]) if name in raw else Decimal(0)

        return CampaignStats(
            planned=int(number("planned")),
            sent=int(number("sent")),
            delivered=int(number("delivered")),
            failed=int(number("failed")),
            blocked=int(number("blocked")),
            skipped=int(number("skipped")),
            blocked_by_rule={k.split("#", 1)[1]: int(number(k)) for k in raw if k.startswith("blocked#")},
            payments_within_7_days=int(number("payments")),
            amount_within_7_days={k.split("#", 1)[1]: number(k) for k in raw if k.startswith("amount#")},
        )
