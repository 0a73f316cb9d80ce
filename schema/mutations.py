"""The root Mutation: one `input:` each, a payload with the result and `errors: [UserError!]!`."""

from __future__ import annotations

from typing import Any

import strawberry

from domain.errors import DomainError, ErrorCode
from domain.services import debtors as dsv
from domain.services import debts as debt_sv
from domain.services import imports as imp
from domain.services import payments as pay_sv
from domain.services.portfolios import PortfolioInput, PortfolioPatch
from domain.services.tenants import TenantPatch
from schema.common import ErrorCodeEnum, UserError, decode_one, decode_two
from schema.errors import attempt
from schema.inputs import (
    DebtAdjustInput,
    DebtCreateInput,
    DebtDisputeOpenInput,
    DebtDisputeResolveInput,
    DebtorCreateInput,
    DebtorUpdateInput,
    DebtsImportInput,
    DebtUpdateInput,
    DebtWriteOffInput,
    PaymentRecordInput,
    PaymentReverseInput,
    PortfolioCreateInput,
    PortfolioUpdateInput,
    TenantUpdateInput,
)
from schema.types import Adjustment, DebtNode, DebtorNode, Dispute, PaymentNode, PortfolioNode, TenantNode


@strawberry.type
class TenantUpdatePayload:
    tenant: TenantNode | None
    errors: list[UserError]


@strawberry.type
class PortfolioPayload:
    portfolio: PortfolioNode | None
    errors: list[UserError]


@strawberry.type
class DebtorPayload:
    debtor: DebtorNode | None
    errors: list[UserError]


@strawberry.type
class DebtPayload:
    debt: DebtNode | None
    errors: list[UserError]


@strawberry.type
class DebtAdjustPayload:
    debt: DebtNode | None
    adjustment: Adjustment | None
    errors: list[UserError]


@strawberry.type
class DebtDisputePayload:
    debt: DebtNode | None
    dispute: Dispute | None
    errors: list[UserError]


@strawberry.type
class PaymentRecordPayload:
    payment: PaymentNode | None
    replayed: bool = strawberry.field(description="True when this idempotency key was already used.")
    errors: list[UserError]


@strawberry.type
class PaymentReversePayload:
    payment: PaymentNode | None
    errors: list[UserError]


@strawberry.type(description="A row that was not imported, and why.")
class ImportRowError:
    row: int = strawberry.field(description="0-based index in `rows`.")
    field: str | None
    code: ErrorCodeEnum  # type: ignore[valid-type]
    message: str


@strawberry.type
class DebtsImportPayload:
    created: int
    updated: int
    unchanged: int
    row_errors: list[ImportRowError]
    errors: list[UserError]


def _debtor_input(i: DebtorCreateInput) -> dsv.DebtorInput:
    return dsv.DebtorInput(
        name=i.name,
        kind=i.kind,
        external_id=i.external_id,
        document_type=i.document_type,
        document_number=i.document_number,
        jurisdiction=i.jurisdiction,
        time_zone=i.time_zone,
        locale=i.locale,
        preferred_channel=i.preferred_channel,
        contacts=[c.to_domain() for c in i.contacts],
        related=[r.to_domain() for r in i.related],
        tags=list(i.tags),
        assigned_agent_id=i.assigned_agent_id,
    )


def _debtor_patch(i: DebtorUpdateInput) -> dsv.DebtorPatch:
    return dsv.DebtorPatch(
        name=i.name,
        kind=i.kind,
        external_id=i.external_id,
        document_type=i.document_type,
        document_number=i.document_number,
        jurisdiction=i.jurisdiction,
        time_zone=i.time_zone,
        locale=i.locale,
        preferred_channel=i.preferred_channel,
        contacts=[c.to_domain() for c in i.contacts] if i.contacts is not None else None,
        related=[r.to_domain() for r in i.related] if i.related is not None else None,
        tags=i.tags,
        assigned_agent_id=i.assigned_agent_id,
    )


