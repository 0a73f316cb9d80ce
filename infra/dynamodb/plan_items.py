"""Payment plan items of the single table (DESIGN.md): keys, PynamoDB models and the entity mapping.

A plan lives in its debtor's partition (`T#t#DR#<debtorId>` / `PLN#<id>`), next to the debts it
covers, and is listed by status and day on GSI1 (`T#t#PLANS` / `<status>#<day>#<id>`) and, when an
agent owns it, on GSI3 (`T#t#AG#<agentId>#PLN` / the same sort key). The day is the due date of the
first unpaid instalment while ACTIVE (the sweep reads `ACTIVE#` up to a day), the closing day after.
The instalments are one JSON attribute (a plan has at most a few dozen).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from domain.plans.model import (
    Frequency,
    Instalment,
    InstalmentKind,
    InstalmentStatus,
    PaymentPlan,
    PlanSettings,
    PlanStatus,
)
from domain.plans.rules import next_due
from infra.dynamodb import keys
from infra.dynamodb.codec import dumps, restore_scale
from infra.dynamodb.models import DateAttribute, DecimalAttribute, TableItem, UTCDateTimeAttribute

PLAN_PREFIX = "PLN#"
SETTINGS_SK = "PLAN_SETTINGS"


def plan_sk(plan_id: str) -> str:
    return f"{PLAN_PREFIX}{plan_id}"


def plans_pk(tenant: str) -> str:
    """GSI1 partition of every plan of the tenant, by status and day."""
    return f"{keys.tenant_prefix(tenant)}PLANS"


def agent_plans_pk(tenant: str, agent_id: str) -> str:
    """GSI3 partition of the plans of one agent, by status and day."""
    return f"{keys.agent_pk(tenant, agent_id)}#PLN"


def plan_day(p: PaymentPlan) -> date:
    """The sort key's day: the first unpaid instalment's due date while ACTIVE, else the closing day."""
    if p.active:
        return next_due(p) or p.first_due_date
    return p.closed_at.date() if p.closed_at else p.first_due_date


def plan_sort(status: PlanStatus | str, day: date | str, plan_id: str) -> str:
    text = day.isoformat() if isinstance(day, date) else day
    return f"{status}#{text}#{plan_id}"


class PlanItem(TableItem, discriminator="PAYMENT_PLAN"):
    """A payment plan: `T#t#DR#<debtorId>` / `PLN#<id>` (see the module docstring)."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_ids: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, attr_name="debtIds")  # type: ignore[arg-type]
    currency = UnicodeAttribute()
    total = DecimalAttribute()
    down_payment = DecimalAttribute(attr_name="downPayment")
    frequency = UnicodeAttribute()
    first_due_date = DateAttribute(attr_name="firstDueDate")
    instalments = UnicodeAttribute()
    """JSON [{number, kind, dueDate, amount, paid, status}]; amounts as decimal strings."""
    grace_days = NumberAttribute(attr_name="graceDays")
    time_zone = UnicodeAttribute(attr_name="timeZone")
    baseline_paid = UnicodeAttribute(attr_name="baselinePaid")
    """JSON {debtId: paid total when the plan was made}."""
    status = UnicodeAttribute()
    paid = DecimalAttribute()
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    created_by = UnicodeAttribute(attr_name="createdBy")
    idempotency_key = UnicodeAttribute(attr_name="idempotencyKey")
    portfolio_ids: ListAttribute[str] = ListAttribute(
        of=UnicodeAttribute,  # type: ignore[arg-type]
        default=list,
        attr_name="portfolioIds",
    )
    note = UnicodeAttribute(null=True)
    closed_at = UTCDateTimeAttribute(null=True, attr_name="closedAt")
    cancel_reason = UnicodeAttribute(null=True, attr_name="cancelReason")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")


class PlanSettingsItem(TableItem, discriminator="PLAN_SETTINGS"):
    """`T#t` / `PLAN_SETTINGS`: the tenant's plan rules (absent: the defaults)."""

    grace_days = NumberAttribute(attr_name="graceDays")
    max_instalments = NumberAttribute(attr_name="maxInstalments")
    max_first_due_days = NumberAttribute(attr_name="maxFirstDueDays")


