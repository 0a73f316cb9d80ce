"""Ports: what the use cases need from storage and the outside world."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from domain.entities import (
    Adjustment,
    AuditEntry,
    Debt,
    Debtor,
    DebtState,
    Dispute,
    DomainEvent,
    Payment,
    Portfolio,
    Tenant,
)
from domain.plans.model import PaymentPlan
from domain.promises.model import Promise
from domain.terms.model import DebtExtension, DiscountOffer

T = TypeVar("T")

TermsEntity = DebtExtension | DiscountOffer
Entity = (
    Tenant | Portfolio | Debtor | Debt | Payment | Adjustment | Dispute | Promise | PaymentPlan | TermsEntity
)


class ClaimKind(StrEnum):
    """Unique values claimed inside a tenant; each claim points at the entity that owns it."""

    DEBTOR_EXTERNAL_ID = "DEBTOR_EXT"
    DEBT_EXTERNAL_ID = "DEBT_EXT"
    PORTFOLIO_EXTERNAL_ID = "PORTFOLIO_EXT"
    PAYMENT_IDEMPOTENCY_KEY = "PAYMENT_KEY"
    PROMISE_IDEMPOTENCY_KEY = "PROMISE_KEY"
    PROMISE_PENDING_DEBT = "PROMISE_DEBT"
    """Held by the one pending promise of a debt (value: the debt id), released when it closes."""
    PLAN_IDEMPOTENCY_KEY = "PLAN_KEY"
    PLAN_ACTIVE_DEBT = "PLAN_DEBT"
    """Held by the one ACTIVE payment plan of a debt (value: the debt id), released when it closes."""
    DISCOUNT_OFFER_DEBT = "OFFER_DEBT"
    """Held by the one active discount offer of a debt (value: the debt id), released when it closes."""


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    value: str
    target: str = ""
    """The owner: an entity id (`debtorId`, or `debtorId/debtId` for debts and payments)."""
    fingerprint: str = ""
    """For idempotency keys: a hash of the request, to tell a replay from a reuse."""


@dataclass
class Transaction:
    """Everything one use case changes, committed atomically (one DynamoDB TransactWrite).

    `saves` pair an entity with the version it had when read (0 for a new one); the commit fails with
    ConcurrencyConflict if any stored version moved, and bumps each entity's `version` on success.
    """

    saves: list[tuple[Entity, int]] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    releases: list[Claim] = field(default_factory=list)
    audits: list[AuditEntry] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    batchable: bool = False
    """Set by bulk use cases when every save is a new item with a deterministic id and every claim is
    new: `commit_many` may then write it with unconditional batch writes (re-running converges)."""

    def save(self, entity: Entity) -> None:
        self.saves.append((entity, entity.version))

    def item_count(self) -> int:
        return len(self.saves) + len(self.claims) + len(self.releases) + len(self.audits) + len(self.events)


@dataclass(frozen=True)
class PageRequest:
    first: int = 50
    after: str | None = None


@dataclass
class Page(Generic[T]):
    items: list[T]
    end_cursor: str | None
    has_next_page: bool
    cursors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DebtQuery:
    """A debt listing; the repository serves it from the most selective key or index."""

    portfolio_id: str | None = None
    debtor_id: str | None = None
    state: DebtState | None = None
    due_from: date | None = None
    due_to: date | None = None
    agent_id: str | None = None
    currency: str | None = None
    in_plan: bool | None = None
    """True: only debts of an ACTIVE payment plan; False: none of them (a filter on the Query)."""


@dataclass(frozen=True)
class DebtorQuery:
    name_prefix: str | None = None
    document_number: str | None = None
    external_id: str | None = None
    agent_id: str | None = None


@dataclass(frozen=True)
class PaymentQuery:
    debtor_id: str | None = None
    debt_id: str | None = None
    paid_from: datetime | None = None
    paid_to: datetime | None = None


class LedgerRepository(Protocol):
    """Storage of the ledger. Every method is scoped by tenant; nothing crosses tenants, except
    `list_tenants`, which gives scheduled workers the tenant ids (and nothing else)."""

    def list_tenants(self) -> list[str]:
        """The ids of every tenant with settings, in id order (for workers, never for a request)."""
        ...

    def get_tenant(self, tenant: str) -> Tenant | None: ...

    def get_portfolio(self, tenant: str, portfolio_id: str) -> Portfolio | None: ...

    def get_portfolios(self, tenant: str, ids: list[str]) -> dict[str, Portfolio]: ...

    def list_portfolios(self, tenant: str) -> list[Portfolio]: ...

    def get_debtor(self, tenant: str, debtor_id: str) -> Debtor | None: ...

    def get_debtors(self, tenant: str, ids: list[str]) -> dict[str, Debtor]: ...

    def list_debtors(self, tenant: str, query: DebtorQuery, page: PageRequest) -> Page[Debtor]: ...

    def get_debt(self, tenant: str, debtor_id: str, debt_id: str) -> Debt | None: ...

    def get_debts(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Debt]: ...

    def debts_of_debtor(self, tenant: str, debtor_id: str) -> list[Debt]:
        """All debts of one debtor, strongly consistent (used before allocating payments)."""
        ...

    def list_debts(self, tenant: str, query: DebtQuery, page: PageRequest) -> Page[Debt]: ...

    def get_payment(self, tenant: str, debtor_id: str, payment_id: str) -> Payment | None: ...

    def list_payments(self, tenant: str, query: PaymentQuery, page: PageRequest) -> Page[Payment]: ...

    def adjustments_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Adjustment]: ...

    def disputes_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Dispute]: ...

    def get_claim(self, tenant: str, kind: ClaimKind, value: str) -> Claim | None: ...

    def get_claims(self, tenant: str, kind: ClaimKind, values: list[str]) -> dict[str, Claim]: ...

    def list_audit(self, tenant: str, entity_id: str, page: PageRequest) -> Page[AuditEntry]: ...

    def existing_event_ids(self, tenant: str, ids: list[str], consistent: bool = False) -> set[str]:
        """Which of these outbox event ids were already committed (published ones until they expire)."""
        ...

    def commit(self, tenant: str, tx: Transaction) -> None:
        """Write atomically. Raises ConcurrencyConflict or UniquenessConflict and writes nothing."""
        ...

    def commit_many(self, tenant: str, txs: list[Transaction]) -> list[Exception | None]:
        """Commit independent transactions (bulk import); returns each one's failure or None."""
        ...


class IdGenerator(Protocol):
    def new_id(self) -> str:
        """A new unique, roughly time-ordered identifier."""
        ...


class EventPublisher(Protocol):
    """Sends outbox events to partners' transport (EventBridge in production)."""

    def publish(self, events: list[DomainEvent]) -> set[str]:
        """Publish; return the ids of the events that could not be published (to retry)."""
        ...


class OutboxStore(Protocol):
    def mark_published(self, events: list[DomainEvent], at: datetime) -> None:
        """Flag events as published; the store expires them after a retention period."""
        ...