def _json_object(value: Any, field: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DomainError(ErrorCode.INVALID, "customFields must be a JSON object", field)
    return value


def _payment_input(i: PaymentRecordInput) -> pay_sv.PaymentInput:
    debtor_id = decode_one(i.debtor_id, "Debtor", "debtorId") if i.debtor_id else None
    debt_id = None
    if i.debt_id:
        debt_debtor, debt_id = decode_two(i.debt_id, "Debt", "debtId")
        if debtor_id and debtor_id != debt_debtor:
            raise DomainError(ErrorCode.INVALID, "the debt belongs to another debtor", "debtId")
        debtor_id = debt_debtor
    allocations = []
    for n, a in enumerate(i.allocations or []):
        a_debtor, a_debt = decode_two(a.debt_id, "Debt", f"allocations[{n}].debtId")
        if debtor_id and a_debtor != debtor_id:
            raise DomainError(
                ErrorCode.INVALID_ALLOCATION,
                "all debts must belong to one debtor",
                f"allocations[{n}].debtId",
            )
        debtor_id = a_debtor
        allocations.append(pay_sv.AllocationInput(a_debt, a.amount))
    if debtor_id is None:
        raise DomainError(ErrorCode.REQUIRED, "give debtorId, debtId or allocations", "debtorId")
    return pay_sv.PaymentInput(
        debtor_id=debtor_id,
        amount=i.amount,
        currency=i.currency,
        method=i.method,
        idempotency_key=i.idempotency_key,
        paid_at=i.paid_at,
        debt_id=debt_id,
        reference=i.reference,
        note=i.note,
        allocations=allocations,
    )


def _import_row(r: Any) -> imp.ImportRow:
    return imp.ImportRow(
        debtor_external_id=r.debtor_external_id,
        debtor_name=r.debtor_name,
        external_id=r.external_id,
        original_amount=r.original_amount,
        due_date=r.due_date,
        debtor_kind=r.debtor_kind,
        document_type=r.document_type,
        document_number=r.document_number,
        email=r.email,
        phone=r.phone,
        whatsapp=r.whatsapp,
        jurisdiction=r.jurisdiction,
        preferred_channel=r.preferred_channel,
        kind=r.kind,
        currency=r.currency,
        issue_date=r.issue_date,
        number=r.number,
        description=r.description,
        assigned_agent_id=r.assigned_agent_id,
        tags=list(r.tags),
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create or change the tenant's settings (ADMIN).")
    def tenant_update(self, info: strawberry.Info, input: TenantUpdateInput) -> TenantUpdatePayload:
        patch = TenantPatch(
            name=input.name,
            country=input.country,
            currency=input.default_currency,
            time_zone=input.time_zone,
            locale=input.locale,
            sender_email=input.sender_email,
            sms_sender_id=input.sms_sender_id,
        )
        t, errors = attempt(lambda: info.context.ledger.tenants.update(info.context.principal, patch))
        return TenantUpdatePayload(tenant=TenantNode.of(t) if t else None, errors=errors)

    @strawberry.mutation(description="Create a portfolio.")
    def portfolio_create(self, info: strawberry.Info, input: PortfolioCreateInput) -> PortfolioPayload:
        data = PortfolioInput(input.name, input.description, input.external_id, input.currency)
        p, errors = attempt(lambda: info.context.ledger.portfolios.create(info.context.principal, data))
        return PortfolioPayload(portfolio=PortfolioNode.of(p) if p else None, errors=errors)

    @strawberry.mutation(description="Change a portfolio.")
    def portfolio_update(self, info: strawberry.Info, input: PortfolioUpdateInput) -> PortfolioPayload:
        patch = PortfolioPatch(input.name, input.description, input.external_id, input.currency)
        p, errors = attempt(
            lambda: info.context.ledger.portfolios.update(
                info.context.principal, decode_one(input.id, "Portfolio"), patch
            )
        )
        return PortfolioPayload(portfolio=PortfolioNode.of(p) if p else None, errors=errors)

    @strawberry.mutation(description="Create a debtor.")
    def debtor_create(self, info: strawberry.Info, input: DebtorCreateInput) -> DebtorPayload:
        d, errors = attempt(
            lambda: info.context.ledger.debtors.create(info.context.principal, _debtor_input(input))
        )
        return DebtorPayload(debtor=DebtorNode.of(d) if d else None, errors=errors)

    @strawberry.mutation(description="Change a debtor; agents may change their own debtors' contacts.")
    def debtor_update(self, info: strawberry.Info, input: DebtorUpdateInput) -> DebtorPayload:
        d, errors = attempt(
            lambda: info.context.ledger.debtors.update(
                info.context.principal, decode_one(input.id, "Debtor"), _debtor_patch(input)
            )
        )
        return DebtorPayload(debtor=DebtorNode.of(d) if d else None, errors=errors)

    @strawberry.mutation(description="Create a debt for a debtor in a portfolio.")
    def debt_create(self, info: strawberry.Info, input: DebtCreateInput) -> DebtPayload:
        def run() -> Any:
            data = debt_sv.DebtInput(
                debtor_id=decode_one(input.debtor_id, "Debtor", "debtorId"),
                portfolio_id=decode_one(input.portfolio_id, "Portfolio", "portfolioId"),
                original_amount=input.original_amount,
                due_date=input.due_date,
                external_id=input.external_id,
                kind=input.kind,
                currency=input.currency,
                issue_date=input.issue_date,
                number=input.number,
                description=input.description,
                assigned_agent_id=input.assigned_agent_id,
                tags=list(input.tags),
                custom_fields=_json_object(input.custom_fields, "customFields") or {},
            )
            return info.context.ledger.debts.create(info.context.principal, data)

        d, errors = attempt(run)
        return DebtPayload(debt=DebtNode.of(d) if d else None, errors=errors)

    @strawberry.mutation(description="Change a debt; balance and status are recomputed.")
    def debt_update(self, info: strawberry.Info, input: DebtUpdateInput) -> DebtPayload:
        def run() -> Any:
            debtor_id, debt_id = decode_two(input.id, "Debt")
            patch = debt_sv.DebtPatch(
                external_id=input.external_id,
                kind=input.kind,
                number=input.number,
                description=input.description,
                original_amount=input.original_amount,
                issue_date=input.issue_date,
                due_date=input.due_date,
                assigned_agent_id=input.assigned_agent_id,
                tags=input.tags,
                custom_fields=_json_object(input.custom_fields, "customFields"),
            )
            return info.context.ledger.debts.update(info.context.principal, debtor_id, debt_id, patch)

        d, errors = attempt(run)
        return DebtPayload(debt=DebtNode.of(d) if d else None, errors=errors)

    @strawberry.mutation(description="Record a payment, allocated oldest due first unless split explicitly.")
    def payment_record(self, info: strawberry.Info, input: PaymentRecordInput) -> PaymentRecordPayload:
        result, errors = attempt(
            lambda: info.context.ledger.payments.record(info.context.principal, _payment_input(input))
        )
        return PaymentRecordPayload(
            payment=PaymentNode.of(result.payment) if result else None,
            replayed=bool(result and result.replayed),
            errors=errors,
        )

    @strawberry.mutation(description="Reverse a payment (a bounced check); balances are restored.")
    def payment_reverse(self, info: strawberry.Info, input: PaymentReverseInput) -> PaymentReversePayload:
        def run() -> Any:
            debtor_id, payment_id = decode_two(input.payment_id, "Payment", "paymentId")
            return info.context.ledger.payments.reverse(
                info.context.principal, debtor_id, payment_id, input.reason
            )

        p, errors = attempt(run)
        return PaymentReversePayload(payment=PaymentNode.of(p) if p else None, errors=errors)

    @strawberry.mutation(description="Add a credit note or a fee to a debt.")
    def debt_adjust(self, info: strawberry.Info, input: DebtAdjustInput) -> DebtAdjustPayload:
        def run() -> Any:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            return info.context.ledger.debts.adjust(
                info.context.principal, debtor_id, debt_id, input.kind, input.amount, input.reason
            )

        r, errors = attempt(run)
        return DebtAdjustPayload(
            debt=DebtNode.of(r[0]) if r else None,
            adjustment=Adjustment.of(r[1]) if r else None,
            errors=errors,
        )

    @strawberry.mutation(description="Open a dispute: the debt is not chased while it is open.")
    def debt_dispute_open(self, info: strawberry.Info, input: DebtDisputeOpenInput) -> DebtDisputePayload:
        def run() -> Any:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            ledger, me = info.context.ledger, info.context.principal
            dispute = ledger.debts.dispute_open(me, debtor_id, debt_id, input.reason)
            return ledger.debts.get(me, debtor_id, debt_id), dispute

        r, errors = attempt(run)
        return DebtDisputePayload(
            debt=DebtNode.of(r[0]) if r and r[0] else None,
            dispute=Dispute.of(r[1]) if r else None,
            errors=errors,
        )

    @strawberry.mutation(description="Resolve the open dispute, optionally crediting what was not owed.")
    def debt_dispute_resolve(
        self, info: strawberry.Info, input: DebtDisputeResolveInput
    ) -> DebtDisputePayload:
        def run() -> Any:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            return info.context.ledger.debts.dispute_resolve(
                info.context.principal, debtor_id, debt_id, input.resolution, input.credit_amount
            )

        r, errors = attempt(run)
        return DebtDisputePayload(
            debt=DebtNode.of(r[0]) if r else None, dispute=Dispute.of(r[1]) if r else None, errors=errors
        )

    @strawberry.mutation(description="Write a debt off (castigo); it is no longer collected.")
    def debt_write_off(self, info: strawberry.Info, input: DebtWriteOffInput) -> DebtPayload:
        def run() -> Any:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            return info.context.ledger.debts.write_off(
                info.context.principal, debtor_id, debt_id, input.reason
            )

        d, errors = attempt(run)
        return DebtPayload(debt=DebtNode.of(d) if d else None, errors=errors)

    @strawberry.mutation(description="Upsert up to 500 debts and their debtors by external id.")
    def debts_import(self, info: strawberry.Info, input: DebtsImportInput) -> DebtsImportPayload:
        def run() -> imp.ImportResult:
            portfolio_id = decode_one(input.portfolio_id, "Portfolio", "portfolioId")
            rows = [_import_row(r) for r in input.rows]
            return info.context.ledger.imports.run(info.context.principal, portfolio_id, rows)

        result, errors = attempt(run)
        if result is None:
            return DebtsImportPayload(created=0, updated=0, unchanged=0, row_errors=[], errors=errors)
        return DebtsImportPayload(
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            row_errors=[
                ImportRowError(row=e.row, field=e.field, code=e.code, message=e.message)
                for e in result.errors
            ],
            errors=errors,
        )
