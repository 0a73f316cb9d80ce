"""Payments: idempotent recording with allocation to debts, and reversal."""

from __future__ import annotations

import builtins
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.clock import iso_utc
from domain.entities import Allocation, Debt, Debtor, DebtState, Payment, PaymentMethod
from domain.errors import DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.ledger import allocate
from domain.money import positive_amount, validate_currency
from domain.ports import Claim, ClaimKind, Page, PageRequest, PaymentQuery, Transaction
from domain.principal import Action, Principal
from domain.services.base import UseCase, clean_text
from domain.services.debts import debt_event_data
from domain.services.payment_events import NoPaymentObserver, PaymentObserver, tell
from domain.snapshot import snapshot

MAX_ALLOCATED_DEBTS = 20
"""One payment settles at most this many debts in one transaction; the rest stays as credit."""


@dataclass
class AllocationInput:
    debt_id: str
    amount: Decimal | str


@dataclass
class PaymentInput:
    debtor_id: str
    amount: Decimal | str
    currency: str
    method: PaymentMethod
    idempotency_key: str
    paid_at: datetime | None = None
    debt_id: str | None = None
    reference: str | None = None
    note: str | None = None
    allocations: list[AllocationInput] = field(default_factory=list)


@dataclass
class PaymentResult:
    payment: Payment
    replayed: bool


def payment_event_data(payment: Payment) -> dict[str, object]:
    return {
        "paymentId": payment.id,
        "debtorId": payment.debtor_id,
        "amount": str(payment.amount),
        "currency": payment.currency,
        "method": payment.method.value,
        "paidAt": iso_utc(payment.paid_at),
        "reference": payment.reference,
        "allocations": [{"debtId": a.debt_id, "amount": str(a.amount)} for a in payment.allocations],
        "unapplied": str(payment.unapplied),
    }