def _instalment_json(i: Instalment) -> dict[str, Any]:
    return {
        "number": i.number,
        "kind": i.kind.value,
        "dueDate": i.due_date.isoformat(),
        "amount": str(i.amount),
        "paid": str(i.paid),
        "status": i.status.value,
    }


def _instalment(d: dict[str, Any]) -> Instalment:
    return Instalment(
        number=int(d["number"]),
        kind=InstalmentKind(d["kind"]),
        due_date=date.fromisoformat(d["dueDate"]),
        amount=Decimal(d["amount"]),
        paid=Decimal(d["paid"]),
        status=InstalmentStatus(d["status"]),
    )


def plan_item(tenant: str, p: PaymentPlan) -> TableItem:
    sort = plan_sort(p.status.value, plan_day(p), p.id)
    item = PlanItem(
        keys.debtor_pk(tenant, p.debtor_id),
        plan_sk(p.id),
        tenant=tenant,
        version=p.version,
        id=p.id,
        debtor_id=p.debtor_id,
        debt_ids=list(p.debt_ids),
        currency=p.currency,
        total=p.total,
        down_payment=p.down_payment,
        frequency=p.frequency.value,
        first_due_date=p.first_due_date,
        instalments=dumps([_instalment_json(i) for i in p.instalments]),
        grace_days=p.grace_days,
        time_zone=p.time_zone,
        baseline_paid=dumps({k: str(v) for k, v in p.baseline_paid.items()}),
        status=p.status.value,
        paid=p.paid,
        agent_id=p.agent_id,
        created_by=p.created_by,
        idempotency_key=p.idempotency_key,
        portfolio_ids=list(p.portfolio_ids),
        note=p.note,
        closed_at=p.closed_at,
        cancel_reason=p.cancel_reason,
        created_at=p.created_at,
        updated_at=p.updated_at,
        GSI1PK=plans_pk(tenant),
        GSI1SK=sort,
    )
    if p.agent_id:
        item.GSI3PK = agent_plans_pk(tenant, p.agent_id)
        item.GSI3SK = sort
    return item


def plan_from_item(i: PlanItem) -> PaymentPlan:
    cur = i.currency
    return PaymentPlan(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_ids=list(i.debt_ids or []),
        currency=cur,
        total=restore_scale(i.total, cur),
        down_payment=restore_scale(i.down_payment, cur),
        frequency=Frequency(i.frequency),
        first_due_date=i.first_due_date,
        instalments=[_instalment(d) for d in json.loads(i.instalments)],
        grace_days=int(i.grace_days),
        time_zone=i.time_zone,
        baseline_paid={k: Decimal(v) for k, v in json.loads(i.baseline_paid).items()},
        status=PlanStatus(i.status),
        paid=restore_scale(i.paid or Decimal(0), cur),
        agent_id=i.agent_id,
        created_by=i.created_by,
        idempotency_key=i.idempotency_key,
        portfolio_ids=list(i.portfolio_ids or []),
        note=i.note,
        closed_at=i.closed_at,
        cancel_reason=i.cancel_reason,
        created_at=i.created_at,
        updated_at=i.updated_at,
        version=int(i.version or 0),
    )


def settings_item(tenant: str, s: PlanSettings) -> PlanSettingsItem:
    return PlanSettingsItem(
        keys.tenant_pk(tenant),
        SETTINGS_SK,
        tenant=tenant,
        grace_days=s.grace_days,
        max_instalments=s.max_instalments,
        max_first_due_days=s.max_first_due_days,
    )


def settings_from_item(i: PlanSettingsItem) -> PlanSettings:
    return PlanSettings(
        grace_days=int(i.grace_days),
        max_instalments=int(i.max_instalments),
        max_first_due_days=int(i.max_first_due_days),
        version=int(i.version or 0),
    )
