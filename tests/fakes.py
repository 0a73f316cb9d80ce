"""An in-memory twin of the DynamoDB ledger repository (infra/dynamodb/DESIGN.md), for unit tests.

Faithful where it matters to use cases: everything is tenant-scoped, `commit` is all-or-nothing with
optimistic versions and unique claims, listings follow the GSI sort orders, cursors are opaque and
bound to their tenant, and every read or write goes through a deep copy (no aliasing with callers).
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from domain.clock import iso_utc
from domain.entities import (
    Adjustment,
    AuditEntry,
    Debt,
    Debtor,
    Dispute,
    DomainEvent,
    Payment,
    Portfolio,
    Tenant,
)
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, UniquenessConflict
from domain.plans.model import PaymentPlan
from domain.ports import (
    Claim,
    ClaimKind,
    DebtorQuery,
    DebtQuery,
    Entity,
    Page,
    PageRequest,
    PaymentQuery,
    Transaction,
)
from domain.promises.model import Promise
from domain.terms.model import DebtExtension, DiscountOffer

T = TypeVar("T")
E = TypeVar("E")
Key = tuple[str, ...]

MAX_TRANSACTION_ITEMS = 100
"""DynamoDB TransactWriteItems limit."""


def normalize_name(name: str) -> str:
    """Casefolded, accents stripped, spaces collapsed (the GSI1/GSI3 debtor sort key)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", stripped).strip()


def item_key(entity: Entity) -> Key:
    """The (PK, SK)-equivalent of an entity inside its tenant."""
    if isinstance(entity, Tenant):
        return ("TENANT",)
    if isinstance(entity, Portfolio):
        return ("PF", entity.id)
    if isinstance(entity, Debtor):
        return ("DR", entity.id)
    if isinstance(entity, Debt):
        return ("DEBT", entity.debtor_id, entity.id)
    if isinstance(entity, Payment):
        return ("PAY", entity.debtor_id, entity.id)
    if isinstance(entity, Adjustment):
        return ("ADJ", entity.debtor_id, entity.debt_id, entity.id)
    if isinstance(entity, Dispute):
        return ("DSP", entity.debtor_id, entity.debt_id, entity.id)
    if isinstance(entity, Promise):
        return ("PRM", entity.debtor_id, entity.id)
    if isinstance(entity, PaymentPlan):
        return ("PLN", entity.debtor_id, entity.id)
    if isinstance(entity, DebtExtension):
        return ("EXT", entity.debtor_id, entity.debt_id, entity.id)
    if isinstance(entity, DiscountOffer):
        return ("DOF", entity.debtor_id, entity.id)
    raise TypeError(f"not a storable entity: {type(entity).__name__}")


def _entity_tenant(entity: Entity) -> str:
    return entity.id if isinstance(entity, Tenant) else entity.tenant


