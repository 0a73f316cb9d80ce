"""Bulk import: upsert debtors and debts by external id, row by row, re-runnable."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.entities import (
    Channel,
    ContactKind,
    Debt,
    DebtKind,
    Debtor,
    DebtState,
    NextAction,
    PartyKind,
    Portfolio,
)
from domain.errors import DomainError, ErrorCode, FieldError
from domain.ids import derived_id
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_text
from domain.services.debtors import (
    ContactInput,
    DebtorInput,
    DebtorPatch,
    Debtors,
    apply_patch,
    debtor_id_for,
)
from domain.services.debts import DebtInput, DebtPatch, Debts, debt_id_for
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
    changes: list[tuple[Debt | None, Debt]] = field(default_factory=list)
    """Each written debt with what it was before (None when created): the deltas for aggregates."""


def _debtor_input(row: ImportRow) -> DebtorInput:
    contacts: list[ContactInput] = []
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


@dataclass
class _RowPlan:
    """What one valid row will write: its own transactions, and the outcome if they land."""

    index: int
    outcome: str
    debt: Debt
    txs: list[Transaction]
    previous: Debt | None = None


class DebtImport(UseCase):
    def run(
        self, principal: Principal, portfolio_id: str, rows: list[ImportRow], *, dry_run: bool = False
    ) -> ImportResult:
        """Validate every row; write the valid ones; re-running the same rows writes nothing.

        Reads are batched (claims, then existing records), new records go out in batch writes,
        changed ones in one conditional transaction each. `dry_run` decides and counts, writes nothing.
        """
        principal.require(Action.DEBT_IMPORT)
        if len(rows) > MAX_ROWS:
            raise DomainError(ErrorCode.TOO_MANY_ROWS, f"at most {MAX_ROWS} rows per call", "rows")
        tenant = self.settings(principal)
        portfolio = self.repo.get_portfolio(principal.tenant, portfolio_id)
        if portfolio is None:
            raise DomainError(ErrorCode.NOT_FOUND, "portfolio not found", "portfolioId")
        t = principal.tenant
        debtor_claims = self.repo.get_claims(
            t, ClaimKind.DEBTOR_EXTERNAL_ID, sorted({r.debtor_external_id.strip() for r in rows})
        )
        debt_claims = self.repo.get_claims(
            t, ClaimKind.DEBT_EXTERNAL_ID, sorted({r.external_id.strip() for r in rows})
        )
        existing_debtors = self.repo.get_debtors(t, sorted({c.target for c in debtor_claims.values()}))
        existing_debts = self.repo.get_debts(t, sorted({_debt_key(c.target) for c in debt_claims.values()}))
        # Derived ids of new records can only be taken by records renamed since: one batch read each.
        debtor_ids = {
            ext: (debtor_claims[ext].target if ext in debtor_claims else debtor_id_for(t, ext))
            for ext in {r.debtor_external_id.strip() for r in rows}
        }
        # A record at a derived id with this very external id is ours, half-written by an interrupted
        # batch (its claim missing): rewriting it under the same id converges, a new id would duplicate.
        taken_debtors = {
            debtor_id
            for debtor_id, found in self.repo.get_debtors(
                t, sorted(debtor_ids[ext] for ext in debtor_ids if ext not in debtor_claims)
            ).items()
            if found.external_id not in debtor_ids or debtor_ids[found.external_id] != debtor_id
        }
        new_debt_keys = {
            (
                debtor_ids[r.debtor_external_id.strip()],
                debt_id_for(t, debtor_ids[r.debtor_external_id.strip()], r.external_id.strip()),
            )
            for r in rows
            if r.external_id.strip() not in debt_claims
        }
        taken_debts = {
            key
            for key, found in self.repo.get_debts(t, sorted(new_debt_keys)).items()
            if debt_id_for(t, key[0], found.external_id) != key[1]
        }
        session = _Session(
            self,
            principal,
            tenant.country,
            tenant.currency,
            self.today(tenant),
            portfolio,
            debtor_claims,
            debt_claims,
            existing_debtors,
            existing_debts,
        )
        session.taken_debtor_ids, session.taken_debt_keys = taken_debtors, taken_debts
        result = ImportResult()
        plans: list[_RowPlan] = []
        for index, row in enumerate(rows):
            try:
                plans.append(session.plan(index, row))
            except DomainError as err:
                result.errors.extend(RowError(index, e.field, e.code, e.message) for e in err.errors)
        txs = [tx for plan in plans for tx in plan.txs]
        failures = [None] * len(txs) if dry_run or not txs else self.repo.commit_many(t, txs)
        failed = {id(tx): f for tx, f in zip(txs, failures, strict=True) if f is not None}
        for plan in plans:
            failure = next((failed[id(tx)] for tx in plan.txs if id(tx) in failed), None)
            if failure is not None:
                result.errors.append(
                    RowError(plan.index, None, ErrorCode.CONFLICT, f"not written, try again: {failure}")
                )
                continue
            result.debts.append(plan.debt)
            if plan.outcome != "unchanged":
                result.changes.append((plan.previous, plan.debt))
            setattr(result, plan.outcome, getattr(result, plan.outcome) + 1)
        result.errors.sort(key=lambda e: e.row)
        return result


class _Session:
    """The state of one import call: what exists, and which new debtors earlier rows introduced."""

    def __init__(
        self,
        uc: DebtImport,
        principal: Principal,
        country: str,
        currency: str,
        today: date,
        portfolio: Portfolio,
        debtor_claims: dict[str, Claim],
        debt_claims: dict[str, Claim],
        existing_debtors: dict[str, Debtor],
        existing_debts: dict[tuple[str, str], Debt],
    ) -> None:
        self.uc, self.principal, self.country, self.currency, self.today = (
            uc,
            principal,
            country,
            currency,
            today,
        )
        self.portfolio = portfolio
        self.debtor_claims, self.debt_claims = debtor_claims, debt_claims
        self.existing_debtors, self.existing_debts = existing_debtors, existing_debts
        self.debtors_uc, self.debts_uc = Debtors(uc.deps), Debts(uc.deps)
        self.staged: dict[str, Debtor] = {}
        self.seen_debts: set[str] = set()
        self.taken_debtor_ids: set[str] = set()
        self.taken_debt_keys: set[tuple[str, str]] = set()

    def plan(self, index: int, row: ImportRow) -> _RowPlan:
        debtor_ext = clean_text(row.debtor_external_id, "debtorExternalId", required=True, max_len=100) or ""
        debt_ext = clean_text(row.external_id, "externalId", required=True, max_len=100) or ""
        if debt_ext in self.seen_debts:
            raise DomainError(ErrorCode.DUPLICATE, "debt external id repeated in this batch", "externalId")
        debtor, debtor_tx = self._debtor(replace(_debtor_input(row), external_id=debtor_ext))
        claim = self.debt_claims.get(debt_ext)
        current = self.existing_debts.get(_debt_key(claim.target)) if claim else None
        debt_tx, outcome, debt = self._debt(replace(row, external_id=debt_ext), debtor, current)
        # Only now that the whole row is valid does it take effect.
        self.seen_debts.add(debt_ext)
        self.staged[debtor_ext] = debtor
        txs = [tx for tx in (debtor_tx, debt_tx) if tx is not None]
        return _RowPlan(index, outcome, debt, txs, current)

    def _debtor(self, data: DebtorInput) -> tuple[Debtor, Transaction | None]:
        ext = data.external_id or ""
        if ext in self.staged:
            return self.staged[ext], None
        claim = self.debtor_claims.get(ext)
        stored = self.existing_debtors.get(claim.target) if claim else None
        uc, principal = self.debtors_uc, self.principal
        candidate = uc.build(principal, self.country, data)
        if stored is None:
            tx = Transaction(batchable=True)
            if candidate.id in self.taken_debtor_ids:
                candidate.id, tx.batchable = self.uc.deps.ids.new_id(), False  # id freed by a rename
            uc.stage_new(tx, principal, candidate)
            return candidate, tx
        current = copy.deepcopy(stored)
        before = _fields(current, _DEBTOR_FIELDS)
        apply_patch(
            current,
            DebtorPatch(
                name=candidate.name,
                kind=candidate.kind,
                document_type=data.document_type,
                document_number=data.document_number,
                jurisdiction=candidate.jurisdiction,
                contacts=_merged_contacts(stored, candidate) if data.contacts else None,
            ),
        )
        after = _fields(current, _DEBTOR_FIELDS)
        if after == before:
            return current, None
        current.updated_at = self.uc.now()
        tx = Transaction()
        tx.save(current)
        self.uc.audit(tx, principal, "Debtor", current.id, "debtsImport", before, after)
        return current, tx

    def _debt(
        self, row: ImportRow, debtor: Debtor, stored: Debt | None
    ) -> tuple[Transaction | None, str, Debt]:
        data = DebtInput(
            debtor_id=debtor.id,
            portfolio_id=self.portfolio.id,
            original_amount=row.original_amount,
            due_date=row.due_date,
            external_id=row.external_id,
            kind=row.kind,
            currency=row.currency,
            issue_date=row.issue_date or (stored.issue_date if stored else None),
            number=row.number,
            description=row.description,
            assigned_agent_id=row.assigned_agent_id,
            tags=row.tags,
        )
        uc, principal = self.debts_uc, self.principal
        candidate = uc.build(principal, debtor, self.portfolio, data, self.today, self.currency)
        if stored is None:
            tx = Transaction(batchable=True)
            if (debtor.id, candidate.id) in self.taken_debt_keys:
                candidate.id, tx.batchable = self.uc.deps.ids.new_id(), False  # id freed by a rename
            uc.stage_new(tx, principal, candidate)
            # One DebtCreated per debt even when an interrupted import is run again: the id is
            # derived, and the batch rewrite of an outbox item is a MODIFY the relay does not publish.
            tx.events = [
                replace(e, id=derived_id(self.principal.tenant, "event", e.type, candidate.id))
                if e.type == "DebtCreated"
                else e
                for e in tx.events
            ]
            return tx, "created", candidate
        if stored.debtor_id != debtor.id:
            raise DomainError(ErrorCode.CONFLICT, "the debt belongs to another debtor", "debtorExternalId")
        current = copy.deepcopy(stored)
        before, was = snapshot(current) | {"balance": str(current.balance)}, current.state
        compared = _fields(current, _DEBT_FIELDS)
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
        if _fields(current, _DEBT_FIELDS) == compared:
            return None, "unchanged", stored
        if current.original_amount != stored.original_amount and _touched(stored):
            raise DomainError(
                ErrorCode.INVALID_STATE,
                "the debt has payments, adjustments or is closed: its amount changes only through "
                "adjustments, not by import",
                "originalAmount",
            )
        if current.due_date != stored.due_date:
            # As in debtUpdate: a new due date re-anchors the cadence at the next planner cycle.
            old = stored.next_action
            current.next_action = NextAction(
                at=self.uc.now(),
                campaign_id="",
                step_id="",
                occurrence=current.due_date,
                time_zone=old.time_zone if old else debtor.time_zone,
                jurisdiction=old.jurisdiction if old else debtor.jurisdiction,
            )
        tx = Transaction()
        uc.stage_change(tx, principal, current, before, was, "debtsImport")
        return tx, "updated", current


def _touched(debt: Debt) -> bool:
    """Money moved on the debt (or it left OPEN): its original amount is history now."""
    moved = debt.paid_total or debt.credit_total or debt.fee_total
    return bool(moved) or debt.state is not DebtState.OPEN


def _merged_contacts(stored: Debtor, candidate: Debtor) -> list[ContactInput]:
    """The stored contact points (status and consent kept, so an opt-out survives a re-import)
    followed by the file's new ones; an import adds contact data, it never removes or revives it."""
    known = {(c.kind, c.value) for c in stored.contacts}
    kept = [ContactInput(c.kind, c.value, c.consent, c.status, c.label, c.primary) for c in stored.contacts]
    added = [
        ContactInput(c.kind, c.value, c.consent, c.status, c.label, c.primary)
        for c in candidate.contacts
        if (c.kind, c.value) not in known
    ]
    return kept + added


def _debt_key(target: str) -> tuple[str, str]:
    debtor_id, _, debt_id = target.partition("/")
    return debtor_id, debt_id


def field_errors(result: ImportResult) -> list[FieldError]:
    return [
        FieldError(e.code, e.message, f"rows[{e.row}].{e.field}" if e.field else f"rows[{e.row}]")
        for e in result.errors
    ]
