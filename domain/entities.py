"""The ledger's entities: plain dataclasses, no storage or API concerns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class PartyKind(StrEnum):
    PERSON = "PERSON"
    COMPANY = "COMPANY"


class ContactKind(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    WHATSAPP = "WHATSAPP"
    ADDRESS = "ADDRESS"


class ContactStatus(StrEnum):
    VALID = "VALID"
    INVALID = "INVALID"
    OPTED_OUT = "OPTED_OUT"


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    CALL = "CALL"
    VISIT = "VISIT"
    LETTER = "LETTER"


class RelationKind(StrEnum):
    GUARANTOR = "GUARANTOR"
    CO_DEBTOR = "CO_DEBTOR"
    REFERENCE = "REFERENCE"


class DebtKind(StrEnum):
    INVOICE = "INVOICE"
    INSTALMENT = "INSTALMENT"
    LOAN = "LOAN"
    OTHER = "OTHER"


class DebtState(StrEnum):
    """The stored, date-independent state; CURRENT vs OVERDUE is derived on the day asked."""

    OPEN = "OPEN"
    PAID = "PAID"
    DISPUTED = "DISPUTED"
    WRITTEN_OFF = "WRITTEN_OFF"


class DebtStatus(StrEnum):
    CURRENT = "CURRENT"
    OVERDUE = "OVERDUE"
    IN_PLAN = "IN_PLAN"
    """Open and covered by an ACTIVE payment plan (stored state OPEN)."""
    PAID = "PAID"
    DISPUTED = "DISPUTED"
    WRITTEN_OFF = "WRITTEN_OFF"


class AgingBucket(StrEnum):
    CURRENT = "CURRENT"
    DPD_1_30 = "DPD_1_30"
    DPD_31_60 = "DPD_31_60"
    DPD_61_90 = "DPD_61_90"
    DPD_91_120 = "DPD_91_120"
    DPD_120_PLUS = "DPD_120_PLUS"


class PaymentMethod(StrEnum):
    CASH = "CASH"
    TRANSFER = "TRANSFER"
    CARD = "CARD"
    ONLINE = "ONLINE"
    CHECK = "CHECK"
    OTHER = "OTHER"


class AdjustmentKind(StrEnum):
    CREDIT = "CREDIT"
    FEE = "FEE"


class DisputeState(StrEnum):
    OPEN = "OPEN"
    RESOLVED = "RESOLVED"


@dataclass
class Tenant:
    id: str
    name: str
    country: str
    currency: str
    time_zone: str
    locale: str
    sender_email: str | None = None
    sms_sender_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0


@dataclass
class Portfolio:
    tenant: str
    id: str
    name: str
    description: str | None = None
    external_id: str | None = None
    currency: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0


@dataclass
class ContactPoint:
    kind: ContactKind
    value: str
    consent: bool = False
    status: ContactStatus = ContactStatus.VALID
    label: str | None = None
    primary: bool = False


@dataclass
class RelatedPerson:
    relation: RelationKind
    name: str
    document_type: str | None = None
    document_number: str | None = None
    contacts: list[ContactPoint] = field(default_factory=list)


@dataclass
class Debtor:
    tenant: str
    id: str
    external_id: str
    kind: PartyKind
    name: str
    document_type: str | None
    document_number: str | None
    time_zone: str
    jurisdiction: str
    locale: str | None = None
    preferred_channel: Channel | None = None
    contacts: list[ContactPoint] = field(default_factory=list)
    opted_out_channels: list[Channel] = field(default_factory=list)
    """Whole media the debtor asked not to be contacted on (every address of that channel)."""
    opted_out_all: bool = False
    """The debtor asked to stop all contact."""
    related: list[RelatedPerson] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    assigned_agent_id: str | None = None
    unapplied_credit: dict[str, Decimal] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class NextAction:
    """When the reminder planner should look at a debt next, and for which campaign step."""

    at: datetime
    """UTC instant; the debt sits in the sparse due index under it until the planner moves it."""
    campaign_id: str
    step_id: str
    occurrence: date
    """The debtor-local day the step fires on."""
    time_zone: str = ""
    """The debtor's zone and jurisdiction when scheduled, so the planner needs no debtor read
    (the dispatcher re-checks with the debtor as it is); empty means the tenant's."""
    jurisdiction: str = ""


@dataclass
class Debt:
    tenant: str
    id: str
    debtor_id: str
    portfolio_id: str
    external_id: str
    kind: DebtKind
    currency: str
    original_amount: Decimal
    issue_date: date
    due_date: date
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)
    paid_total: Decimal = Decimal(0)
    credit_total: Decimal = Decimal(0)
    fee_total: Decimal = Decimal(0)
    disputed: bool = False
    dispute_reason: str | None = None
    written_off: bool = False
    write_off_reason: str | None = None
    next_action: NextAction | None = None
    paused_until: datetime | None = None
    """Set while a pending promise covers the debt (its deadline): the reminder cadence sends nothing
    meanwhile (planner and dispatcher check it). Cleared in the write that closes the promise."""
    plan_id: str | None = None
    """The ACTIVE payment plan covering the debt (its status reads IN_PLAN): out of the cadence, off
    the due index, reminded per instalment instead. Cleared in the write that closes the plan."""
    risk_band: str | None = None
    """The debtor's risk band (LOW, MEDIUM, HIGH), copied here when it changes so the planner's segment
    filter needs no debtor read; derived data, written without bumping `version`."""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def balance(self) -> Decimal:
        return self.original_amount - self.paid_total - self.credit_total + self.fee_total

    @property
    def state(self) -> DebtState:
        if self.written_off:
            return DebtState.WRITTEN_OFF
        if self.disputed:
            return DebtState.DISPUTED
        if self.balance <= 0:
            return DebtState.PAID
        return DebtState.OPEN


@dataclass(frozen=True)
class Allocation:
    debt_id: str
    amount: Decimal


@dataclass
class Payment:
    tenant: str
    id: str
    debtor_id: str
    amount: Decimal
    currency: str
    paid_at: datetime
    method: PaymentMethod
    allocations: list[Allocation]
    unapplied: Decimal
    idempotency_key: str
    reference: str | None = None
    note: str | None = None
    recorded_by: str | None = None
    reversed_at: datetime | None = None
    reversal_reason: str | None = None
    created_at: datetime | None = None
    version: int = 0

    @property
    def reversed(self) -> bool:
        return self.reversed_at is not None


@dataclass
class Adjustment:
    tenant: str
    id: str
    debtor_id: str
    debt_id: str
    kind: AdjustmentKind
    amount: Decimal
    currency: str
    reason: str
    created_by: str
    created_at: datetime
    version: int = 0


@dataclass
class Dispute:
    tenant: str
    id: str
    debtor_id: str
    debt_id: str
    reason: str
    opened_by: str
    opened_at: datetime
    state: DisputeState = DisputeState.OPEN
    resolution: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    version: int = 0


@dataclass(frozen=True)
class AuditEntry:
    tenant: str
    id: str
    entity_type: str
    entity_id: str
    action: str
    actor: str
    actor_role: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class DomainEvent:
    """An outbox item: written in the same transaction as the change it describes."""

    tenant: str
    id: str
    type: str
    version: int
    occurred_at: datetime
    aggregate_id: str
    data: dict[str, Any]
