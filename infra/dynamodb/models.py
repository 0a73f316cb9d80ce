"""PynamoDB models of the single ledger table (see DESIGN.md).

One base model, `TableItem`, owns the generic keys (`PK`, `SK`, `GSI1PK` … `GSI4SK`), the `kind`
discriminator, `version` and `expiresAt`; each item type is a discriminated subclass. Money is stored
as a DynamoDB number written from the `Decimal`'s own digits, never through `float`.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import (
    Attribute,
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.constants import NUMBER, STRING
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

_TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


class DecimalAttribute(Attribute[Decimal]):
    """A DynamoDB number that round-trips through `Decimal` text, never `float`."""

    attr_type = NUMBER

    def serialize(self, value: Decimal) -> str:
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"money must be a finite Decimal, got {value!r}")
        return format(value, "f")

    def deserialize(self, value: str) -> Decimal:
        return Decimal(value)


class UTCDateTimeAttribute(Attribute[datetime]):
    """An aware datetime stored as sortable UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`."""

    attr_type = STRING

    def serialize(self, value: datetime) -> str:
        if value.tzinfo is None:
            raise ValueError("datetimes must be timezone-aware")
        return value.astimezone(UTC).strftime(_TS_FORMAT)

    def deserialize(self, value: str) -> datetime:
        return datetime.strptime(value, _TS_FORMAT).replace(tzinfo=UTC)


class DateAttribute(Attribute[date]):
    """A calendar date stored as ISO text `YYYY-MM-DD` (sorts and compares as a string)."""

    attr_type = STRING

    def serialize(self, value: date) -> str:
        return value.isoformat()

    def deserialize(self, value: str) -> date:
        return date.fromisoformat(value)


class GSI1(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Debtors by name, debts by portfolio, payments by date."""

    class Meta:
        index_name = "GSI1"
        projection = AllProjection()

    GSI1PK = UnicodeAttribute(hash_key=True)
    GSI1SK = UnicodeAttribute(range_key=True)


class GSI2(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Debtors by document number, all debts of the tenant."""

    class Meta:
        index_name = "GSI2"
        projection = AllProjection()

    GSI2PK = UnicodeAttribute(hash_key=True)
    GSI2SK = UnicodeAttribute(range_key=True)


class GSI3(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Debtors and debts of an agent."""

    class Meta:
        index_name = "GSI3"
        projection = AllProjection()

    GSI3PK = UnicodeAttribute(hash_key=True)
    GSI3SK = UnicodeAttribute(range_key=True)


class GSI4(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """Debts by currency."""

    class Meta:
        index_name = "GSI4"
        projection = AllProjection()

    GSI4PK = UnicodeAttribute(hash_key=True)
    GSI4SK = UnicodeAttribute(range_key=True)


class GSI5(GlobalSecondaryIndex["TableItem"]):  # type: ignore[no-untyped-call]
    """The reminder planner's sparse due index: debts with a next action, sharded per tenant."""

    class Meta:
        index_name = "GSI5"
        projection = AllProjection()

    GSI5PK = UnicodeAttribute(hash_key=True)
    GSI5SK = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Base of every item in the ledger table: generic keys, discriminator, version, TTL."""

    class Meta:
        table_name = os.environ.get("RECAUDO_TABLE", "recaudo")
        region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        host = os.environ.get("RECAUDO_AWS_ENDPOINT") or None

    PK = UnicodeAttribute(hash_key=True)
    SK = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant = UnicodeAttribute()
    GSI1PK = UnicodeAttribute(null=True)
    GSI1SK = UnicodeAttribute(null=True)
    GSI2PK = UnicodeAttribute(null=True)
    GSI2SK = UnicodeAttribute(null=True)
    GSI3PK = UnicodeAttribute(null=True)
    GSI3SK = UnicodeAttribute(null=True)
    GSI4PK = UnicodeAttribute(null=True)
    GSI4SK = UnicodeAttribute(null=True)
    GSI5PK = UnicodeAttribute(null=True)
    GSI5SK = UnicodeAttribute(null=True)
    version = NumberAttribute(null=True)
    """Optimistic-lock version of mutable items; on outbox events, the event schema version."""
    expires_at = TTLAttribute(null=True, attr_name="expiresAt")

    gsi1 = GSI1()
    gsi2 = GSI2()
    gsi3 = GSI3()
    gsi4 = GSI4()
    gsi5 = GSI5()


class TenantItem(TableItem, discriminator="TENANT"):
    """Tenant settings: `T#t` / `TENANT`."""

    name = UnicodeAttribute()
    country = UnicodeAttribute()
    currency = UnicodeAttribute()
    time_zone = UnicodeAttribute(attr_name="timeZone")
    locale = UnicodeAttribute()
    sender_email = UnicodeAttribute(null=True, attr_name="senderEmail")
    sms_sender_id = UnicodeAttribute(null=True, attr_name="smsSenderId")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class PortfolioItem(TableItem, discriminator="PORTFOLIO"):
    """A portfolio: `T#t` / `PF#<id>`."""

    id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True, attr_name="externalId")
    currency = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class DebtorItem(TableItem, discriminator="DEBTOR"):
    """A debtor: `T#t#DR#<id>` / `DEBTOR`. Nested contacts and related people are JSON text."""

    id = UnicodeAttribute()
    external_id = UnicodeAttribute(attr_name="externalId")
    party_kind = UnicodeAttribute(attr_name="partyKind")
    name = UnicodeAttribute()
    document_type = UnicodeAttribute(null=True, attr_name="documentType")
    document_number = UnicodeAttribute(null=True, attr_name="documentNumber")
    time_zone = UnicodeAttribute(attr_name="timeZone")
    jurisdiction = UnicodeAttribute()
    locale = UnicodeAttribute(null=True)
    preferred_channel = UnicodeAttribute(null=True, attr_name="preferredChannel")
    opted_out_channels: ListAttribute[str] = ListAttribute(
        of=UnicodeAttribute,  # type: ignore[arg-type]
        default=list,
        attr_name="optedOutChannels",
    )
    opted_out_all = BooleanAttribute(default=False, attr_name="optedOutAll")
    contacts = UnicodeAttribute(default="[]")
    related = UnicodeAttribute(default="[]")
    tags: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    assigned_agent_id = UnicodeAttribute(null=True, attr_name="assignedAgentId")
    unapplied_credit = UnicodeAttribute(default="{}", attr_name="unappliedCredit")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class DebtItem(TableItem, discriminator="DEBT"):
    """A debt: `T#t#DR#<debtorId>` / `DEBT#<id>`; `state` is stored for filtering."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    portfolio_id = UnicodeAttribute(attr_name="portfolioId")
    external_id = UnicodeAttribute(attr_name="externalId")
    debt_kind = UnicodeAttribute(attr_name="debtKind")
    currency = UnicodeAttribute()
    original_amount = DecimalAttribute(attr_name="originalAmount")
    issue_date = DateAttribute(attr_name="issueDate")
    due_date = DateAttribute(attr_name="dueDate")
    number = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    assigned_agent_id = UnicodeAttribute(null=True, attr_name="assignedAgentId")
    tags: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, default=list)  # type: ignore[arg-type]
    custom_fields = UnicodeAttribute(default="{}", attr_name="customFields")
    paid_total = DecimalAttribute(attr_name="paidTotal")
    credit_total = DecimalAttribute(attr_name="creditTotal")
    fee_total = DecimalAttribute(attr_name="feeTotal")
    balance = DecimalAttribute()
    state = UnicodeAttribute()
    disputed = BooleanAttribute(default=False)
    dispute_reason = UnicodeAttribute(null=True, attr_name="disputeReason")
    written_off = BooleanAttribute(default=False, attr_name="writtenOff")
    write_off_reason = UnicodeAttribute(null=True, attr_name="writeOffReason")
    next_action = UnicodeAttribute(null=True, attr_name="nextAction")
    """JSON {at, campaignId, stepId, occurrence} while the debt is in the due index (GSI5)."""
    paused_until = UTCDateTimeAttribute(null=True, attr_name="pausedUntil")
    """Set while a pending promise pauses the debt's reminders (the promise's deadline)."""
    plan_id = UnicodeAttribute(null=True, attr_name="planId")
    """The ACTIVE payment plan covering the debt (IN_PLAN); the debt is then off the due index."""
    risk_band = UnicodeAttribute(null=True, attr_name="riskBand")
    """The debtor's risk band, copied by the risk refresh (UpdateItem, no version bump)."""
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class PaymentItem(TableItem, discriminator="PAYMENT"):
    """A payment: `T#t#DR#<debtorId>` / `PAY#<id>`. Allocations are JSON text with string amounts;
    `debtIds` (a string set) serves the debt filter."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    paid_at = UTCDateTimeAttribute(attr_name="paidAt")
    method = UnicodeAttribute()
    allocations = UnicodeAttribute(default="[]")
    debt_ids = UnicodeSetAttribute(null=True, attr_name="debtIds")
    unapplied = DecimalAttribute()
    idempotency_key = UnicodeAttribute(attr_name="idempotencyKey")
    reference = UnicodeAttribute(null=True)
    note = UnicodeAttribute(null=True)
    recorded_by = UnicodeAttribute(null=True, attr_name="recordedBy")
    reversed_at = UTCDateTimeAttribute(null=True, attr_name="reversedAt")
    reversal_reason = UnicodeAttribute(null=True, attr_name="reversalReason")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")


class AdjustmentItem(TableItem, discriminator="ADJUSTMENT"):
    """A credit or fee on a debt: `T#t#DR#<debtorId>` / `ADJ#<debtId>#<id>`."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_id = UnicodeAttribute(attr_name="debtId")
    adjustment_kind = UnicodeAttribute(attr_name="adjustmentKind")
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    reason = UnicodeAttribute()
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


