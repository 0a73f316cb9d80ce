"""Settling discount offers when the debtor pays: a `PaymentObserver`.

After a payment is committed, each active offer of the debtor whose debts the payment reached is
checked: paid before the offer's end, and no more than the discount still owed in each currency (so
the debtor paid at least the discounted amount). Then one transaction writes, per offered debt still
owing, a credit adjustment of what it owes ("discount offer <id>"), the debt (PAID), audit entries and
the usual `DebtUpdated` (`debtAdjust`) and `DebtPaid` events, and the offer SETTLED with its claims
released and a `DiscountOfferSettled` event. The offer is saved conditioned on the version read while
it was ACTIVE, and the debts on theirs: a retried or concurrent settlement commits once, the other
re-reads a SETTLED offer and does nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.entities import Adjustment, AdjustmentKind, Debt, DebtState, Payment
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Principal
from domain.services.debts import debt_event_data
from domain.snapshot import snapshot
from domain.terms import rules
from domain.terms.base import TermsBase
from domain.terms.events import offer_event_data
from domain.terms.model import DiscountOffer, OfferStatus


class DiscountSettlement(TermsBase):
    def payment_changed(self, principal: Principal, payment: Payment) -> None:
        if payment.reversed or not payment.allocations:
            return
        paid = {a.debt_id for a in payment.allocations}
        for offer in self.store.offers_of_debtor(payment.tenant, payment.debtor_id, consistent=True):
            if offer.status is OfferStatus.ACTIVE and paid & set(offer.debt_ids):
                self.settle(principal, offer.debtor_id, offer.id, payment.id, payment.paid_at)

    def settle(
        self, principal: Principal, debtor_id: str, offer_id: str, payment_id: str, paid_at: datetime
    ) -> DiscountOffer | None:
        """Settle the offer if a payment made at `paid_at` meets it; the offer as settled, else None."""
        return self.retrying(lambda: self._settle(principal, debtor_id, offer_id, payment_id, paid_at))

    def _settle(
        self, principal: Principal, debtor_id: str, offer_id: str, payment_id: str, paid_at: datetime
    ) -> DiscountOffer | None:
        tenant = principal.tenant
        offer = self.store.get_offer(tenant, debtor_id, offer_id)
        if offer is None or offer.status is not OfferStatus.ACTIVE:
            return None
        wanted = set(offer.debt_ids)
        debts = [d for d in self.repo.debts_of_debtor(tenant, debtor_id) if d.id in wanted]
        if not rules.settles(offer, debts, paid_at):
            return None
        now = self.now()
        before_offer = snapshot(offer)
        tx = Transaction()
        credited: dict[str, Decimal] = {}
        for debt in debts:
            if debt.state is DebtState.OPEN and debt.balance > 0:
                adjustment = self._credit(tx, principal, offer, debt, now)
                credited[debt.currency] = credited.get(debt.currency, Decimal(0)) + adjustment.amount
                offer.adjustment_ids.append(adjustment.id)
            else:
                tx.save(debt)  # unchanged, but its version guards the balances this verdict read
        for line in offer.lines:
            line.credited = credited.get(line.currency, Decimal(0))
        offer.status, offer.closed_at, offer.updated_at = OfferStatus.SETTLED, now, now
        offer.payment_id = payment_id
        tx.save(offer)
        tx.releases.extend(Claim(ClaimKind.DISCOUNT_OFFER_DEBT, d) for d in offer.debt_ids)
        self.audit(
            tx, principal, "DiscountOffer", offer.id, "discountOfferSettle", before_offer, snapshot(offer)
        )
        self.event(tx, tenant, "DiscountOfferSettled", offer.id, offer_event_data(offer))
        self.repo.commit(tenant, tx)
        return offer

    def _credit(
        self, tx: Transaction, principal: Principal, offer: DiscountOffer, debt: Debt, now: datetime
    ) -> Adjustment:
        """Credit what the debt still owes (the existing adjustment path's records and events)."""
        before, was = snapshot(debt) | {"balance": str(debt.balance)}, debt.state
        adjustment = Adjustment(
            tenant=debt.tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debt.debtor_id,
            debt_id=debt.id,
            kind=AdjustmentKind.CREDIT,
            amount=debt.balance,
            currency=debt.currency,
            reason=f"discount offer {offer.id}",
            created_by=principal.sub,
            created_at=now,
        )
        debt.credit_total += adjustment.amount
        debt.updated_at = now
        tx.save(adjustment)
        tx.save(debt)
        after = snapshot(debt) | {"balance": str(debt.balance), "discountOfferId": offer.id}
        self.audit(tx, principal, "Debt", debt.id, "discountOfferSettle", before, after)
        change = {"change": "debtAdjust", "adjustment": {"kind": "CREDIT", "amount": str(adjustment.amount)}}
        self.event(tx, debt.tenant, "DebtUpdated", debt.id, debt_event_data(debt) | change)
        if debt.state is DebtState.PAID and was is not DebtState.PAID:
            self.event(tx, debt.tenant, "DebtPaid", debt.id, debt_event_data(debt))
        return adjustment
