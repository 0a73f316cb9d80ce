"""Promise items of the single table (DESIGN.md): keys, PynamoDB models and the entity mapping.

A promise lives in its debtor's partition (`T#t#DR#<debtorId>` / `PRM#<id>`) and is listed by status
and promised date on GSI1 (`T#t#PROMISES` / `<status>#<promisedDate>#<id>`) and, when an agent took
it or owns the debtor, on GSI3 (`T#t#AG#<agentId>#PRM` / the same sort key). Debts use GSI1 and GSI3
with their own key values; the item kind keeps the two apart.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from domain.entities import Channel
from domain.promises.model import Promise, PromiseSettings, PromiseStatus
from infra.dynamodb import keys
from infra.dynamodb.codec import restore_scale
from infra.dynamodb.models import DateAttribute, DecimalAttribute, TableItem, UTCDateTimeAttribute

PROMISE_PREFIX = "PRM#"
SETTINGS_SK = "PROMISE_SETTINGS"


def promise_sk(promise_id: str) -> str:
    return f"{PROMISE_PREFIX}{promise_id}"


def promises_pk(tenant: str) -> str:
    """GSI1 partition of every promise of the tenant, by status and promised date."""
    return f"{keys.tenant_prefix(tenant)}PROMISES"


def agent_promises_pk(tenant: str, agent_id: str) -> str:
    """GSI3 partition of the promises of one agent, by status and promised date."""
    return f"{keys.agent_pk(tenant, agent_id)}#PRM"


def promise_sort(status: PromiseStatus | str, promised: date | str, promise_id: str) -> str:
    day = promised.isoformat() if isinstance(promised, date) else promised
    return f"{status}#{day}#{promise_id}"


class PromiseItem(TableItem, discriminator="PROMISE"):
    """A promise to pay: `T#t#DR#<debtorId>` / `PRM#<id>` (see the module docstring)."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_ids: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, attr_name="debtIds")  # type: ignore[arg-type]
    amount = DecimalAttribute()
    currency = UnicodeAttribute()
    promised_date = DateAttribute(attr_name="promisedDate")
    deadline = UTCDateTimeAttribute()
    channel = UnicodeAttribute()
    status = UnicodeAttribute()
    kept_amount = DecimalAttribute(attr_name="keptAmount")
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    created_by = UnicodeAttribute(attr_name="createdBy")
    approved_by = UnicodeAttribute(null=True, attr_name="approvedBy")
    note = UnicodeAttribute(null=True)
    idempotency_key = UnicodeAttribute(attr_name="idempotencyKey")
    recorded_at = UTCDateTimeAttribute(null=True, attr_name="recordedAt")
    time_zone = UnicodeAttribute(attr_name="timeZone")
    portfolio_ids: ListAttribute[str] = ListAttribute(
        of=UnicodeAttribute,  # type: ignore[arg-type]
        default=list,
        attr_name="portfolioIds",
    )
    closed_at = UTCDateTimeAttribute(null=True, attr_name="closedAt")
    cancel_reason = UnicodeAttribute(null=True, attr_name="cancelReason")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class PromiseSettingsItem(TableItem, discriminator="PROMISE_SETTINGS"):
    """`T#t` / `PROMISE_SETTINGS`: the tenant's promise rules (absent: the defaults)."""

    horizon_days = NumberAttribute(attr_name="horizonDays")
    grace_days = NumberAttribute(attr_name="graceDays")
    broken_threshold = NumberAttribute(attr_name="brokenThreshold")
    broken_window_days = NumberAttribute(attr_name="brokenWindowDays")


def promise_item(tenant: str, p: Promise) -> TableItem:
    sort = promise_sort(p.status.value, p.promised_date, p.id)
    item = PromiseItem(
        keys.debtor_pk(tenant, p.debtor_id),
        promise_sk(p.id),
        tenant=tenant,
        version=p.version,
        id=p.id,
        debtor_id=p.debtor_id,
        debt_ids=list(p.debt_ids),
        amount=p.amount,
        currency=p.currency,
        promised_date=p.promised_date,
        deadline=p.deadline,
        channel=p.channel.value,
        status=p.status.value,
        kept_amount=p.kept_amount,
        agent_id=p.agent_id,
        created_by=p.created_by,
        approved_by=p.approved_by,
        note=p.note,
        idempotency_key=p.idempotency_key,
        recorded_at=p.recorded_at,
        time_zone=p.time_zone,
        portfolio_ids=list(p.portfolio_ids),
        closed_at=p.closed_at,
        cancel_reason=p.cancel_reason,
        created_at=p.created_at,
        updated_at=p.updated_at,
        GSI1PK=promises_pk(tenant),
        GSI1SK=sort,
    )
    if p.agent_id:
        item.GSI3PK = agent_promises_pk(tenant, p.agent_id)
        item.GSI3SK = sort
    return item


def promise_from_item(i: PromiseItem) -> Promise:
    cur = i.currency
    return Promise(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_ids=list(i.debt_ids or []),
        amount=restore_scale(i.amount, cur),
        currency=cur,
        promised_date=i.promised_date,
        deadline=i.deadline,
        channel=Channel(i.channel),
        status=PromiseStatus(i.status),
        kept_amount=restore_scale(i.kept_amount or Decimal(0), cur),
        agent_id=i.agent_id,
        created_by=i.created_by,
        approved_by=i.approved_by,
        note=i.note,
        idempotency_key=i.idempotency_key,
        recorded_at=i.recorded_at,
        time_zone=i.time_zone,
        portfolio_ids=list(i.portfolio_ids or []),
        closed_at=i.closed_at,
        cancel_reason=i.cancel_reason,
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=int(i.version or 0),
    )


def settings_item(tenant: str, s: PromiseSettings) -> PromiseSettingsItem:
    return PromiseSettingsItem(
        keys.tenant_pk(tenant),
        SETTINGS_SK,
        tenant=tenant,
        horizon_days=s.horizon_days,
        grace_days=s.grace_days,
        broken_threshold=s.broken_threshold,
        broken_window_days=s.broken_window_days,
    )


def settings_from_item(i: PromiseSettingsItem) -> PromiseSettings:
    return PromiseSettings(
        horizon_days=int(i.horizon_days),
        grace_days=int(i.grace_days),
        broken_threshold=int(i.broken_threshold),
        broken_window_days=int(i.broken_window_days),
        version=int(i.version or 0),
    )
