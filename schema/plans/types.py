"""GraphQL types of payment plans."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.plans import model as pm
from domain.plans.reminders import PlannedReminder, reminder_day
from domain.plans.rules import next_due
from schema.common import Money, Node, UserError, encode_id
from schema.types import DebtNode, DebtorNode, debts_of, visible_debtor

PaymentPlanStatus = strawberry.enum(
    pm.PlanStatus,
    name="PaymentPlanStatus",
    description="ACTIVE (its debts are IN_PLAN), then COMPLETED, BROKEN (an instalment unpaid past grace) "
    "or CANCELLED.",
)
PaymentPlanFrequency = strawberry.enum(
    pm.Frequency, name="PaymentPlanFrequency", description="How far apart the instalments fall due."
)
InstalmentStatus = strawberry.enum(
    pm.InstalmentStatus,
    description="PENDING, PAID, PARTIALLY_PAID, or MISSED (unpaid past its due date + grace days).",
)
InstalmentKind = strawberry.enum(pm.InstalmentKind, description="The down payment or a regular instalment.")


def plan_gid(p: pm.PaymentPlan) -> strawberry.ID:
    return encode_id("PaymentPlan", p.debtor_id, p.id)


@strawberry.type(description="One instalment of a payment plan; payments fill the instalments in order.")
class Instalment:
    number: int = strawberry.field(
        description="1, 2, … in due order (the down payment is 1 when there is one)."
    )
    kind: InstalmentKind  # type: ignore[valid-type]
    due_date: date = strawberry.field(description="Debtor-local day.")
    amount: Money
    paid_amount: Money = strawberry.field(
        description="What the payments since the plan was made cover of it."
    )
    status: InstalmentStatus  # type: ignore[valid-type]
    remind_on: date | None = strawberry.field(
        description="The debtor-local day its INSTALMENT_DUE reminder is queued (the day before the due "
        "date); null once paid, past due, or the plan is closed."
    )

    @classmethod
    def of(cls, i: pm.Instalment, currency: str, remind_on: date | None) -> Instalment:
        return cls(
            number=i.number,
            kind=i.kind,
            due_date=i.due_date,
            amount=Money.of(i.amount, currency),
            paid_amount=Money.of(i.paid, currency),
            status=i.status,
            remind_on=remind_on,
        )


@strawberry.type(description="The next instalment reminder, as the daily sweep will queue it.")
class InstalmentReminder:
    instalment_number: int
    due_date: date
    remind_on: date = strawberry.field(description="Debtor-local day the INSTALMENT_DUE step is queued.")
    campaign_id: strawberry.ID
    campaign_name: str
    channel: str = strawberry.field(description="The step's channel (EMAIL, SMS, WHATSAPP, CALL_TASK).")

    @classmethod
    def of(cls, r: PlannedReminder) -> InstalmentReminder:
        return cls(
            instalment_number=r.instalment.number,
            due_date=r.instalment.due_date,
            remind_on=r.on,
            campaign_id=encode_id("Campaign", r.campaign.id),
            campaign_name=r.campaign.name,
            channel=r.step.channel.value,
        )


@strawberry.type(
    name="PaymentPlan",
    description="A debtor's balance on some debts split into a down payment and instalments.",
)
class PaymentPlanNode(Node):
    status: PaymentPlanStatus  # type: ignore[valid-type]
    frequency: PaymentPlanFrequency  # type: ignore[valid-type]
    total_amount: Money = strawberry.field(description="The covered debts' balance when the plan was made.")
    down_payment: Money
    paid_amount: Money = strawberry.field(description="Paid to the covered debts since the plan was made.")
    remaining_amount: Money
    instalment_count: int = strawberry.field(description="Regular instalments (the down payment apart).")
    first_due_date: date
    next_due_date: date | None = strawberry.field(description="Due date of the first instalment not paid.")
    grace_days: int = strawberry.field(
        description="Days after a due date before an unpaid instalment breaks it."
    )
    agent_id: str | None
    created_by: str
    note: str | None
    created_at: datetime | None
    closed_at: datetime | None = strawberry.field(description="When it was completed, broken or cancelled.")
    cancel_reason: str | None
    version: int
    _entity: strawberry.Private[pm.PaymentPlan]

    @classmethod
    def of(cls, p: pm.PaymentPlan) -> PaymentPlanNode:
        cur = p.currency
        return cls(
            id=plan_gid(p),
            status=p.status,
            frequency=p.frequency,
            total_amount=Money.of(p.total, cur),
            down_payment=Money.of(p.down_payment, cur),
            paid_amount=Money.of(p.paid, cur),
            remaining_amount=Money.of(p.remaining, cur),
            instalment_count=sum(1 for i in p.instalments if i.kind is pm.InstalmentKind.INSTALMENT),
            first_due_date=p.first_due_date,
            next_due_date=next_due(p) if p.active else None,
            grace_days=p.grace_days,
            agent_id=p.agent_id,
            created_by=p.created_by,
            note=p.note,
            created_at=p.created_at,
            closed_at=p.closed_at,
            cancel_reason=p.cancel_reason,
            version=p.version,
            _entity=p,
        )

    @strawberry.field(description="The instalments in due order.")
    def instalments(self, info: strawberry.Info) -> list[Instalment]:
        from schema.plans.resolvers import plan_today

        p = self._entity
        today = plan_today(info, p)
        return [
            Instalment.of(i, p.currency, reminder_day(i, today) if p.active else None) for i in p.instalments
        ]

    @strawberry.field(
        description="The next INSTALMENT_DUE reminder and the campaign step that sends it; null when "
        "nothing is left to remind or no active campaign has an INSTALMENT_DUE step for these debts."
    )
    async def next_reminder(self, info: strawberry.Info) -> InstalmentReminder | None:
        from schema.plans.resolvers import plan_next_reminder

        found = await plan_next_reminder(info, self._entity)
        return InstalmentReminder.of(found) if found else None

    @strawberry.field(description="The debtor who owes the covered debts.")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        return await visible_debtor(info, self._entity.debtor_id)

    @strawberry.field(description="The covered debts.")
    async def debts(self, info: strawberry.Info) -> list[DebtNode]:
        return await debts_of(info, self._entity.debtor_id, self._entity.debt_ids)


@strawberry.type(name="PaymentPlanSettings", description="A tenant's payment plan rules.")
class PaymentPlanSettings:
    grace_days: int = strawberry.field(
        description="Days after a due date before an unpaid instalment breaks a plan."
    )
    max_instalments: int
    max_first_due_days: int = strawberry.field(
        description="The first instalment is due at most this many days ahead."
    )
    version: int

    @classmethod
    def of(cls, s: pm.PlanSettings) -> PaymentPlanSettings:
        return cls(
            grace_days=s.grace_days,
            max_instalments=s.max_instalments,
            max_first_due_days=s.max_first_due_days,
            version=s.version,
        )


@strawberry.type
class PaymentPlanCreatePayload:
    payment_plan: PaymentPlanNode | None
    replayed: bool = strawberry.field(description="True when this idempotency key was already used.")
    errors: list[UserError]


@strawberry.type
class PaymentPlanCancelPayload:
    payment_plan: PaymentPlanNode | None
    errors: list[UserError]


@strawberry.type
class PaymentPlanSettingsUpdatePayload:
    settings: PaymentPlanSettings | None
    errors: list[UserError]
