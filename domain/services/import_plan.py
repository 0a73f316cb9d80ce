"""One import call's planning: for each row, what exists, what changes, and the transactions that
write it (new records batchable, changed ones conditional with their audit entries)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from domain.entities import Debt, Debtor, DebtState, NextAction, Portfolio
from domain.errors import DomainError, ErrorCode
from domain.ids import derived_id
from domain.ports import Claim, Transaction
from domain.principal import Principal
from domain.services.base import clean_text
from domain.services.debtors import ContactInput, DebtorInput, DebtorPatch, Debtors, apply_patch
from domain.services.debts import DebtInput, DebtPatch, Debts
from domain.services.debts import apply_patch as apply_debt_patch
from domain.services.import_rows import ImportRow, debtor_input
from domain.snapshot import snapshot

if TYPE_CHECKING:
    from domain.services.imports import DebtImport


def _fields(entity: Any, names: list[str]) -> dict[str, Any]:
    data = snapshot(entity)
    return {n: data.get(n) for n in names}


_DEBTOR_FIELDS = ["name", "kind", "document_type", "document_number", "jurisdiction", "contacts"]
_DEBT_FIELDS = ["kind", "number", "description", "original_amount", "issue_date", "due_date", "tags"]


@dataclass
class RowPlan:
    """What one valid row will write: its own transactions, and the outcome if they land."""

    index: int
    outcome: str
    debt: Debt
    txs: list[Transaction]
    previous: Debt | None = None


class ImportSession:
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

    def plan(self, index: int, row: ImportRow) -> RowPlan:
        debtor_ext = clean_text(row.debtor_external_id, "debtorExternalId", required=True, max_len=100) or ""
        debt_ext = clean_text(row.external_id, "externalId", required=True, max_len=100) or ""
        if debt_ext in self.seen_debts:
            raise DomainError(ErrorCode.DUPLICATE, "debt external id repeated in this batch", "externalId")
        debtor, debtor_tx = self._debtor(replace(debtor_input(row), external_id=debtor_ext))
        claim = self.debt_claims.get(debt_ext)
        current = self.existing_debts.get(debt_key(claim.target)) if claim else None
        debt_tx, outcome, debt = self._debt(replace(row, external_id=debt_ext), debtor, current)
        # Only now that the whole row is valid does it take effect.
        self.seen_debts.add(debt_ext)
        self.staged[debtor_ext] = debtor
        txs = [tx for tx in (debtor_tx, debt_tx) if tx is not None]
        return RowPlan(index, outcome, debt, txs, current)

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


def debt_key(target: str) -> tuple[str, str]:
    debtor_id, _, debt_id = target.partition("/")
    return debtor_id, debt_id
