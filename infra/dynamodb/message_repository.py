"""`DynamoMessageRepository`: reminder messages with their idempotency claims, the contact history
the policy engine counts, call tasks, agent devices and campaign counters (layout in message_items.py
and DESIGN.md).

A claim is written with its message in one transaction, conditioned on not existing: two dispatchers
(or a retried Lambda) cannot both own one debt's step on one day. A sent message and the contact it
counts for are one transaction too. Counters use atomic ADD and are never read-modify-written.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.connection.base import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from domain.campaigns.model import AgentDevice, CallTask, CampaignStats, Message
from domain.campaigns.ports import MessageFilter, RecentContacts, SendClaim
from domain.clock import iso_utc
from domain.errors import ConcurrencyConflict
from domain.policy import ContactRecord
from domain.ports import Page, PageRequest
from domain.templates import TemplateChannel
from infra.dynamodb.contact_log import log_additions, log_entry, read_logs
from infra.dynamodb.keys import debtor_pk
from infra.dynamodb.message_items import (
    ATTRIBUTION_SK,
    CLAIM_SK,
    CONTACT_PREFIX,
    DEVICE_OWNER_SK,
    DEVICE_PREFIX,
    LOOKUP_SK,
    MESSAGE_PREFIX,
    AddressItem,
    ContactItem,
    DeviceItem,
    DeviceOwnerItem,
    MessageItem,
    ProviderRefItem,
    SendClaimItem,
    TaskItem,
    address_item,
    address_pk,
    agent_pk,
    agent_tasks_gsi1,
    attribution_pk,
    campaign_messages_gsi2,
    claim_pk,
    contact_item,
    contact_of,
    device_item,
    device_of,
    device_owner_pk,
    lookup_pk,
    message_item,
    message_of,
    message_sk,
    messages_gsi1,
    stats_key,
    task_item,
    task_of,
    tasks_pk,
    token_hash,
)
from infra.dynamodb.models import TableItem
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

_PHONE_CHANNELS = (TemplateChannel.SMS, TemplateChannel.WHATSAPP)
_COUNTERS = ("planned", "sent", "delivered", "failed", "blocked", "skipped")


def _connection() -> Connection:
    return TableItem._get_connection().connection


def _cancelled(error: TransactWriteError) -> bool:
    return error.cause_response_code == "TransactionCanceledException"


class DynamoMessageRepository:
    # --- messages and claims ---------------------------------------------------------------------

    def claim_message(self, message: Message, claims: list[SendClaim]) -> list[SendClaim]:
        """One transaction: the message, one conditional put per claim, and the lookup by our id."""
        item = message_item(message, 1)
        not_there = TableItem.PK.does_not_exist()
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=not_there)
                for claim in claims:
                    claim_item = SendClaimItem(
                        claim_pk(message.tenant, claim),
                        CLAIM_SK,
                        tenant=message.tenant,
                        message_pk=item.PK,
                        message_sk=item.SK,
                    )
                    tx.save(claim_item, condition=not_there)
                tx.save(self._lookup(message.tenant, message.id, item))
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
            ref = SendClaimItem.get(claim_pk(tenant, claim), CLAIM_SK, consistent_read=True)
        except SendClaimItem.DoesNotExist:
            return None
        return self._get(ref.message_pk, ref.message_sk)

    def _get(self, pk: str, sk: str) -> Message | None:
        try:
            return message_of(MessageItem.get(pk, sk, consistent_read=True))
        except MessageItem.DoesNotExist:
            return None

    @staticmethod
    def _lookup(tenant: str, key: str, item: MessageItem) -> ProviderRefItem:
        return ProviderRefItem(
            lookup_pk(tenant, key), LOOKUP_SK, tenant=tenant, message_pk=item.PK, message_sk=item.SK
        )

    def save_message(
        self, message: Message, expected_version: int, contact: ContactRecord | None = None
    ) -> None:
        item = message_item(message, expected_version + 1)
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(item, condition=TableItem.version == expected_version)
                if contact is not None:
                    tx.save(contact_item(message.tenant, message.debtor_id, contact, message.id))
                    tx.update(
                        *log_additions(message.tenant, message.debtor_id, [log_entry(contact, message.id)])
                    )
                    if message.to and message.channel in _PHONE_CHANNELS:
                        tx.save(address_item(message.tenant, message.debtor_id, message.to, contact.at))
                if message.provider_message_id:
                    tx.save(self._lookup(message.tenant, message.provider_message_id, item))
        except TransactWriteError as error:
            if _cancelled(error):
                raise ConcurrencyConflict(f"message {message.id}") from error
            raise
        message.version = expected_version + 1

    def save_messages(self, saves: list[tuple[Message, int, ContactRecord | None]]) -> None:
        """Several `save_message`s in one transaction. Two messages to one number share its address
        registry item, and two to one debtor its contact log: each written once (a transaction may not
        touch an item twice). At most 16 messages: 5 items each at most, within DynamoDB's 100."""
        if len(saves) > 16:
            raise ValueError("at most 16 messages per transaction")
        addresses: dict[tuple[str, str], AddressItem] = {}
        logs: dict[tuple[str, str], list[str]] = {}
        try:
            with TransactWrite(connection=_connection()) as tx:
                for message, expected_version, contact in saves:
                    item = message_item(message, expected_version + 1)
                    tx.save(item, condition=TableItem.version == expected_version)
                    if contact is not None:
                        tx.save(contact_item(message.tenant, message.debtor_id, contact, message.id))
                        log = logs.setdefault((message.tenant, message.debtor_id), [])
                        log.append(log_entry(contact, message.id))
                        if message.to and message.channel in _PHONE_CHANNELS:
                            address = address_item(message.tenant, message.debtor_id, message.to, contact.at)
                            addresses[(address.PK, address.SK)] = address
                    if message.provider_message_id:
                        tx.save(self._lookup(message.tenant, message.provider_message_id, item))
                for address in addresses.values():
                    tx.save(address)
                for (tenant, debtor_id), entries in logs.items():
                    tx.update(*log_additions(tenant, debtor_id, entries))
        except TransactWriteError as error:
            if _cancelled(error):
                raise ConcurrencyConflict(f"{len(saves)} messages") from error
            raise
        for message, expected_version, _ in saves:
            message.version = expected_version + 1

    def get_message(self, tenant: str, debtor_id: str, message_id: str) -> Message | None:
        return self._get(debtor_pk(tenant, debtor_id), message_sk(message_id))

    def find_by_provider_id(self, tenant: str | None, provider_message_id: str) -> Message | None:
        """By the provider's id, or by our own message id (the reference SES echoes back)."""
        if not tenant or not provider_message_id:
            return None
        try:
            ref = ProviderRefItem.get(lookup_pk(tenant, provider_message_id), LOOKUP_SK)
        except ProviderRefItem.DoesNotExist:
            return None
        return self._get(ref.message_pk, ref.message_sk)

    def debtors_by_address(self, address: str) -> list[tuple[str, str]]:
        return [(i.tenant, i.debtor_id) for i in AddressItem.query(address_pk(address))]

    def list_messages(self, tenant: str, query: MessageFilter, page: PageRequest) -> Page[Message]:
        filters: list[Condition] = []
        if query.status is not None:
            filters.append(MessageItem.status == query.status.value)
        if query.channel is not None:
            filters.append(MessageItem.channel == query.channel.value)
        lower = iso_utc(query.created_from) if query.created_from else None
        upper = f"{iso_utc(query.created_to)}~" if query.created_to else None
        if query.debtor_id:
            # The debtor's partition: campaign and dates become filters on the same Query.
            if query.campaign_id:
                gsi2: Any = MessageItem.GSI2PK
                filters.append(gsi2 == campaign_messages_gsi2(tenant, query.campaign_id))
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
            partition = campaign_messages_gsi2(tenant, query.campaign_id)
            sort = SortRange(lower=lower, upper=upper)
            plan = QueryPlan(MessageItem, "GSI2", partition, sort, tuple(filters), forward=False)
        else:
            sort = SortRange(lower=lower, upper=upper)
            plan = QueryPlan(MessageItem, "GSI1", messages_gsi1(tenant), sort, tuple(filters), forward=False)
        result = run_page(plan, tenant, page)
        messages = [message_of(i) for i in result.items]
        return Page(messages, result.end_cursor, result.has_next_page, result.cursors)

    # --- contact history -------------------------------------------------------------------------

    def contact_history(self, tenant: str, debtor_id: str, since: datetime) -> list[ContactRecord]:
        items = ContactItem.query(
            debtor_pk(tenant, debtor_id),
            TableItem.SK.between(f"{CONTACT_PREFIX}{iso_utc(since)}", f"{CONTACT_PREFIX}~"),
            consistent_read=True,
        )
        return [contact_of(i) for i in items]

    def record_contact(self, tenant: str, debtor_id: str, contact: ContactRecord) -> None:
        """A contact made outside the dispatcher (an agent's call); the same one twice is one entry."""
        seed = f"{contact.channel}|{iso_utc(contact.at)}|{contact.address}|{contact.direction}"
        ref = hashlib.sha256(seed.encode()).hexdigest()[:16]
        with TransactWrite(connection=_connection()) as tx:
            tx.save(contact_item(tenant, debtor_id, contact, ref))
            tx.update(*log_additions(tenant, debtor_id, [log_entry(contact, ref)]))

    def recent_contacts(self, tenant: str, debtor_ids: list[str], now: datetime) -> dict[str, RecentContacts]:
        return read_logs(tenant, debtor_ids, now)

    # --- call tasks and devices ------------------------------------------------------------------

    def save_task(self, task: CallTask) -> None:
        """Put the task (same id and due instant = same item, so a retried dispatch writes it once)."""
        task_item(task, task.version + 1).save()
        task.version += 1

    def list_tasks(self, tenant: str, agent_id: str | None, page: PageRequest) -> Page[CallTask]:
        if agent_id:
            plan = QueryPlan(TaskItem, "GSI1", agent_tasks_gsi1(tenant, agent_id), SortRange())
        else:
            plan = QueryPlan(TaskItem, None, tasks_pk(tenant), SortRange())
        result = run_page(plan, tenant, page)
        tasks = [task_of(i) for i in result.items]
        return Page(tasks, result.end_cursor, result.has_next_page, result.cursors)

    def save_device(self, device: AgentDevice) -> None:
        """Register the phone for its agent; if the token was another agent's, that agent's entry goes
        in the same transaction (a phone handed over stops getting the previous agent's notices)."""
        owner_pk = device_owner_pk(device.tenant, device.token)
        try:
            owner = DeviceOwnerItem.get(owner_pk, DEVICE_OWNER_SK, consistent_read=True)
            previous: str | None = owner.agent_id
        except DeviceOwnerItem.DoesNotExist:
            previous = None
        with TransactWrite(connection=_connection()) as tx:
            tx.save(device_item(device))
            tx.save(
                DeviceOwnerItem(owner_pk, DEVICE_OWNER_SK, tenant=device.tenant, agent_id=device.agent_id)
            )
            if previous and previous != device.agent_id:
                sk = f"{DEVICE_PREFIX}{token_hash(device.token)}"
                tx.delete(DeviceItem(agent_pk(device.tenant, previous), sk, tenant=device.tenant))
        device.version += 1

    def devices_of_agent(self, tenant: str, agent_id: str) -> list[AgentDevice]:
        items = DeviceItem.query(agent_pk(tenant, agent_id), TableItem.SK.startswith(DEVICE_PREFIX))
        return [device_of(i) for i in items]

    # --- campaign counters -----------------------------------------------------------------------

    def add_stats(self, tenant: str, campaign_id: str, delta: CampaignStats) -> None:
        adds: dict[str, Decimal] = {
            name: Decimal(getattr(delta, name)) for name in _COUNTERS if getattr(delta, name)
        }
        if delta.payments_within_7_days:
            adds["payments"] = Decimal(delta.payments_within_7_days)
        adds.update({f"blocked#{rule}": Decimal(n) for rule, n in delta.blocked_by_rule.items() if n})
        adds.update({f"amount#{cur}": Decimal(a) for cur, a in delta.amount_within_7_days.items() if a})
        if not adds:
            return
        names = {f"#a{i}": name for i, name in enumerate(adds)}
        values: dict[str, Any] = {f":a{i}": {"N": format(v, "f")} for i, v in enumerate(adds.values())}
        names.update({"#tenant": "tenant", "#kind": "kind"})
        values.update({":tenant": {"S": tenant}, ":kind": {"S": "CAMPAIGN_STATS"}})
        expression = "ADD " + ", ".join(f"#a{i} :a{i}" for i in range(len(adds)))
        client: Any = _connection().client
        client.update_item(
            TableName=TableItem.Meta.table_name,
            Key=stats_key(tenant, campaign_id),
            UpdateExpression=f"{expression} SET #tenant = :tenant, #kind = :kind",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def get_stats(self, tenant: str, campaign_id: str) -> CampaignStats:
        client: Any = _connection().client
        raw = client.get_item(
            TableName=TableItem.Meta.table_name, Key=stats_key(tenant, campaign_id), ConsistentRead=True
        ).get("Item", {})

        def number(name: str) -> Decimal:
            return Decimal(raw[name]["N"]) if name in raw else Decimal(0)

        return CampaignStats(
            **{name: int(number(name)) for name in _COUNTERS},
            blocked_by_rule={k.split("#", 1)[1]: int(number(k)) for k in raw if k.startswith("blocked#")},
            payments_within_7_days=int(number("payments")),
            amount_within_7_days={k.split("#", 1)[1]: number(k) for k in raw if k.startswith("amount#")},
        )

    def claim_attribution(self, tenant: str, payment_id: str, campaign_id: str) -> bool:
        """Claim (payment, campaign) once (a conditional put); False when it was already counted."""
        item = SendClaimItem(
            attribution_pk(tenant, payment_id, campaign_id),
            ATTRIBUTION_SK,
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
