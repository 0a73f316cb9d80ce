"""Entity dataclasses ⇄ PynamoDB items, including every key attribute of DESIGN.md.

The write half lives here; the read half (`*_from_item`) in `loading.py`, re-exported.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from domain.entities import (
    Adjustment,
    AuditEntry,
    Debt,
    Debtor,
    DebtState,
    Dispute,
    DomainEvent,
    NextAction,
    Payment,
    Portfolio,
    Tenant,
)
from domain.plans.model import PaymentPlan
from domain.ports import Claim, Entity
from domain.promises.model import Promise
from domain.terms.model import DebtExtension, DiscountOffer
from infra.dynamodb import keys
from infra.dynamodb.codec import contact_to_json, dumps, next_action_to_json, related_to_json
from infra.dynamodb.loading import (
    adjustment_from_item,
    audit_from_item,
    claim_from_item,
    debt_from_item,
    debtor_from_item,
    dispute_from_item,
    event_from_item,
    payment_from_item,
    portfolio_from_item,
    tenant_from_item,
)
from infra.dynamodb.models import (
    AdjustmentItem,
    AuditItem,
    ClaimItem,
    DebtItem,
    DebtorItem,
    DisputeItem,
    EventItem,
    PaymentItem,
    PortfolioItem,
    TableItem,
    TenantItem,
)
from infra.dynamodb.plan_items import plan_item
from infra.dynamodb.promise_items import promise_item
from infra.dynamodb.terms_items import extension_item, offer_item

__all__ = [
    "adjustment_from_item",
    "audit_from_item",
    "audit_item",
    "claim_from_item",
    "claim_item",
    "debt_from_item",
    "debtor_from_item",
    "dispute_from_item",
    "entity_tenant",
    "event_from_item",
    "event_item",
    "norm_name",
    "payment_from_item",
    "portfolio_from_item",
    "tenant_from_item",
    "to_item",
]


def norm_name(name: str) -> str:
    """Search form of a name: casefolded, accents stripped (NFKD), whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


# --- entity → item -------------------------------------------------------------------------------


def _tenant_item(tenant: str, t: Tenant) -> TableItem:
    return TenantItem(
        keys.tenant_pk(tenant),
        keys.TENANT_SK,
        tenant=tenant,
        version=t.version,
        name=t.name,
        country=t.country,
        currency=t.currency,
        time_zone=t.time_zone,
        locale=t.locale,
        sender_email=t.sender_email,
        sms_sender_id=t.sms_sender_id,
        created_at=t.created_at,
        updated_at=t.updated_at,
        GSI1PK=keys.TENANTS_PK,
        GSI1SK=keys.check_tenant(tenant),
    )


