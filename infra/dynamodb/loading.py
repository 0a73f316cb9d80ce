"""PynamoDB items → entity dataclasses (the read half of the mapping)."""

from __future__ import annotations

import json
from decimal import Decimal

from domain.entities import (
    Adjustment,
    AdjustmentKind,
    Allocation,
    AuditEntry,
    Channel,
    Debt,
    DebtKind,
    Debtor,
    Dispute,
    DisputeState,
    DomainEvent,
    PartyKind,
    Payment,
    PaymentMethod,
    Portfolio,
    Tenant,
)
from domain.ports import Claim, ClaimKind
from infra.dynamodb.codec import contact_from_json, next_action_from_json, related_from_json, restore_scale
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


def _version(item: TableItem) -> int:
    return int(item.version or 0)


def tenant_from_item(i: TenantItem) -> Tenant:
    return Tenant(
        id=i.tenant,
        name=i.name,
        country=i.country,
        currency=i.currency,
        time_zone=i.time_zone,
        locale=i.locale,
        sender_email=i.sender_email,
        sms_sender_id=i.sms_sender_id,
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=_version(i),
    )


def portfolio_from_item(i: PortfolioItem) -> Portfolio:
    return Portfolio(
        tenant=i.tenant,
        id=i.id,
        name=i.name,
        description=i.description,
        external_id=i.external_id,
        currency=i.currency,
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=_version(i),
    )


def _credit(text: str) -> dict[str, Decimal]:
    return {cur: restore_scale(Decimal(v), cur) for cur, v in json.loads(text).items()}


def debtor_from_item(i: DebtorItem) -> Debtor:
    return Debtor(
        tenant=i.tenant,
        id=i.id,
        external_id=i.external_id,
        kind=PartyKind(i.party_kind),
        name=i.name,
        document_type=i.document_type,
        document_number=i.document_number,
        time_zone=i.time_zone,
        jurisdiction=i.jurisdiction,
        locale=i.locale,
        preferred_channel=Channel(i.preferred_channel) if i.preferred_channel else None,
        opted_out_channels=[Channel(c) for c in (i.opted_out_channels or [])],
        opted_out_all=bool(i.opted_out_all),
        contacts=[contact_from_json(c) for c in json.loads(i.contacts)],
        related=[related_from_json(r) for r in json.loads(i.related)],
        tags=list(i.tags or []),
        assigned_agent_id=i.assigned_agent_id,
        unapplied_credit={
            cur: restore_scale(Decimal(v), cur) for cur, v in json.loads(i.unapplied_credit).items()
        },
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=_version(i),
    )


def debt_from_item(i: DebtItem) -> Debt:
    cur = i.currency
    return Debt(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        portfolio_id=i.portfolio_id,
        external_id=i.external_id,
        kind=DebtKind(i.debt_kind),
        currency=cur,
        original_amount=restore_scale(i.original_amount, cur),
        issue_date=i.issue_date,
        due_date=i.due_date,
        number=i.number,
        description=i.description,
        assigned_agent_id=i.assigned_agent_id,
        tags=list(i.tags or []),
        custom_fields=json.loads(i.custom_fields),
        paid_total=restore_scale(i.paid_total, cur),
        credit_total=restore_scale(i.credit_total, cur),
        fee_total=restore_scale(i.fee_total, cur),
        disputed=bool(i.disputed),
        dispute_reason=i.dispute_reason,
        written_off=bool(i.written_off),
        write_off_reason=i.write_off_reason,
        next_action=next_action_from_json(json.loads(i.next_action)) if i.next_action else None,
        paused_until=i.paused_until,
        plan_id=i.plan_id,
        risk_band=i.risk_band,
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=_version(i),
    )


def payment_from_item(i: PaymentItem) -> Payment:
    cur = i.currency
    return Payment(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        amount=restore_scale(i.amount, cur),
        currency=cur,
        paid_at=i.paid_at,
        method=PaymentMethod(i.method),
        allocations=[
            Allocation(a["debtId"], restore_scale(Decimal(a["amount"]), cur))
            for a in json.loads(i.allocations)
        ],
        unapplied=restore_scale(i.unapplied, cur),
        idempotency_key=i.idempotency_key,
        reference=i.reference,
        note=i.note,
        recorded_by=i.recorded_by,
        reversed_at=i.reversed_at,
        reversal_reason=i.reversal_reason,
        created_at=i.created_at,
        version=_version(i),
    )


def adjustment_from_item(i: AdjustmentItem) -> Adjustment:
    return Adjustment(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_id=i.debt_id,
        kind=AdjustmentKind(i.adjustment_kind),
        amount=restore_scale(i.amount, i.currency),
        currency=i.currency,
        reason=i.reason,
        created_by=i.created_by,
        created_at=i.created_at,
        version=_version(i),
    )


def dispute_from_item(i: DisputeItem) -> Dispute:
    return Dispute(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_id=i.debt_id,
        reason=i.reason,
        opened_by=i.opened_by,
        opened_at=i.opened_at,
        state=DisputeState(i.dispute_state),
        resolution=i.resolution,
        resolved_by=i.resolved_by,
        resolved_at=i.resolved_at,
        version=_version(i),
    )


def claim_from_item(i: ClaimItem) -> Claim:
    return Claim(ClaimKind(i.claim_kind), i.value, i.target or "", i.fingerprint or "")


def audit_from_item(i: AuditItem) -> AuditEntry:
    return AuditEntry(
        tenant=i.tenant,
        id=i.id,
        entity_type=i.entity_type,
        entity_id=i.entity_id,
        action=i.action,
        actor=i.actor,
        actor_role=i.actor_role,
        at=i.at,
        before=None if i.before is None else json.loads(i.before),
        after=None if i.after is None else json.loads(i.after),
    )


def event_from_item(i: EventItem) -> DomainEvent:
    return DomainEvent(
        tenant=i.tenant,
        id=i.id,
        type=i.event_type,
        version=_version(i),
        occurred_at=i.occurred_at,
        aggregate_id=i.aggregate_id,
        data=json.loads(i.data),
    )
