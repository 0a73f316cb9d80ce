"""Bulk import: upsert debtors and debts by external id, row by row, re-runnable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from domain.entities import Channel, ContactKind, Debt, DebtKind, Debtor, PartyKind
from domain.errors import DomainError, ErrorCode, FieldError
from domain.ports import ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase
from domain.services.debtors import ContactInput, DebtorInput, DebtorPatch, Debtors, apply_patch
from domain.services.debts import DebtInput, DebtPatch, Debts
from domain.services.debts import apply_patch as apply_debt_patch
from domain.snapshot import snapshot

MAX_ROWS = 500


@dataclass
class ImportRow:
    debtor_external_id: str
    debtor_name: str
    external_id: str
    original_amount: Decimal | str
    due_date: date
    debtor_kind: PartyKind = PartyKind.PERSON
    document_type: str | None = None
    document_number: str | None = None
    email: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    jurisdiction: str | None = None
    preferred_channel: Channel | None = None
    kind: DebtKind = DebtKind.INVOICE
    currency: str | None = None
    issue_date: date | None = None
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    code: ErrorCode
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    debts: list[Debt] = field(default_factory=list)


def _debtor_input(row: ImportRow) -> DebtorInput:
    contacts = []
    if row.email:
        contacts.append(ContactInput(ContactKind.EMAIL, row.email, consent=True))
    if row.phone:
        contacts.append(ContactInput(ContactKind.PHONE, row.phone, consent=True))
    if row.whatsapp:
        contacts.append(ContactInput(ContactKind.WHATSAPP, row.whatsapp, consent=True))
    return DebtorInput(
        name=row.debtor_name,
        kind=row.debtor_kind,
        external_id=row.debtor_external_id,
        document_type=row.document_type,
        document_number=row.document_number,
        jurisdiction=row.jurisdiction,
        preferred_channel=row.preferred_channel,
        contacts=contacts,
        assigned_agent_id=row.assigned_agent_id,
    )


def _fields(entity: Any, names: list[str]) -> dict[str, Any]:
    data = snapshot(entity)
    return {n: data.get(n) for n in names}


_DEBTOR_FIELDS = ["name", "kind", "document_type", "document_number", "jurisdiction", "contacts"]
_DEBT_FIELDS = ["kind", "number", "description", "original_amount", "issue_date", "due_date", "tags"]


class DebtImport(UseCase):
    def run(self, principal: Principal, portfolio_id: str, rows: list[ImportRow]) -> ImportResult:
        """Validate every row; write the valid ones; re-running the same rows writes nothing."""
        principal.require(Action.DEBT_IMPORT)
        if len(rows) > MAX_ROWS:
            raise DomainError(ErrorCode.TOO_MANY_ROWS, f"at most {MAX_ROWS} rows per call", "rows")
        tenant = self.settings(principal)
        portfolio = self.repo.get_portfolio(principal.tenant, portfolio_id)
        if portfolio is None:
            raise DomainError(ErrorCode.NOT_FOUND, "portfolio not found", "portfolioId")
        today = self.today(tenant)
        debtors_uc, debts_uc = Debtors(self.deps), Debts(self.deps)
        t = principal.tenant
        debtor_claims = self.repo.get_claims(
            t, ClaimKind.DEBTOR_EXTERNAL_ID, sorted({r.debtor_external_id for r in rows})
        )
        debt_claims = self.repo.get_claims(
            t, ClaimKind.DEBT_EXTERNAL_ID, sorted({r.external_id for r in rows})
        )
        existing_debtors = self.repo.get_debtors(t, sorted({c.target for c in debtor_claims.values()}))
        existing_debts = self.repo.get_debts(
            t,
            sorted({tuple(c.target.split("/", 1)) for c in debt_claims.values()}),  # type: ignore[misc]
        )
        result = ImportResult()
        txs: list[Transaction] = []
        tx_rows: list[list[int]] = []
        staged_debtors: dict[str, Debtor] = {}
        seen_debts: set[str] = set()
        for index, row in enumerate(rows):
            try:
                if row.external_id in seen_debts:
                    raise DomainError(
                        ErrorCode.DUPLICATE, "debt external id repeated in this batch", "externalId"
                    )
                seen_debts.add(row.external_id)
                data = _debtor_input(row)
                debtor, debtor_tx = self._debtor(
                    principal,
                    tenant.country,
                    data,
                    debtor_claims,
                    existing_debtors,
                    staged_debtors,
                    debtors_uc,
                )
                claim = debt_claims.get(row.external_id)
                current = existing_debts.get(_debt_key(claim.target)) if claim else None
                debt_tx, outcome, debt = self._debt(
                    principal, row, debtor, portfolio, current, today, tenant.currency, debts_uc
                )
            except DomainError as err:
                result.errors.extend(RowError(index, e.field, e.code, e.message) for e in err.errors)
                continue
            for tx in (debtor_tx, debt_tx):
                if tx is not None:
                    txs.append(tx)
                    tx_rows.append([index])
            result.debts.append(debt)
            setattr(result, outcome, getattr(result, outcome) + 1)
        failures = self.repo.commit_many(t, txs) if txs else []
        for rows_of_tx, failure in zip(tx_rows, failures, strict=True):
            if failure is not None:
                for index in rows_of_tx:
                    result.errors.append(
                        RowError(index, None, ErrorCode.CONFLICT, str(failure) or "write failed")
                    )
        return result

    def _debtor(
        self,
        principal: Principal,
        country: str,
        data: DebtorInput,
        claims: dict[str, Any],
        existing: dict[str, Debtor],
        staged: dict[str, Debtor],
        uc: Debtors,
    ) -> tuple[Debtor, Transaction | None]:
        ext = data.external_id or ""
        if ext in staged:
            return staged[ext], None
        claim = claims.get(ext)
        current = existing.get(claim.target) if claim else None
        if current is None:
            debtor = uc.build(principal, country, data)
            tx = Transaction(batchable=True)
            uc.stage_new(tx, principal, debtor)
            staged[ext] = debtor
            return debtor, tx
        before = _fields(current, _DEBTOR_FIELDS)
        candidate = uc.build(principal, country, data)
        apply_patch(
            current,
            DebtorPatch(
                name=candidate.name,
                kind=candidate.kind,
                document_type=data.document_type,
                document_number=data.document_number,
                jurisdiction=candidate.jurisdiction,
                contacts=data.contacts if data.contacts else None,
            ),
        )
        staged[ext] = current
        after = _fields(current, _DEBTOR_FIELDS)
        if after == before:
            return current, None
        current.updated_at = self.now()
        tx = Transaction()
        tx.save(current)
        self.audit(tx, principal, "Debtor", current.id, "debtsImport", before, after)
        return current, tx

    def _debt(
        self,
        principal: Principal,
        row: ImportRow,
        debtor: Debtor,
        portfolio: Any,
        current: Debt | None,
        today: date,
        currency: str,
        uc: Debts,
    ) -> tuple[Transaction | None, str, Debt]:
        data = DebtInput(
            debtor_id=debtor.id,
            portfolio_id=portfolio.id,
            original_amount=row.original_amount,
            due_date=row.due_date,
            external_id=row.external_id,
            kind=row.kind,
            currency=row.currency,
            issue_date=row.issue_date,
            number=row.number,
            description=row.description,
            assigned_agent_id=row.assigned_agent_id,
            tags=row.tags,
        )
        candidate = uc.build(principal, debtor, portfolio, data, today, currency)
        if current is None:
            tx = Transaction(batchable=True)
            uc.stage_new(tx, principal, candidate)
            return tx, "created", candidate
        if current.debtor_id != debtor.id:
            raise DomainError(ErrorCode.CONFLICT, "the debt belongs to another debtor", "debtorExternalId")
        before = _fields(current, _DEBT_FIELDS)
        apply_debt_patch(
            current,
            DebtPatch(
                kind=candidate.kind,
                number=candidate.number,
                description=candidate.description,
                original_amount=candidate.original_amount,
                issue_date=candidate.issue_date,
                due_date=candidate.due_date,
                tags=candidate.tags,
            ),
        )
        after = _fields(current, _DEBT_FIELDS)
        if after == before:
            return None, "unchanged", current
        current.updated_at = self.now()
        tx = Transaction()
        tx.save(current)
        self.audit(tx, principal, "Debt", current.id, "debtsImport", before, after)
        self.event(
            tx,
            principal.tenant,
            "DebtUpdated",
            current.id,
            {"debtId": current.id, "change": "debtsImport", "balance": str(current.balance)},
        )
        return tx, "updated", current


def _debt_key(target: str) -> tuple[str, str]:
    debtor_id, _, debt_id = target.partition("/")
    return debtor_id, debt_id


def field_errors(result: ImportResult) -> list[FieldError]:
    return [
        FieldError(e.code, e.message, f"rows[{e.row}].{e.field}" if e.field else f"rows[{e.row}]")
        for e in result.errors
    ]
