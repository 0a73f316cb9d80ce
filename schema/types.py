"""GraphQL object types of the ledger. Each wraps a domain entity; none is a storage model."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from domain import entities as e
from domain.ledger import aging_bucket, days_past_due, debt_status
from domain.ports import PageRequest, PaymentQuery
from schema.common import Connection, Money, Node, encode_id, list_connection, page_request, to_connection
from schema.errors import query
from schema.reminder_state import DebtReminders

if TYPE_CHECKING:
    from schema.agents.types import Agent, RiskScore
    from schema.campaigns.types import Message
    from schema.interactions.types import TimelineEntry
    from schema.plans.types import PaymentPlanNode
    from schema.promises.types import PromiseNode
    from schema.summaries.types import CurrencySummary
    from schema.terms.types import DebtExtensionNode, DiscountOfferNode

_SUMMARY_DOC = (
    "Per currency: debts, debtors, original amount, balance, overdue balance and aging. Live counts "
    "and amounts with the aging of the latest nightly snapshot when `asOf` is null or today; a past "
    "`asOf` reads that day's snapshot (SNAPSHOT_NOT_FOUND when none was taken). ADMIN, SUPERVISOR."
)

PartyKind = strawberry.enum(e.PartyKind, description="A person or a company.")
ContactKind = strawberry.enum(e.ContactKind, description="Kind of contact point.")
ContactStatus = strawberry.enum(e.ContactStatus, description="Whether a contact point may be used.")
Channel = strawberry.enum(e.Channel, description="A communication channel.")
RelationKind = strawberry.enum(e.RelationKind, description="How a related person relates to the debtor.")
DebtKind = strawberry.enum(e.DebtKind, description="What kind of obligation a debt is.")
DebtStatus = strawberry.enum(e.DebtStatus, description="Derived status on the day asked.")
AgingBucket = strawberry.enum(e.AgingBucket, description="Days-past-due bucket.")
PaymentMethod = strawberry.enum(e.PaymentMethod, description="How a payment was made.")
AdjustmentKind = strawberry.enum(e.AdjustmentKind, description="CREDIT lowers a balance, FEE raises it.")
DisputeState = strawberry.enum(e.DisputeState, description="Whether a dispute is still open.")


def debt_gid(debt: e.Debt) -> strawberry.ID:
    return encode_id("Debt", debt.debtor_id, debt.id)


async def visible_debtor(info: strawberry.Info, debtor_id: str) -> DebtorNode | None:
    """A debtor through the request's DataLoader, or None when the caller may not see it (an agent
    sees only its own debtors)."""
    found: e.Debtor | None = await info.context.loaders.debtor.load(debtor_id)
    if found is None or not info.context.principal.sees_agent(found.assigned_agent_id):
        return None
    return DebtorNode.of(found)


async def debts_of(info: strawberry.Info, debtor_id: str, debt_ids: list[str]) -> list[DebtNode]:
    """One debtor's debts by id, in that order, through the request's DataLoader (missing ones left out)."""
    found = await info.context.loaders.debt.load_many([(debtor_id, d) for d in debt_ids])
    return [DebtNode.of(d) for d in found if d is not None]


@strawberry.type(name="Tenant", description="The creditor company's settings.")
class TenantNode:
    id: strawberry.ID
    name: str
    country: str = strawberry.field(description="ISO 3166-1 alpha-2.")
    default_currency: str = strawberry.field(description="ISO 4217.")
    time_zone: str = strawberry.field(description="IANA time zone; aging is computed on its calendar.")
    locale: str
    sender_email: str | None
    sms_sender_id: str | None

    @classmethod
    def of(cls, t: e.Tenant) -> TenantNode:
        return cls(
            id=strawberry.ID(t.id),
            name=t.name,
            country=t.country,
            default_currency=t.currency,
            time_zone=t.time_zone,
            locale=t.locale,
            sender_email=t.sender_email,
            sms_sender_id=t.sms_sender_id,
        )

    @strawberry.field(description=_SUMMARY_DOC)
    def summary(
        self, info: strawberry.Info, as_of: date | None = None
    ) -> list[Annotated[CurrencySummary, strawberry.lazy("schema.summaries.types")]]:
        from schema.summaries.resolvers import summary

        return summary(info, None, as_of)


@strawberry.type(name="Portfolio", description="A portfolio (cartera): a named group of debts.")
class PortfolioNode(Node):
    name: str
    description: str | None
    external_id: str | None
    currency: str | None = strawberry.field(description="When set, every debt in it uses this currency.")
    created_at: datetime | None
    updated_at: datetime | None
    _entity: strawberry.Private[e.Portfolio]

    @classmethod
    def of(cls, p: e.Portfolio) -> PortfolioNode:
        return cls(
            id=encode_id("Portfolio", p.id),
            name=p.name,
            description=p.description,
            external_id=p.external_id,
            currency=p.currency,
            created_at=p.created_at,
            updated_at=p.updated_at,
            _entity=p,
        )

    @strawberry.field(description=_SUMMARY_DOC)
    def summary(
        self, info: strawberry.Info, as_of: date | None = None
    ) -> list[Annotated[CurrencySummary, strawberry.lazy("schema.summaries.types")]]:
        from schema.summaries.resolvers import summary

        return summary(info, self._entity.id, as_of)

    @strawberry.field(description="Debts of this portfolio.")
    def debts(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        status: DebtStatus | None = None,
    ) -> Connection[DebtNode]:  # type: ignore[valid-type]
        from domain.services.debts import DebtFilter

        page = query(
            lambda: info.context.ledger.debts.list(
                info.context.principal,
                DebtFilter(portfolio_id=self._entity.id, status=status),
                page_request(first, after),
            )
        )
        return to_connection(page, DebtNode.of)


@strawberry.type(description="An email, phone, WhatsApp number or address, with consent and status.")
class ContactPoint:
    kind: ContactKind  # type: ignore[valid-type]
    value: str = strawberry.field(description="Emails normalised; phones in E.164.")
    consent: bool
    status: ContactStatus  # type: ignore[valid-type]
    label: str | None
    primary: bool

    @classmethod
    def of(cls, c: e.ContactPoint) -> ContactPoint:
        return cls(
            kind=c.kind, value=c.value, consent=c.consent, status=c.status, label=c.label, primary=c.primary
        )


@strawberry.type(description="A guarantor, co-debtor or reference, with their own contact points.")
class RelatedPerson:
    relation: RelationKind  # type: ignore[valid-type]
    name: str
    document_type: str | None
    document_number: str | None
    contacts: list[ContactPoint]


@strawberry.type(name="Debtor", description="A person or company that owes money.")
class DebtorNode(Node):
    external_id: str
    kind: PartyKind  # type: ignore[valid-type]
    name: str
    document_type: str | None
    document_number: str | None
    time_zone: str
    jurisdiction: str = strawberry.field(description="Country whose collection laws apply (ISO 3166).")
    locale: str | None
    preferred_channel: Channel | None  # type: ignore[valid-type]
    contacts: list[ContactPoint]
    related: list[RelatedPerson]
    tags: list[str]
    assigned_agent_id: str | None
    unapplied_credit: list[Money] = strawberry.field(
        description="Overpayments not yet applied, per currency."
    )
    created_at: datetime | None
    updated_at: datetime | None
    _entity: strawberry.Private[e.Debtor]

    @classmethod
    def of(cls, d: e.Debtor) -> DebtorNode:
        return cls(
            id=encode_id("Debtor", d.id),
            external_id=d.external_id,
            kind=d.kind,
            name=d.name,
            document_type=d.document_type,
            document_number=d.document_number,
            time_zone=d.time_zone,
            jurisdiction=d.jurisdiction,
            locale=d.locale,
            preferred_channel=d.preferred_channel,
            contacts=[ContactPoint.of(c) for c in d.contacts],
            related=[
                RelatedPerson(
                    relation=r.relation,
                    name=r.name,
                    document_type=r.document_type,
                    document_number=r.document_number,
                    contacts=[ContactPoint.of(c) for c in r.contacts],
                )
                for r in d.related
            ],
            tags=list(d.tags),
            assigned_agent_id=d.assigned_agent_id,
            unapplied_credit=[Money.of(v, k) for k, v in sorted(d.unapplied_credit.items())],
            created_at=d.created_at,
            updated_at=d.updated_at,
            _entity=d,
        )

    @strawberry.field(description="Channels the debtor asked not to be contacted on at all.")
    def opted_out_channels(self) -> list[Channel]:  # type: ignore[valid-type]
        return list(self._entity.opted_out_channels)

    @strawberry.field(description="The debtor asked to stop all contact.")
    def opted_out_all(self) -> bool:
        return self._entity.opted_out_all

    @strawberry.field(
        description="Reminder messages to this debtor (sent, blocked, skipped …), newest first."
    )
    def messages(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[Message, strawberry.lazy("schema.campaigns.types")]]:
        from schema.campaigns.resolvers import reminders
        from schema.campaigns.types import Message as MessageType

        page = reminders(info).messages.of_debtor(
            info.context.principal, self._entity.id, page_request(first, after)
        )
        return to_connection(page, MessageType.of)

    @strawberry.field(
        description=(
            "The debtor 360: interactions, messages, payments, disputes and adjustments in one stream, "
            "newest first (each page costs at most one query per kind of record)."
        )
    )
    def timeline(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[TimelineEntry, strawberry.lazy("schema.interactions.types")]]:
        from schema.interactions.resolvers import interactions
        from schema.interactions.types import timeline_entry

        page = query(
            lambda: interactions(info).timeline.page(
                info.context.principal, self._entity, page_request(first, after)
            )
        )
        return to_connection(page, timeline_entry)

    @strawberry.field(
        description="Risk of not paying, 0–1000 with a band and its factors (null until scored)."
    )
    async def risk(
        self, info: strawberry.Info
    ) -> Annotated[RiskScore, strawberry.lazy("schema.agents.types")] | None:
        from schema.agents.resolvers import debtor_risk

        return await debtor_risk(info, self._entity)

    @strawberry.field(description="The agent this debtor is assigned to (null when unassigned).")
    async def agent(
        self, info: strawberry.Info
    ) -> Annotated[Agent, strawberry.lazy("schema.agents.types")] | None:
        from schema.agents.resolvers import debtor_agent

        return await debtor_agent(info, self._entity)

    @strawberry.field(description="This debtor's payment plans, newest first.")
    async def payment_plans(
        self, info: strawberry.Info
    ) -> list[Annotated[PaymentPlanNode, strawberry.lazy("schema.plans.types")]]:
        from schema.plans.resolvers import debtor_payment_plans

        return await debtor_payment_plans(info, self._entity.id)

    @strawberry.field(description="This debtor's debts, oldest due first.")
    def debts(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[DebtNode]:
        debts = info.context.ledger.deps.repo.debts_of_debtor(info.context.principal.tenant, self._entity.id)
        visible = [d for d in debts if info.context.principal.sees_agent(d.assigned_agent_id)]
        visible.sort(key=lambda d: (d.due_date, d.id))
        return list_connection([DebtNode.of(d) for d in visible], first, after)

    @strawberry.field(description="Outstanding balance of the open and disputed debts, per currency.")
    def balances(self, info: strawberry.Info) -> list[Money]:
        totals: dict[str, Any] = {}
        for d in info.context.ledger.deps.repo.debts_of_debtor(
            info.context.principal.tenant, self._entity.id
        ):
            if d.state in (e.DebtState.OPEN, e.DebtState.DISPUTED):
                totals[d.currency] = totals.get(d.currency, 0) + d.balance
        return [Money.of(v, k) for k, v in sorted(totals.items())]

    @strawberry.field(description="Payments of this debtor, newest first.")
    def payments(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[PaymentNode]:
        page = query(
            lambda: info.context.ledger.payments.list(
                info.context.principal, PaymentQuery(debtor_id=self._entity.id), page_request(first, after)
            )
        )
        return to_connection(page, PaymentNode.of)

    @strawberry.field(description="Discount offers made to this debtor, newest first.")
    async def discount_offers(
        self, info: strawberry.Info
    ) -> list[Annotated[DiscountOfferNode, strawberry.lazy("schema.terms.types")]]:
        from schema.terms.resolvers import discount_offers

        return await discount_offers(info, self._entity.id, None)


@strawberry.type(name="Debt", description="An amount owed: an invoice, instalment or loan.")
class DebtNode(Node):
    external_id: str
    kind: DebtKind  # type: ignore[valid-type]
    number: str | None
    description: str | None
    currency: str
    original_amount: Money
    paid_amount: Money = strawberry.field(description="Sum of the payments allocated to it.")
    credit_amount: Money = strawberry.field(description="Sum of credit notes.")
    fee_amount: Money = strawberry.field(description="Sum of fees.")
    balance: Money = strawberry.field(description="original − payments − credits + fees.")
    issue_date: date
    due_date: date
    assigned_agent_id: str | None
    tags: list[str]
    custom_fields: JSON
    dispute_reason: str | None
    write_off_reason: str | None
    created_at: datetime | None
    updated_at: datetime | None
    version: int = strawberry.field(description="Bumped by every change.")
    _entity: strawberry.Private[e.Debt]

    @classmethod
    def of(cls, d: e.Debt) -> DebtNode:
        return cls(
            id=debt_gid(d),
            external_id=d.external_id,
            kind=d.kind,
            number=d.number,
            description=d.description,
            currency=d.currency,
            original_amount=Money.of(d.original_amount, d.currency),
            paid_amount=Money.of(d.paid_total, d.currency),
            credit_amount=Money.of(d.credit_total, d.currency),
            fee_amount=Money.of(d.fee_total, d.currency),
            balance=Money.of(d.balance, d.currency),
            issue_date=d.issue_date,
            due_date=d.due_date,
            assigned_agent_id=d.assigned_agent_id,
            tags=list(d.tags),
            custom_fields=d.custom_fields,
            dispute_reason=d.dispute_reason,
            write_off_reason=d.write_off_reason,
            created_at=d.created_at,
            updated_at=d.updated_at,
            version=d.version,
            _entity=d,
        )

    @strawberry.field(description="Status on today's date in the tenant's time zone.")
    def status(self, info: strawberry.Info) -> DebtStatus:  # type: ignore[valid-type]
        return debt_status(self._entity, info.context.today())

    @strawberry.field(description="Days since the due date (0 when not overdue, paid or written off).")
    def days_past_due(self, info: strawberry.Info) -> int:
        if self._entity.state not in (e.DebtState.OPEN, e.DebtState.DISPUTED):
            return 0
        return days_past_due(self._entity.due_date, info.context.today())

    @strawberry.field(description="Aging bucket by days past due.")
    def aging_bucket(self, info: strawberry.Info) -> AgingBucket:  # type: ignore[valid-type]
        return aging_bucket(self.days_past_due(info))

    @strawberry.field(
        description="Where the debt stands with its reminders: scheduled, paused by a promise, in a "
        "payment plan or stopped, and when the planner looks at it next."
    )
    def reminders(self, info: strawberry.Info) -> DebtReminders:
        return DebtReminders.of(self._entity, info.context.ledger.deps.clock.now())

    @strawberry.field(description="Promises to pay this debt, newest first.")
    async def promises(
        self, info: strawberry.Info
    ) -> list[Annotated[PromiseNode, strawberry.lazy("schema.promises.types")]]:
        from schema.promises.resolvers import debt_promises

        return await debt_promises(info, self._entity.debtor_id, self._entity.id)

    @strawberry.field(description="The ACTIVE payment plan covering this debt (status IN_PLAN), or null.")
    async def payment_plan(
        self, info: strawberry.Info
    ) -> Annotated[PaymentPlanNode, strawberry.lazy("schema.plans.types")] | None:
        from schema.plans.resolvers import debt_payment_plan

        return await debt_payment_plan(info, self._entity)

    @strawberry.field(description="The debtor who owes it.")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        found = await info.context.loaders.debtor.load(self._entity.debtor_id)
        if (
            found is None
            or not info.context.principal.sees_agent(found.assigned_agent_id)
            and not (info.context.principal.sees_agent(self._entity.assigned_agent_id))
        ):
            return None
        return DebtorNode.of(found)

    @strawberry.field(description="The portfolio it belongs to.")
    async def portfolio(self, info: strawberry.Info) -> PortfolioNode | None:
        found = await info.context.loaders.portfolio.load(self._entity.portfolio_id)
        return PortfolioNode.of(found) if found else None

    @strawberry.field(description="Payments allocated to this debt, newest first.")
    def payments(self, info: strawberry.Info) -> list[PaymentNode]:
        page = info.context.ledger.payments.list(
            info.context.principal,
            PaymentQuery(debtor_id=self._entity.debtor_id, debt_id=self._entity.id),
            PageRequest(first=200),
        )
        return [PaymentNode.of(p) for p in page.items]

    @strawberry.field(description="Credit notes and fees.")
    def adjustments(self, info: strawberry.Info) -> list[Adjustment]:
        repo, t = info.context.ledger.deps.repo, info.context.principal.tenant
        return [
            Adjustment.of(a) for a in repo.adjustments_of_debt(t, self._entity.debtor_id, self._entity.id)
        ]

    @strawberry.field(description="Disputes (reclamos) raised on this debt.")
    def disputes(self, info: strawberry.Info) -> list[Dispute]:
        repo, t = info.context.ledger.deps.repo, info.context.principal.tenant
        return [Dispute.of(d) for d in repo.disputes_of_debt(t, self._entity.debtor_id, self._entity.id)]

    @strawberry.field(description="Extensions of its due date (prórrogas), oldest first.")
    async def extensions(
        self, info: strawberry.Info
    ) -> list[Annotated[DebtExtensionNode, strawberry.lazy("schema.terms.types")]]:
        from schema.terms.resolvers import debt_extensions

        return await debt_extensions(info, self._entity.debtor_id, self._entity.id)

    @strawberry.field(description="The due date before any extension (dueDate when never extended).")
    async def original_due_date(self, info: strawberry.Info) -> date:
        from schema.terms.resolvers import original_due_date

        found: date = await original_due_date(
            info, self._entity.debtor_id, self._entity.id, self._entity.due_date
        )
        return found

    @strawberry.field(description="Discount offers covering this debt, newest first.")
    async def discount_offers(
        self, info: strawberry.Info
    ) -> list[Annotated[DiscountOfferNode, strawberry.lazy("schema.terms.types")]]:
        from schema.terms.resolvers import discount_offers

        return await discount_offers(info, self._entity.debtor_id, self._entity.id)


@strawberry.type(description="The part of a payment applied to one debt.")
class Allocation:
    amount: Money
    _debtor_id: strawberry.Private[str]
    _debt_id: strawberry.Private[str]

    @strawberry.field(description="The id of the debt paid.")
    def debt_id(self) -> strawberry.ID:
        return encode_id("Debt", self._debtor_id, self._debt_id)

    @strawberry.field(description="The debt paid.")
    async def debt(self, info: strawberry.Info) -> DebtNode | None:
        found = await info.context.loaders.debt.load((self._debtor_id, self._debt_id))
        return DebtNode.of(found) if found else None


@strawberry.type(name="Payment", description="Money received from a debtor.")
class PaymentNode(Node):
    amount: Money
    method: PaymentMethod  # type: ignore[valid-type]
    paid_at: datetime
    reference: str | None
    note: str | None
    allocations: list[Allocation]
    unapplied: Money = strawberry.field(description="Kept as the debtor's credit (overpayment).")
    reversed: bool
    reversed_at: datetime | None
    reversal_reason: str | None
    recorded_by: str | None
    idempotency_key: str
    created_at: datetime | None
    _entity: strawberry.Private[e.Payment]

    @classmethod
    def of(cls, p: e.Payment) -> PaymentNode:
        return cls(
            id=encode_id("Payment", p.debtor_id, p.id),
            amount=Money.of(p.amount, p.currency),
            method=p.method,
            paid_at=p.paid_at,
            reference=p.reference,
            note=p.note,
            allocations=[
                Allocation(amount=Money.of(a.amount, p.currency), _debtor_id=p.debtor_id, _debt_id=a.debt_id)
                for a in p.allocations
            ],
            unapplied=Money.of(p.unapplied, p.currency),
            reversed=p.reversed,
            reversed_at=p.reversed_at,
            reversal_reason=p.reversal_reason,
            recorded_by=p.recorded_by,
            idempotency_key=p.idempotency_key,
            created_at=p.created_at,
            _entity=p,
        )

    @strawberry.field(description="The id of the debtor who paid.")
    def debtor_id(self) -> strawberry.ID:
        return encode_id("Debtor", self._entity.debtor_id)

    @strawberry.field(description="The debtor who paid (null for partners).")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        if info.context.principal.role.value == "PARTNER":
            return None
        found = await info.context.loaders.debtor.load(self._entity.debtor_id)
        return DebtorNode.of(found) if found else None


@strawberry.type(description="A credit note or fee on a debt.")
class Adjustment(Node):
    kind: AdjustmentKind  # type: ignore[valid-type]
    amount: Money
    reason: str
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, a: e.Adjustment) -> Adjustment:
        return cls(
            id=encode_id("Adjustment", a.debtor_id, a.id),
            kind=a.kind,
            amount=Money.of(a.amount, a.currency),
            reason=a.reason,
            created_by=a.created_by,
            created_at=a.created_at,
        )


@strawberry.type(description="A dispute (reclamo): while open, the debt is not chased.")
class Dispute(Node):
    state: DisputeState  # type: ignore[valid-type]
    reason: str
    opened_by: str
    opened_at: datetime
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @classmethod
    def of(cls, d: e.Dispute) -> Dispute:
        return cls(
            id=encode_id("Dispute", d.debtor_id, d.id),
            state=d.state,
            reason=d.reason,
            opened_by=d.opened_by,
            opened_at=d.opened_at,
            resolution=d.resolution,
            resolved_by=d.resolved_by,
            resolved_at=d.resolved_at,
        )


@strawberry.type(description="Who changed what, when: one audit-trail entry.")
class AuditEntry:
    id: strawberry.ID
    entity_type: str
    entity_id: str = strawberry.field(description="Internal id of the changed record.")
    action: str = strawberry.field(description="The mutation that made the change.")
    actor: str
    actor_role: str
    at: datetime
    before: JSON | None = strawberry.field(description="Changed fields before (null on creation).")
    after: JSON | None = strawberry.field(description="Changed fields after.")

    @classmethod
    def of(cls, a: e.AuditEntry) -> AuditEntry:
        return cls(
            id=strawberry.ID(a.id),
            entity_type=a.entity_type,
            entity_id=a.entity_id,
            action=a.action,
            actor=a.actor,
            actor_role=a.actor_role,
            at=a.at,
            before=a.before,
            after=a.after,
        )
