"""GraphQL input types, converted to the domain's inputs here and nowhere else."""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.scalars import JSON

from domain.services import debtors as dsv
from schema.types import (
    AdjustmentKind,
    AgingBucket,
    Channel,
    ContactKind,
    ContactStatus,
    DebtKind,
    DebtStatus,
    PartyKind,
    PaymentMethod,
    RelationKind,
)

MONEY = 'A decimal amount as a string (e.g. "1500.00"), with at most the currency\'s minor units.'


@strawberry.input(description="Tenant settings to change; omitted fields keep their value.")
class TenantUpdateInput:
    name: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2.")
    default_currency: str | None = strawberry.field(default=None, description="ISO 4217.")
    time_zone: str | None = strawberry.field(default=None, description="IANA time zone.")
    locale: str | None = None
    sender_email: str | None = None
    sms_sender_id: str | None = None


@strawberry.input
class PortfolioCreateInput:
    name: str
    description: str | None = None
    external_id: str | None = None
    currency: str | None = None


@strawberry.input
class PortfolioUpdateInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    external_id: str | None = None
    currency: str | None = None


@strawberry.input(description="A contact point; phones may be local numbers of the debtor's country.")
class ContactPointInput:
    kind: ContactKind  # type: ignore[valid-type]
    value: str
    consent: bool = False
    status: ContactStatus | None = None  # type: ignore[valid-type]
    label: str | None = None
    primary: bool = False

    def to_domain(self) -> dsv.ContactInput:
        return dsv.ContactInput(self.kind, self.value, self.consent, self.status, self.label, self.primary)


@strawberry.input
class RelatedPersonInput:
    relation: RelationKind  # type: ignore[valid-type]
    name: str
    document_type: str | None = None
    document_number: str | None = None
    contacts: list[ContactPointInput] = strawberry.field(default_factory=list)

    def to_domain(self) -> dsv.RelatedInput:
        return dsv.RelatedInput(
            self.relation,
            self.name,
            self.document_type,
            self.document_number,
            [c.to_domain() for c in self.contacts],
        )


@strawberry.input
class DebtorCreateInput:
    name: str
    kind: PartyKind = PartyKind.PERSON  # type: ignore[valid-type]
    external_id: str | None = strawberry.field(default=None, description="Unique per tenant.")
    document_type: str | None = None
    document_number: str | None = None
    jurisdiction: str | None = strawberry.field(default=None, description="Defaults to the tenant's country.")
    time_zone: str | None = strawberry.field(default=None, description="Defaults from the jurisdiction.")
    locale: str | None = None
    preferred_channel: Channel | None = None  # type: ignore[valid-type]
    contacts: list[ContactPointInput] = strawberry.field(default_factory=list)
    related: list[RelatedPersonInput] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)
    assigned_agent_id: str | None = None


@strawberry.input(description="Debtor fields to change; a given list replaces the whole list.")
class DebtorUpdateInput:
    id: strawberry.ID
    name: str | None = None
    kind: PartyKind | None = None  # type: ignore[valid-type]
    external_id: str | None = None
    document_type: str | None = None
    document_number: str | None = None
    jurisdiction: str | None = None
    time_zone: str | None = None
    locale: str | None = None
    preferred_channel: Channel | None = None  # type: ignore[valid-type]
    contacts: list[ContactPointInput] | None = None
    related: list[RelatedPersonInput] | None = None
    tags: list[str] | None = None
    assigned_agent_id: str | None = None


@strawberry.input(description="Search debtors; set one of the fields.")
class DebtorFilter:
    search: str | None = strawberry.field(
        default=None, description="A name prefix, a document number or an external id."
    )
    name_prefix: str | None = None
    document_number: str | None = None
    external_id: str | None = None
    assigned_agent_id: str | None = None