class InMemoryLedgerRepository:
    """Implements `domain.ports.LedgerRepository` with dicts. Inspect `.events`, `.audits`, `.commits`."""

    def __init__(self) -> None:
        self._items: dict[str, dict[Key, Entity]] = {}
        self._claims: dict[str, dict[tuple[ClaimKind, str], Claim]] = {}
        self.events: list[DomainEvent] = []
        self._event_ids: set[tuple[str, str]] = set()
        """(tenant, id) of every outbox event: like the table's conditional put, a second is refused."""
        self.audits: list[AuditEntry] = []
        self.commits = 0
        """Successful commits (a transaction that raised is not counted)."""

    # --- reads -------------------------------------------------------------------------------------

    def _get(self, tenant: str, key: Key, cls: type[E]) -> E | None:
        item = self._items.get(tenant, {}).get(key)
        return copy.deepcopy(item) if isinstance(item, cls) else None

    def _all(self, tenant: str, cls: type[E]) -> list[E]:
        items = self._items.get(tenant, {})
        return [copy.deepcopy(v) for k, v in sorted(items.items()) if isinstance(v, cls)]

    def list_tenants(self) -> list[str]:
        return sorted(t for t, items in self._items.items() if isinstance(items.get(("TENANT",)), Tenant))

    def get_tenant(self, tenant: str) -> Tenant | None:
        return self._get(tenant, ("TENANT",), Tenant)

    def get_portfolio(self, tenant: str, portfolio_id: str) -> Portfolio | None:
        return self._get(tenant, ("PF", portfolio_id), Portfolio)

    def get_portfolios(self, tenant: str, ids: list[str]) -> dict[str, Portfolio]:
        found = {i: self.get_portfolio(tenant, i) for i in ids}
        return {i: p for i, p in found.items() if p is not None}

    def list_portfolios(self, tenant: str) -> list[Portfolio]:
        return self._all(tenant, Portfolio)

    def get_debtor(self, tenant: str, debtor_id: str) -> Debtor | None:
        return self._get(tenant, ("DR", debtor_id), Debtor)

    def get_debtors(self, tenant: str, ids: list[str]) -> dict[str, Debtor]:
        found = {i: self.get_debtor(tenant, i) for i in ids}
        return {i: d for i, d in found.items() if d is not None}

    def list_debtors(self, tenant: str, query: DebtorQuery, page: PageRequest) -> Page[Debtor]:
        debtors = self._all(tenant, Debtor)
        if query.external_id is not None:
            claim = self.get_claim(tenant, ClaimKind.DEBTOR_EXTERNAL_ID, query.external_id)
            debtors = [d for d in debtors if claim is not None and d.id == claim.target]
        if query.name_prefix is not None:
            prefix = normalize_name(query.name_prefix)
            debtors = [d for d in debtors if normalize_name(d.name).startswith(prefix)]
        if query.document_number is not None:
            debtors = [d for d in debtors if d.document_number == query.document_number]
        if query.agent_id is not None:
            debtors = [d for d in debtors if d.assigned_agent_id == query.agent_id]
        keyed = [((normalize_name(d.name), d.id), d) for d in debtors]
        return self._page(tenant, "debtors", keyed, page)

    def get_debt(self, tenant: str, debtor_id: str, debt_id: str) -> Debt | None:
        return self._get(tenant, ("DEBT", debtor_id, debt_id), Debt)

    def get_debts(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Debt]:
        found = {k: self.get_debt(tenant, *k) for k in keys}
        return {k: d for k, d in found.items() if d is not None}

    def debts_of_debtor(self, tenant: str, debtor_id: str) -> list[Debt]:
        return [d for d in self._all(tenant, Debt) if d.debtor_id == debtor_id]

    def list_debts(self, tenant: str, query: DebtQuery, page: PageRequest) -> Page[Debt]:
        def wanted(d: Debt) -> bool:
            return (
                (query.state is None or d.state is query.state)
                and (query.due_from is None or d.due_date >= query.due_from)
                and (query.due_to is None or d.due_date <= query.due_to)
                and (query.portfolio_id is None or d.portfolio_id == query.portfolio_id)
                and (query.debtor_id is None or d.debtor_id == query.debtor_id)
                and (query.agent_id is None or d.assigned_agent_id == query.agent_id)
                and (query.currency is None or d.currency == query.currency)
                and (query.in_plan is None or (d.plan_id is not None) is query.in_plan)
            )

        debts = [d for d in self._all(tenant, Debt) if wanted(d)]
        keyed = [((d.state.value, d.due_date.isoformat(), d.id), d) for d in debts]
        return self._page(tenant, "debts", keyed, page)

    def get_payment(self, tenant: str, debtor_id: str, payment_id: str) -> Payment | None:
        return self._get(tenant, ("PAY", debtor_id, payment_id), Payment)

    def list_payments(self, tenant: str, query: PaymentQuery, page: PageRequest) -> Page[Payment]:
        def wanted(p: Payment) -> bool:
            return (
                (query.debtor_id is None or p.debtor_id == query.debtor_id)
                and (query.debt_id is None or any(a.debt_id == query.debt_id for a in p.allocations))
                and (query.paid_from is None or p.paid_at >= query.paid_from)
                and (query.paid_to is None or p.paid_at <= query.paid_to)
            )

        keyed = [((iso_utc(p.paid_at), p.id), p) for p in self._all(tenant, Payment) if wanted(p)]
        return self._page(tenant, "payments", keyed, page, newest_first=True)

    def adjustments_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Adjustment]:
        return [a for a in self._all(tenant, Adjustment) if a.debtor_id == debtor_id and a.debt_id == debt_id]

    def disputes_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Dispute]:
        return [d for d in self._all(tenant, Dispute) if d.debtor_id == debtor_id and d.debt_id == debt_id]

    def get_claim(self, tenant: str, kind: ClaimKind, value: str) -> Claim | None:
        return self._claims.get(tenant, {}).get((kind, value))

    def get_claims(self, tenant: str, kind: ClaimKind, values: list[str]) -> dict[str, Claim]:
        found = {v: self.get_claim(tenant, kind, v) for v in values}
        return {v: c for v, c in found.items() if c is not None}

    def list_audit(self, tenant: str, entity_id: str, page: PageRequest) -> Page[AuditEntry]:
        entries = [a for a in self.audits if a.tenant == tenant and a.entity_id == entity_id]
        keyed = [((iso_utc(a.at), a.id), copy.deepcopy(a)) for a in entries]
        return self._page(tenant, f"audit:{entity_id}", keyed, page, newest_first=True)

    def existing_event_ids(self, tenant: str, ids: list[str], consistent: bool = False) -> set[str]:
        return {i for i in ids if (tenant, i) in self._event_ids}

    # --- writes ------------------------------------------------------------------------------------

    def commit(self, tenant: str, tx: Transaction) -> None:
        """Validate everything first, then apply everything; on any failure nothing changes."""
        if tx.item_count() > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"transaction has {tx.item_count()} items (max {MAX_TRANSACTION_ITEMS})")
        items = self._items.get(tenant, {})
        claims = self._claims.get(tenant, {})
        touched: set[tuple[str, ...]] = set()

        def touch(key: tuple[str, ...]) -> None:
            if key in touched:  # DynamoDB refuses two operations on one item in a transaction
                raise ValueError(f"transaction touches {key} twice")
            touched.add(key)

        for entity, expected in tx.saves:
            if _entity_tenant(entity) != tenant:
                raise ValueError(
                    f"{type(entity).__name__} of tenant {_entity_tenant(entity)!r} in {tenant!r}"
                )
            key = item_key(entity)
            touch(key)
            stored = items.get(key)
            if (stored is None and expected != 0) or (stored is not None and stored.version != expected):
                raise ConcurrencyConflict(f"{'/'.join(key)}: expected version {expected}")
        for claim in tx.releases:
            touch(("UQ", claim.kind.value, claim.value))
        for claim in tx.claims:
            touch(("UQ", claim.kind.value, claim.value))
            if (claim.kind, claim.value) in claims:
                raise UniquenessConflict(f"{claim.kind.value}:{claim.value}")
        records: list[AuditEntry | DomainEvent] = [*tx.audits, *tx.events]
        for record in records:
            if record.tenant != tenant:
                raise ValueError(f"{type(record).__name__} of tenant {record.tenant!r} in {tenant!r}")
        for event in tx.events:
            touch(("OUTBOX", event.id))
            if (tenant, event.id) in self._event_ids:  # the outbox put is conditioned on absence
                raise ConcurrencyConflict(f"outbox event {event.id} already exists")

        items = self._items.setdefault(tenant, {})
        claims = self._claims.setdefault(tenant, {})
        for entity, expected in tx.saves:
            entity.version = expected + 1
            items[item_key(entity)] = copy.deepcopy(entity)
        for claim in tx.releases:
            claims.pop((claim.kind, claim.value), None)
        for claim in tx.claims:
            claims[(claim.kind, claim.value)] = claim
        self.audits.extend(copy.deepcopy(tx.audits))
        self.events.extend(copy.deepcopy(tx.events))
        self._event_ids.update((tenant, e.id) for e in tx.events)
        self.commits += 1

    def commit_many(self, tenant: str, txs: list[Transaction]) -> list[Exception | None]:
        results: list[Exception | None] = []
        for tx in txs:
            try:
                self.commit(tenant, tx)
            except (ConcurrencyConflict, UniquenessConflict) as exc:
                results.append(exc)
            else:
                results.append(None)
        return results

    # --- helpers for tests -------------------------------------------------------------------------

    def events_of(self, tenant: str, event_type: str | None = None) -> list[DomainEvent]:
        return [e for e in self.events if e.tenant == tenant and event_type in (None, e.type)]

    # --- pagination --------------------------------------------------------------------------------

    def _page(
        self,
        tenant: str,
        listing: str,
        keyed: Iterable[tuple[Key, T]],
        page: PageRequest,
        *,
        newest_first: bool = False,
    ) -> Page[T]:
        ordered = sorted(keyed, key=lambda pair: pair[0], reverse=newest_first)
        if page.after is not None:
            after = _decode_cursor(page.after, tenant, listing)
            beyond: Callable[[Key], bool] = (lambda k: k < after) if newest_first else (lambda k: k > after)
            ordered = [pair for pair in ordered if beyond(pair[0])]
        size = max(page.first, 0)
        chosen = ordered[:size]
        cursors = [_encode_cursor(tenant, listing, k) for k, _ in chosen]
        return Page(
            items=[item for _, item in chosen],
            end_cursor=cursors[-1] if cursors else None,
            has_next_page=len(ordered) > size,
            cursors=cursors,
        )


def _encode_cursor(tenant: str, listing: str, key: Key) -> str:
    raw = json.dumps({"t": tenant, "l": listing, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str, tenant: str, listing: str) -> Key:
    try:
        data: Any = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        cursor_tenant, cursor_listing, key = data["t"], data["l"], tuple(str(k) for k in data["k"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after") from None
    if cursor_tenant != tenant:
        raise DomainError(ErrorCode.NOT_FOUND, "the cursor does not belong to this tenant", "after")
    if cursor_listing != listing:
        raise DomainError(ErrorCode.NOT_FOUND, "cursor not found", "after")
    return key
