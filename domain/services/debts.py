"""Debts: creation, changes, adjustments, disputes and write-offs; listing with derived status filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from domain.entities import (
    Adjustment,
    AdjustmentKind,
    AgingBucket,
    Debt,
    DebtKind,
    Debtor,
    DebtState,
    DebtStatus,
    Dispute,
    DisputeState,
    NextAction,
    Portfolio,
)
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.ids import derived_id
from domain.ledger import bucket_due_range, dpd_due_range
from domain.money import positive_amount, validate_currency
from domain.ports import Claim, ClaimKind, DebtQuery, Page, PageRequest, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_tags, clean_text
from domain.snapshot import snapshot


@dataclass
class DebtInput:
    debtor_id: str
    portfolio_id: str
    original_amount: Decimal | str
    due_date: date
    external_id: str | None = None
    kind: DebtKind = DebtKind.INVOICE
    currency: str | None = None
    issue_date: date | None = None
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = None
    tags: list[str] = field(default_factory=list)
    custom_fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class DebtPatch:
    external_id: str | None = None
    kind: DebtKind | None = None
    number: str | None = None
    description: str | None = None
    original_amount: Decimal | str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    assigned_agent_id: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None


@dataclass(frozen=True)
class DebtFilter:
    portfolio_id: str | None = None
    debtor_id: str | None = None
    status: DebtStatus | None = None
    due_from: date | None = None
    due_to: date | None = None
    min_days_past_due: int | None = None
    max_days_past_due: int | None = None
    aging_bucket: AgingBucket | None = None
    agent_id: str | None = None
    currency: str | None = None


MAX_DAYS_PAST_DUE = 36_500
"""A hundred years: beyond it a days-past-due filter is a mistake, not a question."""


def debt_id_for(tenant: str, debtor_id: str, external_id: str) -> str:
    return derived_id(tenant, "debt", debtor_id, external_id)


def debt_event_data(debt: Debt) -> dict[str, Any]:
    return {
        "debtId": debt.id,
        "debtorId": debt.debtor_id,
        "portfolioId": debt.portfolio_id,
        "externalId": debt.external_id,
        "currency": debt.currency,
        "originalAmount": str(debt.original_amount),
        "balance": str(debt.balance),
        "dueDate": debt.due_date.isoformat(),
        "state": debt.state.value,
    }


def _max_date(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else max(a, b)


def _min_date(a: date | None, b: date | None) -> date | None:
    return b if a is None else a if b is None else min(a, b)


def to_query(f: DebtFilter, today: date) -> DebtQuery:
    """Turn status, days-past-due and aging filters into a stored-state + due-date range query."""
    state: DebtState | None = None
    in_plan: bool | None = None
    due_from, due_to = f.due_from, f.due_to
    if f.status is DebtStatus.CURRENT:
        state, due_from, in_plan = DebtState.OPEN, _max_date(due_from, today), False
    elif f.status is DebtStatus.OVERDUE:
        state, due_to, in_plan = DebtState.OPEN, _min_date(due_to, today - timedelta(days=1)), False
    elif f.status is DebtStatus.IN_PLAN:
        state, in_plan = DebtState.OPEN, True
    elif f.status is not None:
        state = DebtState(f.status.value)
    ranges = []
    for name, value in (("minDaysPastDue", f.min_days_past_due), ("maxDaysPastDue", f.max_days_past_due)):
        if value is not None and abs(value) > MAX_DAYS_PAST_DUE:
            raise DomainError(ErrorCode.INVALID, f"{name} must be within ±{MAX_DAYS_PAST_DUE}", name)
    if f.min_days_past_due is not None or f.max_days_past_due is not None:
        ranges.append(dpd_due_range(f.min_days_past_due, f.max_days_past_due, today))
    if f.aging_bucket is not None:
        ranges.append(bucket_due_range(f.aging_bucket, today))
    for lo, hi in ranges:
        if state not in (None, DebtState.OPEN):
            raise DomainError(ErrorCode.INVALID, "days past due apply to open debts", "filter")
        state = DebtState.OPEN
        due_from, due_to = _max_date(due_from, lo), _min_date(due_to, hi)
    return DebtQuery(
        portfolio_id=f.portfolio_id,
        debtor_id=f.debtor_id,
        state=state,
        due_from=due_from,
        due_to=due_to,
        agent_id=f.agent_id,
        currency=f.currency.upper() if f.currency else None,
        in_plan=in_plan,
    )


class Debts(UseCase):
    def get(self, principal: Principal, debtor_id: str, debt_id: str) -> Debt | None:
        principal.require(Action.DEBT_READ)
        debt = self.repo.get_debt(principal.tenant, debtor_id, debt_id)
        if debt is None or not principal.sees_agent(debt.assigned_agent_id):
            return None
        return debt

    def list(self, principal: Principal, f: DebtFilter, page: PageRequest) -> Page[Debt]:
        principal.require(Action.DEBT_READ)
        if principal.is_agent:
            if f.agent_id not in (None, principal.agent_id):
                return Page([], None, False)
            f = DebtFilter(**{**f.__dict__, "agent_id": principal.agent_id or "-"})
        # Only date-relative filters need the tenant's calendar day (one read saved otherwise).
        relative = f.status in (DebtStatus.CURRENT, DebtStatus.OVERDUE) or any(
            v is not None for v in (f.min_days_past_due, f.max_days_past_due, f.aging_bucket)
        )
        today = self.today(self.settings(principal)) if relative else self.today_in("UTC")
        query = to_query(f, today)
        if query.due_from and query.due_to and query.due_from > query.due_to:
            return Page([], None, False)
        return self.repo.list_debts(principal.tenant, query, page)

    def create(self, principal: Principal, data: DebtInput) -> Debt:
        principal.require(Action.DEBT_WRITE)
        tenant = self.settings(principal)
        debtor = self.repo.get_debtor(principal.tenant, data.debtor_id)
        if debtor is None:
            raise NotFound("debtor", "debtorId")
        portfolio = self.repo.get_portfolio(principal.tenant, data.portfolio_id)
        if portfolio is None:
            raise NotFound("portfolio", "portfolioId")
        debt = self.build(principal, debtor, portfolio, data, self.today(tenant), tenant.currency)
        if self.repo.get_claim(principal.tenant, ClaimKind.DEBT_EXTERNAL_ID, debt.external_id):
            raise _duplicate()
        if self.repo.get_debt(principal.tenant, debtor.id, debt.id) is not None:
            debt.id = self.deps.ids.new_id()  # the derived id belongs to a debt renamed since
        tx = Transaction()
        self.stage_new(tx, principal, debt)
        try:
            self.repo.commit(principal.tenant, tx)
        except (UniquenessConflict, ConcurrencyConflict):
            raise _duplicate() from None
        return debt

    def build(
        self,
        principal: Principal,
        debtor: Debtor,
        portfolio: Portfolio,
        data: DebtInput,
        today: date,
        default_currency: str,
    ) -> Debt:
        """Validate a new debt (shared by create and bulk import)."""
        currency = validate_currency(data.currency or portfolio.currency or default_currency)
        if portfolio.currency and currency != portfolio.currency:
            raise DomainError(
                ErrorCode.CURRENCY_MISMATCH, f"portfolio is in {portfolio.currency}", "currency"
            )
        issue_date = data.issue_date or min(today, data.due_date)
        if data.due_date < issue_date:
            raise DomainError(ErrorCode.INVALID_DATE, "due date is before the issue date", "dueDate")
        external_id = clean_text(data.external_id, "externalId", max_len=100) or self.deps.ids.new_id()
        return Debt(
            tenant=principal.tenant,
            id=debt_id_for(principal.tenant, debtor.id, external_id),
            debtor_id=debtor.id,
            portfolio_id=portfolio.id,
            external_id=external_id,
            kind=data.kind,
            currency=currency,
            original_amount=positive_amount(data.original_amount, currency, "originalAmount"),
            issue_date=issue_date,
            due_date=data.due_date,
            number=clean_text(data.number, "number", max_len=100),
            description=clean_text(data.description, "description", max_len=2000),
            assigned_agent_id=clean_text(data.assigned_agent_id, "assignedAgentId", max_len=100)
            or debtor.assigned_agent_id,
            tags=clean_tags(data.tags),
            custom_fields=dict(data.custom_fields or {}),
            # Up for evaluation by the next reminder planner cycle (its cadence starts there).
            next_action=NextAction(
                at=self.now(),
                campaign_id="",
                step_id="",
                occurrence=data.due_date,
                time_zone=debtor.time_zone,
                jurisdiction=debtor.jurisdiction,
            ),
            created_at=self.now(),
            updated_at=self.now(),
        )

    def stage_new(self, tx: Transaction, principal: Principal, debt: Debt) -> None:
        tx.save(debt)
        tx.claims.append(Claim(ClaimKind.DEBT_EXTERNAL_ID, debt.external_id, f"{debt.debtor_id}/{debt.id}"))
        self.audit(tx, principal, "Debt", debt.id, "debtCreate", None, snapshot(debt))
        self.event(tx, principal.tenant, "DebtCreated", debt.id, debt_event_data(debt))

    def load(self, principal: Principal, debtor_id: str, debt_id: str) -> Debt:
        debt = self.get(principal, debtor_id, debt_id)
        if debt is None:
            raise NotFound("debt")
        return debt

    def update(self, principal: Principal, debtor_id: str, debt_id: str, patch: DebtPatch) -> Debt:
        principal.require(Action.DEBT_WRITE)
        return self.retrying(lambda: self._update(principal, debtor_id, debt_id, patch))

    def _update(self, principal: Principal, debtor_id: str, debt_id: str, patch: DebtPatch) -> Debt:
        debt = self.load(principal, debtor_id, debt_id)
        before, was, due = snapshot(debt), debt.state, debt.due_date
        tx = Transaction()
        apply_patch(debt, patch)
        if debt.due_date != due:
            # A new due date re-anchors the cadence: the next planner cycle recomputes it, and
            # jobs planned for the old date are dropped by the dispatcher (their day no longer fits).
            old = debt.next_action
            debt.next_action = NextAction(
                at=self.now(),
                campaign_id="",
                step_id="",
                occurrence=debt.due_date,
                time_zone=old.time_zone if old else "",
                jurisdiction=old.jurisdiction if old else "",
            )
        if patch.external_id is not None:
            new_ext = clean_text(patch.external_id, "externalId", required=True, max_len=100) or ""
            if new_ext != debt.external_id:
                tx.releases.append(Claim(ClaimKind.DEBT_EXTERNAL_ID, debt.external_id))
                tx.claims.append(Claim(ClaimKind.DEBT_EXTERNAL_ID, new_ext, f"{debt.debtor_id}/{debt.id}"))
                debt.external_id = new_ext
        self.stage_change(tx, principal, debt, before, was, "debtUpdate")
        try:
            self.repo.commit(principal.tenant, tx)
        except UniquenessConflict:
            raise _duplicate() from None
        return debt

    def stage_change(
        self,
        tx: Transaction,
        principal: Principal,
        debt: Debt,
        before: dict[str, Any],
        was: DebtState,
        action: str,
        extra: dict[str, Any] | None = None,
    ) -> None:
        debt.updated_at = self.now()
        tx.save(debt)
        self.audit(
            tx, principal, "Debt", debt.id, action, before, snapshot(debt) | {"balance": str(debt.balance)}
        )
        data = debt_event_data(debt) | {"change": action} | (extra or {})
        self.event(tx, principal.tenant, "DebtUpdated", debt.id, data)
        if debt.state is DebtState.PAID and was is not DebtState.PAID:
            self.event(tx, principal.tenant, "DebtPaid", debt.id, debt_event_data(debt))

    def adjust(
        self,
        principal: Principal,
        debtor_id: str,
        debt_id: str,
        kind: AdjustmentKind,
        amount: Decimal | str,
        reason: str,
    ) -> tuple[Debt, Adjustment]:
        """A credit note lowers the balance (never below zero); a fee raises it."""
        principal.require(Action.DEBT_ADJUST)
        return self.retrying(lambda: self._adjust(principal, debtor_id, debt_id, kind, amount, reason))

    def _adjust(
        self,
        principal: Principal,
        debtor_id: str,
        debt_id: str,
        kind: AdjustmentKind,
        amount: Decimal | str,
        reason: str,
    ) -> tuple[Debt, Adjustment]:
        debt = self.load(principal, debtor_id, debt_id)
        if debt.written_off:
            raise DomainError(ErrorCode.INVALID_STATE, "the debt is written off", "debtId")
        value = positive_amount(amount, debt.currency)
        if kind is AdjustmentKind.CREDIT and value > debt.balance:
            raise DomainError(
                ErrorCode.INVALID_AMOUNT, f"credit exceeds the balance {debt.balance}", "amount"
            )
        before, was = snapshot(debt) | {"balance": str(debt.balance)}, debt.state
        adjustment = Adjustment(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debt.debtor_id,
            debt_id=debt.id,
            kind=kind,
            amount=value,
            currency=debt.currency,
            reason=clean_text(reason, "reason", required=True, max_len=500) or "",
            created_by=principal.sub,
            created_at=self.now(),
        )
        if kind is AdjustmentKind.CREDIT:
            debt.credit_total += value
        else:
            debt.fee_total += value
        tx = Transaction()
        tx.save(adjustment)
        self.stage_change(
            tx,
            principal,
            debt,
            before,
            was,
            "debtAdjust",
            {"adjustment": {"kind": kind.value, "amount": str(value)}},
        )
        self.repo.commit(principal.tenant, tx)
        return debt, adjustment

    def dispute_open(self, principal: Principal, debtor_id: str, debt_id: str, reason: str) -> Dispute:
        principal.require(Action.DISPUTE_OPEN)
        return self.retrying(lambda: self._dispute_open(principal, debtor_id, debt_id, reason))

    def _dispute_open(self, principal: Principal, debtor_id: str, debt_id: str, reason: str) -> Dispute:
        debt = self.load(principal, debtor_id, debt_id)
        if debt.state is not DebtState.OPEN:
            raise DomainError(
                ErrorCode.INVALID_STATE, f"a {debt.state.value} debt cannot be disputed", "debtId"
            )
        before = snapshot(debt)
        dispute = Dispute(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debt.debtor_id,
            debt_id=debt.id,
            reason=clean_text(reason, "reason", required=True, max_len=2000) or "",
            opened_by=principal.sub,
            opened_at=self.now(),
        )
        debt.disputed, debt.dispute_reason, debt.updated_at = True, dispute.reason, self.now()
        tx = Transaction()
        tx.save(dispute)
        tx.save(debt)
        self.audit(tx, principal, "Debt", debt.id, "debtDisputeOpen", before, snapshot(debt))
        self.event(
            tx,
            principal.tenant,
            "DisputeOpened",
            debt.id,
            debt_event_data(debt) | {"disputeId": dispute.id, "reason": dispute.reason},
        )
        self.repo.commit(principal.tenant, tx)
        return dispute

    def dispute_resolve(
        self,
        principal: Principal,
        debtor_id: str,
        debt_id: str,
        resolution: str,
        credit_amount: Decimal | str | None = None,
    ) -> tuple[Debt, Dispute]:
        """Close the open dispute; an optional credit (the part found not owed) lowers the balance."""
        principal.require(Action.DISPUTE_RESOLVE)
        return self.retrying(
            lambda: self._dispute_resolve(principal, debtor_id, debt_id, resolution, credit_amount)
        )

    def _dispute_resolve(
        self,
        principal: Principal,
        debtor_id: str,
        debt_id: str,
        resolution: str,
        credit_amount: Decimal | str | None,
    ) -> tuple[Debt, Dispute]:
        debt = self.load(principal, debtor_id, debt_id)
        dispute = next(
            (
                d
                for d in self.repo.disputes_of_debt(principal.tenant, debt.debtor_id, debt.id)
                if d.state is DisputeState.OPEN
            ),
            None,
        )
        if not debt.disputed or dispute is None:
            raise DomainError(ErrorCode.INVALID_STATE, "the debt has no open dispute", "debtId")
        if debt.written_off and credit_amount is not None:
            raise DomainError(ErrorCode.INVALID_STATE, "the debt is written off", "creditAmount")
        before, was = snapshot(debt) | {"balance": str(debt.balance)}, debt.state
        dispute.state, dispute.resolved_by, dispute.resolved_at = (
            DisputeState.RESOLVED,
            principal.sub,
            self.now(),
        )
        dispute.resolution = clean_text(resolution, "resolution", required=True, max_len=2000)
        tx = Transaction()
        credit: Decimal | None = None
        if credit_amount is not None:
            value = credit = positive_amount(credit_amount, debt.currency, "creditAmount")
            if value > debt.balance:
                raise DomainError(ErrorCode.INVALID_AMOUNT, "credit exceeds the balance", "creditAmount")
            debt.credit_total += value
            tx.save(
                Adjustment(
                    tenant=principal.tenant,
                    id=self.deps.ids.new_id(),
                    debtor_id=debt.debtor_id,
                    debt_id=debt.id,
                    kind=AdjustmentKind.CREDIT,
                    amount=value,
                    currency=debt.currency,
                    reason=f"dispute {dispute.id}: {dispute.resolution}",
                    created_by=principal.sub,
                    created_at=self.now(),
                )
            )
        debt.disputed, debt.dispute_reason, debt.updated_at = False, None, self.now()
        tx.save(dispute)
        tx.save(debt)
        self.audit(
            tx,
            principal,
            "Debt",
            debt.id,
            "debtDisputeResolve",
            before,
            snapshot(debt) | {"balance": str(debt.balance)},
        )
        self.event(
            tx,
            principal.tenant,
            "DisputeResolved",
            debt.id,
            debt_event_data(debt) | {"disputeId": dispute.id, "resolution": dispute.resolution},
        )
        if credit is not None:
            adjustment = {"kind": AdjustmentKind.CREDIT.value, "amount": str(credit)}
            data = debt_event_data(debt) | {"change": "debtDisputeResolve", "adjustment": adjustment}
            self.event(tx, principal.tenant, "DebtUpdated", debt.id, data)
        if debt.state is DebtState.PAID and was is not DebtState.PAID:
            self.event(tx, principal.tenant, "DebtPaid", debt.id, debt_event_data(debt))
        self.repo.commit(principal.tenant, tx)
        return debt, dispute

    def write_off(self, principal: Principal, debtor_id: str, debt_id: str, reason: str) -> Debt:
        principal.require(Action.DEBT_WRITE_OFF)
        return self.retrying(lambda: self._write_off(principal, debtor_id, debt_id, reason))

    def _write_off(self, principal: Principal, debtor_id: str, debt_id: str, reason: str) -> Debt:
        debt = self.load(principal, debtor_id, debt_id)
        if debt.state in (DebtState.PAID, DebtState.WRITTEN_OFF):
            raise DomainError(
                ErrorCode.INVALID_STATE, f"a {debt.state.value} debt cannot be written off", "debtId"
            )
        before = snapshot(debt)
        debt.written_off, debt.updated_at = True, self.now()
        debt.write_off_reason = clean_text(reason, "reason", required=True, max_len=2000)
        tx = Transaction()
        tx.save(debt)
        self.audit(tx, principal, "Debt", debt.id, "debtWriteOff", before, snapshot(debt))
        self.event(
            tx,
            principal.tenant,
            "DebtWrittenOff",
            debt.id,
            debt_event_data(debt) | {"reason": debt.write_off_reason},
        )
        self.repo.commit(principal.tenant, tx)
        return debt


def apply_patch(debt: Debt, patch: DebtPatch) -> None:
    if patch.kind is not None:
        debt.kind = patch.kind
    if patch.number is not None:
        debt.number = clean_text(patch.number, "number", max_len=100)
    if patch.description is not None:
        debt.description = clean_text(patch.description, "description", max_len=2000)
    if patch.issue_date is not None:
        debt.issue_date = patch.issue_date
    if patch.due_date is not None:
        debt.due_date = patch.due_date
    if debt.due_date < debt.issue_date:
        raise DomainError(ErrorCode.INVALID_DATE, "due date is before the issue date", "dueDate")
    if patch.original_amount is not None:
        amount = positive_amount(patch.original_amount, debt.currency, "originalAmount")
        if amount - debt.paid_total - debt.credit_total + debt.fee_total < 0:
            raise DomainError(
                ErrorCode.INVALID_AMOUNT,
                "amount is below what was already paid or credited",
                "originalAmount",
            )
        debt.original_amount = amount
    if patch.assigned_agent_id is not None:
        debt.assigned_agent_id = clean_text(patch.assigned_agent_id, "assignedAgentId", max_len=100)
    if patch.tags is not None:
        debt.tags = clean_tags(patch.tags)
    if patch.custom_fields is not None:
        debt.custom_fields = dict(patch.custom_fields)


def _duplicate() -> DomainError:
    return DomainError(ErrorCode.DUPLICATE, "a debt with this external id already exists", "externalId")