@strawberry.input
class DebtCreateInput:
    debtor_id: strawberry.ID
    portfolio_id: strawberry.ID
    original_amount: str = strawberry.field(description=MONEY)
    due_date: date
    external_id: str | None = strawberry.field(default=None, description="Unique per tenant.")
    kind: DebtKind = DebtKind.INVOICE  # type: ignore[valid-type]
    currency: str | None = strawberry.field(default=None, description="Defaults to the portfolio's.")
    issue_date: date | None = None
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = strawberry.field(default=None, description="Defaults to the debtor's.")
    tags: list[str] = strawberry.field(default_factory=list)
    custom_fields: JSON | None = None


@strawberry.input
class DebtUpdateInput:
    id: strawberry.ID
    external_id: str | None = None
    kind: DebtKind | None = None  # type: ignore[valid-type]
    number: str | None = None
    description: str | None = None
    original_amount: str | None = strawberry.field(default=None, description=MONEY)
    issue_date: date | None = None
    due_date: date | None = None
    assigned_agent_id: str | None = None
    tags: list[str] | None = None
    custom_fields: JSON | None = None


@strawberry.input(description="Debt filters; each is served by a key or index query.")
class DebtFilter:
    portfolio_id: strawberry.ID | None = None
    debtor_id: strawberry.ID | None = None
    status: DebtStatus | None = None  # type: ignore[valid-type]
    due_from: date | None = None
    due_to: date | None = None
    min_days_past_due: int | None = None
    max_days_past_due: int | None = None
    aging_bucket: AgingBucket | None = None  # type: ignore[valid-type]
    assigned_agent_id: str | None = None
    currency: str | None = None


@strawberry.input
class AllocationInput:
    debt_id: strawberry.ID
    amount: str = strawberry.field(description=MONEY)


@strawberry.input(description="Give `debtorId`, or `debtId` to pay one debt first.")
class PaymentRecordInput:
    amount: str = strawberry.field(description=MONEY)
    currency: str
    method: PaymentMethod  # type: ignore[valid-type]
    idempotency_key: str = strawberry.field(description="Required; a retry with the same key is a no-op.")
    debtor_id: strawberry.ID | None = None
    debt_id: strawberry.ID | None = None
    paid_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    reference: str | None = None
    note: str | None = None
    allocations: list[AllocationInput] | None = strawberry.field(
        default=None, description="Explicit split; otherwise the oldest due date is paid first."
    )


@strawberry.input
class PaymentReverseInput:
    payment_id: strawberry.ID
    reason: str


@strawberry.input(description="Search payments.")
class PaymentFilter:
    debtor_id: strawberry.ID | None = None
    debt_id: strawberry.ID | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None


@strawberry.input
class DebtAdjustInput:
    debt_id: strawberry.ID
    kind: AdjustmentKind  # type: ignore[valid-type]
    amount: str = strawberry.field(description=MONEY)
    reason: str


@strawberry.input
class DebtDisputeOpenInput:
    debt_id: strawberry.ID
    reason: str


@strawberry.input
class DebtDisputeResolveInput:
    debt_id: strawberry.ID
    resolution: str
    credit_amount: str | None = strawberry.field(
        default=None, description="The part found not owed, credited to the debt."
    )


@strawberry.input
class DebtWriteOffInput:
    debt_id: strawberry.ID
    reason: str


@strawberry.input(description="One row of a bulk import: a debt and its debtor, keyed by external ids.")
class DebtImportRow:
    debtor_external_id: str
    debtor_name: str
    external_id: str
    original_amount: str = strawberry.field(description=MONEY)
    due_date: date
    debtor_kind: PartyKind = PartyKind.PERSON  # type: ignore[valid-type]
    document_type: str | None = None
    document_number: str | None = None
    email: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    jurisdiction: str | None = None
    preferred_channel: Channel | None = None  # type: ignore[valid-type]
    kind: DebtKind = DebtKind.INVOICE  # type: ignore[valid-type]
    currency: str | None = None
    issue_date: date | None = None
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class DebtsImportInput:
    portfolio_id: strawberry.ID
    rows: list[DebtImportRow] = strawberry.field(description="At most 500 rows a call.")