class DisputeItem(TableItem, discriminator="DISPUTE"):
    """A dispute on a debt: `T#t#DR#<debtorId>` / `DSP#<debtId>#<id>`."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_id = UnicodeAttribute(attr_name="debtId")
    reason = UnicodeAttribute()
    opened_by = UnicodeAttribute(attr_name="openedBy")
    opened_at = UTCDateTimeAttribute(attr_name="openedAt")
    dispute_state = UnicodeAttribute(attr_name="disputeState")
    resolution = UnicodeAttribute(null=True)
    resolved_by = UnicodeAttribute(null=True, attr_name="resolvedBy")
    resolved_at = UTCDateTimeAttribute(null=True, attr_name="resolvedAt")


class ClaimItem(TableItem, discriminator="CLAIM"):
    """A unique claim: `T#t#UQ#<claim kind>#<value>` / `UQ`."""

    claim_kind = UnicodeAttribute(attr_name="claimKind")
    value = UnicodeAttribute()
    target = UnicodeAttribute(default="")
    fingerprint = UnicodeAttribute(default="")


class AuditItem(TableItem, discriminator="AUDIT"):
    """An audit entry: `T#t#AUDIT#<entityId>` / `<ts>#<auditId>`; before/after are JSON text."""

    id = UnicodeAttribute()
    entity_type = UnicodeAttribute(attr_name="entityType")
    entity_id = UnicodeAttribute(attr_name="entityId")
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    actor_role = UnicodeAttribute(attr_name="actorRole")
    at = UTCDateTimeAttribute()
    before = UnicodeAttribute(null=True)
    after = UnicodeAttribute(null=True)


class EventItem(TableItem, discriminator="EVENT"):
    """An outbox event: `T#t#OUTBOX#<eventId>` / `EVENT`; the stream publisher sends it on."""

    id = UnicodeAttribute()
    event_type = UnicodeAttribute(attr_name="type")
    occurred_at = UTCDateTimeAttribute(attr_name="occurredAt")
    aggregate_id = UnicodeAttribute(attr_name="aggregateId")
    data = UnicodeAttribute()
    published = BooleanAttribute(default=False)


def _model_classes() -> list[type[TableItem]]:
    found: list[type[TableItem]] = []
    pending: list[type[TableItem]] = [TableItem]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def configure(table_name: str | None = None, host: str | None = None, region: str | None = None) -> None:
    """Point every model at a table (and endpoint); `None` re-reads the environment.

    `RECAUDO_TABLE` (default `recaudo`), `RECAUDO_AWS_ENDPOINT` (unset: the AWS endpoint) and
    `AWS_DEFAULT_REGION` (default `us-east-1`). Cached connections are dropped.
    """
    settings: dict[str, Any] = {
        "table_name": table_name or os.environ.get("RECAUDO_TABLE", "recaudo"),
        "host": host or os.environ.get("RECAUDO_AWS_ENDPOINT") or None,
        "region": region or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
    for cls in _model_classes():
        if "Meta" in cls.__dict__ or cls is TableItem:
            for key, value in settings.items():
                setattr(cls.Meta, key, value)
        cls._connection = None
