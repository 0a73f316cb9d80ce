"""The root Query."""

from __future__ import annotations

from typing import TypeVar

import strawberry

from domain.errors import DomainError, ErrorCode
from domain.ports import DebtorQuery, PaymentQuery
from domain.services.debts import DebtFilter as DomainDebtFilter
from schema.common import (
    Connection,
    Node,
    decode_id,
    decode_one,
    decode_two,
    list_connection,
    page_request,
    to_connection,
)
from schema.errors import query
from schema.inputs import DebtFilter, DebtorFilter, PaymentFilter
from schema.types import AuditEntry, DebtNode, DebtorNode, PaymentNode, PortfolioNode, TenantNode

T = TypeVar("T")


@strawberry.type(description="Who is calling.")
class Viewer:
    sub: str
    tenant: str
    role: str
    agent_id: str | None


def _found(value: T | None) -> T:
    """A missing (or out-of-scope) object is NOT_FOUND, whatever the reason."""
    if value is None:
        raise DomainError(ErrorCode.NOT_FOUND, "no object has this id", "id")
    return value


def _optional_one(value: strawberry.ID | None, type_name: str, field: str) -> str | None:
    return decode_one(value, type_name, field) if value else None


def _debtor_query(f: DebtorFilter | None) -> DebtorQuery:
    if f is None:
        return DebtorQuery()
    name, doc, ext = f.name_prefix, f.document_number, f.external_id
    if f.search and f.search.strip():
        term = f.search.strip()
        compact = "".join(c for c in term if c.isalnum())
        if compact.isdigit() or (any(c.isdigit() for c in compact) and " " not in term and len(compact) >= 6):
            doc = doc or compact.upper()
        else:
            name = name or term
    return DebtorQuery(name_prefix=name, document_number=doc, external_id=ext, agent_id=f.assigned_agent_id)


def _debt_filter(f: DebtFilter | None) -> DomainDebtFilter:
    if f is None:
        return DomainDebtFilter()
    return DomainDebtFilter(
        portfolio_id=_optional_one(f.portfolio_id, "Portfolio", "portfolioId"),
        debtor_id=_optional_one(f.debtor_id, "Debtor", "debtorId"),
        status=f.status,
        due_from=f.due_from,
        due_to=f.due_to,
        min_days_past_due=f.min_days_past_due,
        max_days_past_due=f.max_days_past_due,
        aging_bucket=f.aging_bucket,
        agent_id=f.assigned_agent_id,
        currency=f.currency,
    )