def _portfolio_item(tenant: str, p: Portfolio) -> TableItem:
    return PortfolioItem(
        keys.tenant_pk(tenant),
        keys.portfolio_sk(p.id),
        tenant=tenant,
        version=p.version,
        id=p.id,
        name=p.name,
        description=p.description,
        external_id=p.external_id,
        currency=p.currency,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def _debtor_item(tenant: str, d: Debtor) -> TableItem:
    name = norm_name(d.name)
    item = DebtorItem(
        keys.debtor_pk(tenant, d.id),
        keys.DEBTOR_SK,
        tenant=tenant,
        version=d.version,
        id=d.id,
        external_id=d.external_id,
        party_kind=d.kind.value,
        name=d.name,
        document_type=d.document_type,
        document_number=d.document_number,
        time_zone=d.time_zone,
        jurisdiction=d.jurisdiction,
        locale=d.locale,
        preferred_channel=d.preferred_channel.value if d.preferred_channel else None,
        opted_out_channels=[c.value for c in d.opted_out_channels],
        opted_out_all=d.opted_out_all,
        contacts=dumps([contact_to_json(c) for c in d.contacts]),
        related=dumps([related_to_json(r) for r in d.related]),
        tags=list(d.tags),
        assigned_agent_id=d.assigned_agent_id,
        unapplied_credit=dumps({cur: str(v) for cur, v in d.unapplied_credit.items()}),
        created_at=d.created_at,
        updated_at=d.updated_at,
        GSI1PK=keys.debtors_pk(tenant),
        GSI1SK=f"{name}#{d.id}",
    )
    if d.document_number:
        item.GSI2PK = keys.document_pk(tenant, d.document_number)
        item.GSI2SK = f"{keys.AGENT_DEBTOR_PREFIX}{d.id}"
    if d.assigned_agent_id:
        item.GSI3PK = keys.agent_pk(tenant, d.assigned_agent_id)
        item.GSI3SK = f"{keys.AGENT_DEBTOR_PREFIX}{name}#{d.id}"
    return item


def _debt_item(tenant: str, d: Debt) -> TableItem:
    sort = keys.debt_sort(d.state.value, d.due_date, d.id)
    item = DebtItem(
        keys.debtor_pk(tenant, d.debtor_id),
        keys.debt_sk(d.id),
        tenant=tenant,
        version=d.version,
        id=d.id,
        debtor_id=d.debtor_id,
        portfolio_id=d.portfolio_id,
        external_id=d.external_id,
        debt_kind=d.kind.value,
        currency=d.currency,
        original_amount=d.original_amount,
        issue_date=d.issue_date,
        due_date=d.due_date,
        number=d.number,
        description=d.description,
        assigned_agent_id=d.assigned_agent_id,
        tags=list(d.tags),
        custom_fields=dumps(d.custom_fields),
        paid_total=d.paid_total,
        credit_total=d.credit_total,
        fee_total=d.fee_total,
        balance=d.balance,
        state=d.state.value,
        disputed=d.disputed,
        dispute_reason=d.dispute_reason,
        written_off=d.written_off,
        write_off_reason=d.write_off_reason,
        paused_until=d.paused_until,
        plan_id=d.plan_id,
        created_at=d.created_at,
        updated_at=d.updated_at,
        GSI1PK=keys.portfolio_debts_pk(tenant, d.portfolio_id),
        GSI1SK=sort,
        GSI2PK=keys.tenant_debts_pk(tenant),
        GSI2SK=sort,
        GSI4PK=keys.currency_debts_pk(tenant, d.currency),
        GSI4SK=sort,
    )
    if d.assigned_agent_id:
        item.GSI3PK = keys.agent_pk(tenant, d.assigned_agent_id)
        item.GSI3SK = f"{keys.AGENT_DEBT_PREFIX}{sort}"
    item.risk_band = d.risk_band
    action = d.next_action
    if action is not None:
        item.next_action = dumps(next_action_to_json(action))
    marked_at = d.updated_at or d.created_at
    if action is None and d.state is DebtState.OPEN and marked_at is not None:
        # An open debt without a schedule (reopened by a reversal, or written before campaigns
        # existed) is put up for evaluation: the next planner cycle works out its cadence.
        # Only the index keys are written; the due index reader turns them into an "evaluate" mark.
        action = NextAction(at=marked_at, campaign_id="", step_id="", occurrence=d.due_date)
    if action is not None and d.state is DebtState.OPEN and d.plan_id is None:
        # Only open debts sit in the due index: paying, disputing or writing off a debt takes it
        # out in the same write, so the planner never sees it again; nor does a payment plan's
        # (IN_PLAN) debt, until the write that closes the plan puts it up for evaluation.
        item.GSI5PK = keys.due_pk(tenant, keys.due_shard(d.id))
        item.GSI5SK = keys.due_sort(action.at, d.id)
    return item


def _payment_item(tenant: str, p: Payment) -> TableItem:
    return PaymentItem(
        keys.debtor_pk(tenant, p.debtor_id),
        keys.payment_sk(p.id),
        tenant=tenant,
        version=p.version,
        id=p.id,
        debtor_id=p.debtor_id,
        amount=p.amount,
        currency=p.currency,
        paid_at=p.paid_at,
        method=p.method.value,
        allocations=dumps([{"debtId": a.debt_id, "amount": str(a.amount)} for a in p.allocations]),
        debt_ids={a.debt_id for a in p.allocations} or None,
        unapplied=p.unapplied,
        idempotency_key=p.idempotency_key,
        reference=p.reference,
        note=p.note,
        recorded_by=p.recorded_by,
        reversed_at=p.reversed_at,
        reversal_reason=p.reversal_reason,
        created_at=p.created_at,
        GSI1PK=keys.payments_pk(tenant),
        GSI1SK=keys.payment_sort(p.paid_at, p.id),
    )


def _adjustment_item(tenant: str, a: Adjustment) -> TableItem:
    return AdjustmentItem(
        keys.debtor_pk(tenant, a.debtor_id),
        keys.adjustment_sk(a.debt_id, a.id),
        tenant=tenant,
        version=a.version,
        id=a.id,
        debtor_id=a.debtor_id,
        debt_id=a.debt_id,
        adjustment_kind=a.kind.value,
        amount=a.amount,
        currency=a.currency,
        reason=a.reason,
        created_by=a.created_by,
        created_at=a.created_at,
    )


def _dispute_item(tenant: str, d: Dispute) -> TableItem:
    return DisputeItem(
        keys.debtor_pk(tenant, d.debtor_id),
        keys.dispute_sk(d.debt_id, d.id),
        tenant=tenant,
        version=d.version,
        id=d.id,
        debtor_id=d.debtor_id,
        debt_id=d.debt_id,
        reason=d.reason,
        opened_by=d.opened_by,
        opened_at=d.opened_at,
        dispute_state=d.state.value,
        resolution=d.resolution,
        resolved_by=d.resolved_by,
        resolved_at=d.resolved_at,
    )


_TO_ITEM: dict[type, Callable[[str, Any], TableItem]] = {
    Tenant: _tenant_item,
    Portfolio: _portfolio_item,
    Debtor: _debtor_item,
    Debt: _debt_item,
    Payment: _payment_item,
    Adjustment: _adjustment_item,
    Dispute: _dispute_item,
    Promise: promise_item,
    PaymentPlan: plan_item,
    DebtExtension: extension_item,
    DiscountOffer: offer_item,
}


def entity_tenant(entity: Entity) -> str:
    """The tenant an entity belongs to (a Tenant is its own)."""
    return entity.id if isinstance(entity, Tenant) else entity.tenant


def to_item(tenant: str, entity: Entity) -> TableItem:
    """The table item of an entity, with every key and index attribute filled in."""
    return _TO_ITEM[type(entity)](tenant, entity)


def claim_item(tenant: str, claim: Claim) -> ClaimItem:
    return ClaimItem(
        keys.claim_pk(tenant, claim.kind.value, claim.value),
        keys.CLAIM_SK,
        tenant=tenant,
        claim_kind=claim.kind.value,
        value=claim.value,
        target=claim.target,
        fingerprint=claim.fingerprint,
    )


def audit_item(tenant: str, a: AuditEntry) -> AuditItem:
    return AuditItem(
        keys.audit_pk(tenant, a.entity_id),
        keys.audit_sk(a.at, a.id),
        tenant=tenant,
        id=a.id,
        entity_type=a.entity_type,
        entity_id=a.entity_id,
        action=a.action,
        actor=a.actor,
        actor_role=a.actor_role,
        at=a.at,
        before=None if a.before is None else dumps(a.before),
        after=None if a.after is None else dumps(a.after),
    )


def event_item(tenant: str, e: DomainEvent) -> EventItem:
    return EventItem(
        keys.outbox_pk(tenant, e.id),
        keys.OUTBOX_SK,
        tenant=tenant,
        id=e.id,
        event_type=e.type,
        version=e.version,
        occurred_at=e.occurred_at,
        aggregate_id=e.aggregate_id,
        data=dumps(e.data),
        published=False,
    )