def _fingerprint(data: PaymentInput) -> str:
    canonical = json.dumps(
        [
            data.debtor_id,
            data.debt_id,
            str(data.amount),
            data.currency.upper(),
            data.method.value,
            data.paid_at.isoformat() if data.paid_at else None,
            data.reference,
            [[a.debt_id, str(a.amount)] for a in data.allocations],
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class Payments(UseCase):
    observer: PaymentObserver = NoPaymentObserver()
    """Told after each committed record or reversal (the composition root sets it)."""

    def get(self, principal: Principal, debtor_id: str, payment_id: str) -> Payment | None:
        principal.require(Action.PAYMENT_READ)
        payment = self.repo.get_payment(principal.tenant, debtor_id, payment_id)
        if payment is None or (principal.is_agent and not self._agent_sees(principal, debtor_id)):
            return None
        return payment

    def list(self, principal: Principal, query: PaymentQuery, page: PageRequest) -> Page[Payment]:
        principal.require(Action.PAYMENT_READ)
        # Agents see the payments of their own debtors, one debtor at a time.
        if principal.is_agent and (
            query.debtor_id is None or not self._agent_sees(principal, query.debtor_id)
        ):
            return Page([], None, False)
        return self.repo.list_payments(principal.tenant, query, page)

    def _agent_sees(self, principal: Principal, debtor_id: str) -> bool:
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        return debtor is not None and principal.sees_agent(debtor.assigned_agent_id)

    def record(self, principal: Principal, data: PaymentInput) -> PaymentResult:
        """Record a payment once per idempotency key; a replay returns the first result, writing nothing."""
        principal.require(Action.PAYMENT_RECORD)
        key = clean_text(data.idempotency_key, "idempotencyKey", required=True, max_len=200) or ""
        fingerprint = _fingerprint(data)
        result = self.retrying(lambda: self._record(principal, data, key, fingerprint))
        tell(self.observer, principal, result.payment)
        return result

    def _replay(self, principal: Principal, claim: Claim, fingerprint: str) -> PaymentResult:
        if claim.fingerprint != fingerprint:
            raise DomainError(
                ErrorCode.IDEMPOTENCY_KEY_REUSED,
                "this idempotency key was used for a different payment",
                "idempotencyKey",
            )
        debtor_id, payment_id = claim.target.split("/", 1)
        payment = self.repo.get_payment(principal.tenant, debtor_id, payment_id)
        if payment is None:
            raise NotFound("payment")
        return PaymentResult(payment, replayed=True)

    def _record(self, principal: Principal, data: PaymentInput, key: str, fingerprint: str) -> PaymentResult:
        claim = self.repo.get_claim(principal.tenant, ClaimKind.PAYMENT_IDEMPOTENCY_KEY, key)
        if claim is not None:
            return self._replay(principal, claim, fingerprint)
        debtor = self.repo.get_debtor(principal.tenant, data.debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        currency = validate_currency(data.currency)
        amount = positive_amount(data.amount, currency)
        paid_at = data.paid_at or self.now()
        if paid_at > self.now():
            raise DomainError(ErrorCode.INVALID_DATE, "paidAt is in the future", "paidAt")
        debts = {d.id: d for d in self.repo.debts_of_debtor(principal.tenant, debtor.id)}
        plan = self._plan(data, amount, currency, debts)
        payment = Payment(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debtor.id,
            amount=amount,
            currency=currency,
            paid_at=paid_at,
            method=data.method,
            allocations=plan[0],
            unapplied=plan[1],
            idempotency_key=key,
            reference=clean_text(data.reference, "reference", max_len=200),
            note=clean_text(data.note, "note", max_len=2000),
            recorded_by=principal.sub,
            created_at=self.now(),
        )
        tx = Transaction()
        tx.save(payment)
        tx.claims.append(
            Claim(ClaimKind.PAYMENT_IDEMPOTENCY_KEY, key, f"{debtor.id}/{payment.id}", fingerprint)
        )
        self.audit(tx, principal, "Payment", payment.id, "paymentRecord", None, snapshot(payment))
        self.event(tx, principal.tenant, "PaymentRecorded", payment.id, payment_event_data(payment))
        for allocation in payment.allocations:
            self._apply(tx, principal, debts[allocation.debt_id], allocation.amount, payment, "paymentRecord")
        if payment.unapplied:
            self._credit(tx, debtor, currency, payment.unapplied)
        try:
            self.repo.commit(principal.tenant, tx)
        except UniquenessConflict:
            # A concurrent request with the same key won the race: answer as a replay.
            claim = self.repo.get_claim(principal.tenant, ClaimKind.PAYMENT_IDEMPOTENCY_KEY, key)
            if claim is None:
                raise
            return self._replay(principal, claim, fingerprint)
        return PaymentResult(payment, replayed=False)

    def _plan(
        self, data: PaymentInput, amount: Decimal, currency: str, debts: dict[str, Debt]
    ) -> tuple[builtins.list[Allocation], Decimal]:
        for i, item in enumerate(data.allocations):
            debt = debts.get(item.debt_id)
            if debt is not None and debt.currency != currency:
                raise DomainError(
                    ErrorCode.CURRENCY_MISMATCH, f"debt is in {debt.currency}", f"allocations[{i}].debtId"
                )
        if data.debt_id is not None:
            target = debts.get(data.debt_id)
            if target is None:
                raise NotFound("debt", "debtId")
            if target.currency != currency:
                raise DomainError(ErrorCode.CURRENCY_MISMATCH, f"debt is in {target.currency}", "currency")
        open_debts = [d for d in debts.values() if d.currency == currency and d.state is DebtState.OPEN]
        explicit = [
            Allocation(a.debt_id, positive_amount(a.amount, currency, f"allocations[{i}].amount"))
            for i, a in enumerate(data.allocations)
        ]
        if not explicit and data.debt_id is not None:
            target = debts[data.debt_id]
            if target.state is not DebtState.OPEN:
                raise DomainError(ErrorCode.INVALID_STATE, f"the debt is {target.state.value}", "debtId")
            first = Allocation(target.id, min(amount, target.balance))
            rest = allocate(amount - first.amount, [d for d in open_debts if d.id != target.id])
            return [first, *rest.allocations][:MAX_ALLOCATED_DEBTS], amount - _total(
                [first, *rest.allocations][:MAX_ALLOCATED_DEBTS]
            )
        plan = allocate(amount, open_debts, explicit or None)
        kept = plan.allocations[:MAX_ALLOCATED_DEBTS]
        return kept, amount - _total(kept)

    def _apply(
        self, tx: Transaction, principal: Principal, debt: Debt, delta: Decimal, payment: Payment, action: str
    ) -> None:
        """Move a debt's paid total by `delta` (negative on reversal), with its audit entry and events."""
        before, was = {"balance": str(debt.balance), "state": debt.state.value}, debt.state
        debt.paid_total += delta
        debt.updated_at = self.now()
        tx.save(debt)
        after = {"balance": str(debt.balance), "state": debt.state.value, "paymentId": payment.id}
        self.audit(tx, principal, "Debt", debt.id, action, before, after)
        data = debt_event_data(debt) | {"change": action, "paymentId": payment.id}
        self.event(tx, principal.tenant, "DebtUpdated", debt.id, data)
        if debt.state is DebtState.PAID and was is not DebtState.PAID:
            self.event(
                tx, principal.tenant, "DebtPaid", debt.id, debt_event_data(debt) | {"paymentId": payment.id}
            )

    @staticmethod
    def _credit(tx: Transaction, debtor: Debtor, currency: str, delta: Decimal) -> None:
        credit = dict(debtor.unapplied_credit)
        credit[currency] = credit.get(currency, Decimal(0)) + delta
        debtor.unapplied_credit = {k: v for k, v in credit.items() if v != 0}
        tx.save(debtor)

    def reverse(self, principal: Principal, debtor_id: str, payment_id: str, reason: str) -> Payment:
        """Undo a payment (a bounced check): balances and credit return to what they were."""
        principal.require(Action.PAYMENT_REVERSE)
        payment = self.retrying(lambda: self._reverse(principal, debtor_id, payment_id, reason))
        tell(self.observer, principal, payment)
        return payment

    def _reverse(self, principal: Principal, debtor_id: str, payment_id: str, reason: str) -> Payment:
        payment = self.repo.get_payment(principal.tenant, debtor_id, payment_id)
        if payment is None:
            raise NotFound("payment", "paymentId")
        if payment.reversed:
            raise DomainError(ErrorCode.ALREADY_REVERSED, "the payment is already reversed", "paymentId")
        debtor = self.repo.get_debtor(principal.tenant, debtor_id)
        if debtor is None:
            raise NotFound("debtor")
        before = snapshot(payment)
        payment.reversal_reason = clean_text(reason, "reason", required=True, max_len=500)
        payment.reversed_at = self.now()
        debts = self.repo.get_debts(principal.tenant, [(debtor_id, a.debt_id) for a in payment.allocations])
        tx = Transaction()
        tx.save(payment)
        self.audit(tx, principal, "Payment", payment.id, "paymentReverse", before, snapshot(payment))
        self.event(
            tx,
            principal.tenant,
            "PaymentReversed",
            payment.id,
            payment_event_data(payment) | {"reason": payment.reversal_reason},
        )
        for allocation in payment.allocations:
            debt = debts.get((debtor_id, allocation.debt_id))
            if debt is not None:
                self._apply(tx, principal, debt, -allocation.amount, payment, "paymentReverse")
        if payment.unapplied:
            self._credit(tx, debtor, payment.currency, -payment.unapplied)
        self.repo.commit(principal.tenant, tx)
        return payment


def _total(allocations: list[Allocation]) -> Decimal:
    return sum((a.amount for a in allocations), Decimal(0))