@strawberry.type
class Query:
    @strawberry.field(description="Fetch any object by its global id.")
    def node(self, info: strawberry.Info, id: strawberry.ID) -> Node | None:
        ledger, me = info.context.ledger, info.context.principal
        try:
            kind, parts = decode_id(id)
        except DomainError:
            return None

        def fetch() -> Node | None:
            if kind == "Portfolio" and len(parts) == 1:
                p = ledger.portfolios.get(me, parts[0])
                return PortfolioNode.of(p) if p else None
            if kind == "Debtor" and len(parts) == 1:
                d = ledger.debtors.get(me, parts[0])
                return DebtorNode.of(d) if d else None
            if kind == "Debt" and len(parts) == 2:
                debt = ledger.debts.get(me, parts[0], parts[1])
                return DebtNode.of(debt) if debt else None
            if kind == "Payment" and len(parts) == 2:
                pay = ledger.payments.get(me, parts[0], parts[1])
                return PaymentNode.of(pay) if pay else None
            if kind == "Interaction" and len(parts) == 1 and info.context.interactions is not None:
                from schema.interactions.types import InteractionNode

                found = info.context.interactions.get(me, parts[0])
                return InteractionNode.of(found) if found else None
            if kind == "Promise" and len(parts) == 2 and info.context.promises is not None:
                from schema.promises.types import PromiseNode

                promise = info.context.promises.get(me, parts[0], parts[1])
                return PromiseNode.of(promise) if promise else None
            if kind == "PaymentPlan" and len(parts) == 2 and info.context.plans is not None:
                from schema.plans.types import PaymentPlanNode

                plan = info.context.plans.get(me, parts[0], parts[1])
                return PaymentPlanNode.of(plan) if plan else None
            if kind == "DiscountOffer" and len(parts) == 2 and info.context.terms is not None:
                from schema.terms.types import DiscountOfferNode

                offer = info.context.terms.offers.get(me, parts[0], parts[1])
                return DiscountOfferNode.of(offer) if offer else None
            return None

        return query(fetch)

    @strawberry.field(description="The caller's identity and role.")
    def viewer(self, info: strawberry.Info) -> Viewer:
        me = info.context.principal
        return Viewer(sub=me.sub, tenant=me.tenant, role=me.role.value, agent_id=me.agent_id)

    @strawberry.field(description="The tenant's settings (null until an ADMIN runs tenantUpdate).")
    def tenant(self, info: strawberry.Info) -> TenantNode | None:
        t = query(lambda: info.context.ledger.tenants.get(info.context.principal))
        return TenantNode.of(t) if t else None

    @strawberry.field(description="Portfolios, by name.")
    def portfolios(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[PortfolioNode]:
        items = query(lambda: info.context.ledger.portfolios.list(info.context.principal))
        return list_connection([PortfolioNode.of(p) for p in items], first, after)

    @strawberry.field(description="One portfolio; null (and a NOT_FOUND error) if it does not exist.")
    def portfolio(self, info: strawberry.Info, id: strawberry.ID) -> PortfolioNode | None:
        ledger, me = info.context.ledger, info.context.principal
        return query(lambda: PortfolioNode.of(_found(ledger.portfolios.get(me, decode_one(id, "Portfolio")))))

    @strawberry.field(description="Debtors by name, or found by name prefix, document number or external id.")
    def debtors(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: DebtorFilter | None = None,
    ) -> Connection[DebtorNode]:
        page = query(
            lambda: info.context.ledger.debtors.list(
                info.context.principal, _debtor_query(filter), page_request(first, after)
            )
        )
        return to_connection(page, DebtorNode.of)

    @strawberry.field(description="One debtor; null (and a NOT_FOUND error) if absent or not yours.")
    def debtor(self, info: strawberry.Info, id: strawberry.ID) -> DebtorNode | None:
        ledger, me = info.context.ledger, info.context.principal
        return query(lambda: DebtorNode.of(_found(ledger.debtors.get(me, decode_one(id, "Debtor")))))

    @strawberry.field(description="Debts, filtered; each filter is served by a key or index query.")
    def debts(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: DebtFilter | None = None,
    ) -> Connection[DebtNode]:
        page = query(
            lambda: info.context.ledger.debts.list(
                info.context.principal, _debt_filter(filter), page_request(first, after)
            )
        )
        return to_connection(page, DebtNode.of)

    @strawberry.field(description="One debt; null (and a NOT_FOUND error) if absent or not yours.")
    def debt(self, info: strawberry.Info, id: strawberry.ID) -> DebtNode | None:
        ledger, me = info.context.ledger, info.context.principal
        return query(lambda: DebtNode.of(_found(ledger.debts.get(me, *decode_two(id, "Debt")))))

    @strawberry.field(description="Payments, newest first; by debtor, debt or paid-at range.")
    def payments(
        self,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        filter: PaymentFilter | None = None,
    ) -> Connection[PaymentNode]:
        def run() -> Connection[PaymentNode]:
            f = filter or PaymentFilter()
            debtor_id = _optional_one(f.debtor_id, "Debtor", "debtorId")
            debt_id = None
            if f.debt_id:
                debt_debtor, debt_id = decode_two(f.debt_id, "Debt", "debtId")
                if debtor_id and debtor_id != debt_debtor:
                    raise DomainError(ErrorCode.INVALID, "debt does not belong to the debtor", "debtId")
                debtor_id = debt_debtor
            q = PaymentQuery(debtor_id=debtor_id, debt_id=debt_id, paid_from=f.paid_from, paid_to=f.paid_to)
            page = info.context.ledger.payments.list(info.context.principal, q, page_request(first, after))
            return to_connection(page, PaymentNode.of)

        return query(run)

    @strawberry.field(description="One payment.")
    def payment(self, info: strawberry.Info, id: strawberry.ID) -> PaymentNode | None:
        ledger, me = info.context.ledger, info.context.principal
        return query(lambda: PaymentNode.of(_found(ledger.payments.get(me, *decode_two(id, "Payment")))))

    @strawberry.field(description="The audit trail of one record (any global id), newest first.")
    def audit_log(
        self,
        info: strawberry.Info,
        entity_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[AuditEntry]:
        def run() -> Connection[AuditEntry]:
            kind, parts = decode_id(entity_id)
            me = info.context.principal
            if kind in ("Debt", "Payment", "Adjustment", "Dispute", "DiscountOffer"):
                raw = parts[-1]
            elif kind in ("Debtor", "Portfolio"):
                raw = parts[0]
            else:
                raise DomainError(ErrorCode.NOT_FOUND, "no audited object has this id", "entityId")
            page = info.context.ledger.audit.list(me, raw, page_request(first, after))
            return to_connection(page, AuditEntry.of)

        return query(run)
