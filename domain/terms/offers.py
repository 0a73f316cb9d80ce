"""`DiscountOffers`: offer a debtor a discount on some debts until a day, cancel it, read them.

One active offer per debt is a key, not a read: the offer's transaction claims
`UQ#OFFER_DEBT#<debtId>` for each debt, released when the offer is settled, cancelled or (lazily,
when a new offer needs the debt) recorded as expired. Sending the same offer again while it is active
returns it (`replayed`) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.clock import local_date
from domain.entities import Debt, Debtor
from domain.errors import DomainError, ErrorCode, NotFound, UniquenessConflict
from domain.money import positive_amount, to_amount
from domain.ports import Claim, ClaimKind, Transaction
from domain.principal import Action, Principal
from domain.services.base import clean_text, named_open_debts
from domain.snapshot import snapshot
from domain.terms import rules
from domain.terms.base import TermsBase
from domain.terms.events import offer_event_data
from domain.terms.model import DiscountOffer, OfferStatus

MAX_DEBTS = 10
"""Settling writes per debt its credit, the debt, audit and events in one transaction (100 items)."""
MAX_VALIDITY_DAYS = 90


@dataclass
class OfferInput:
    debtor_id: str
    debt_ids: list[str]
    valid_until: date
    percent: Decimal | str | None = None
    amount: Decimal | str | None = None
    note: str | None = None


@dataclass
class OfferResult:
    offer: DiscountOffer
    replayed: bool


class DiscountOffers(TermsBase):
    def create(self, principal: Principal, data: OfferInput) -> OfferResult:
        principal.require(Action.DISCOUNT_OFFER)
        return self.retrying(lambda: self._create(principal, data))

    def _create(self, principal: Principal, data: OfferInput) -> OfferResult:
        tenant, now = principal.tenant, self.now()
        debtor = self._visible_debtor(principal, data.debtor_id, "debtIds")
        debts = self._debts(tenant, debtor, data.debt_ids)
        percent, amount = _terms(data, debts)
        today = local_date(now, debtor.time_zone)
        if not today <= data.valid_until <= today + timedelta(days=MAX_VALIDITY_DAYS):
            raise DomainError(
                ErrorCode.INVALID_DATE,
                f"validUntil must be between {today} and {today + timedelta(days=MAX_VALIDITY_DAYS)}",
                "validUntil",
            )
        lines = rules.offer_lines(debts, percent, amount)
        for line in lines:
            if line.discount <= 0 or line.discount >= line.balance:
                raise DomainError(
                    ErrorCode.INVALID_AMOUNT,
                    f"the discount must be more than zero and less than the balance {line.balance} "
                    f"{line.currency}",
                    "percent" if percent is not None else "amount",
                )
        held = self.repo.get_claims(tenant, ClaimKind.DISCOUNT_OFFER_DEBT, [d.id for d in debts])
        for claim in {c.target: c for c in held.values()}.values():
            replay = self._release_stale(principal, claim, data, percent, amount)
            if replay is not None:
                return OfferResult(replay, replayed=True)
        offer = DiscountOffer(
            tenant=tenant,
            id=self.deps.ids.new_id(),
            debtor_id=debtor.id,
            debt_ids=[d.id for d in debts],
            lines=lines,
            valid_until=data.valid_until,
            expires_at=rules.offer_end(data.valid_until, debtor.time_zone),
            time_zone=debtor.time_zone,
            percent=percent,
            amount=amount,
            note=clean_text(data.note, "note", max_len=2000),
            created_by=principal.sub,
            created_at=now,
            updated_at=now,
        )
        tx = Transaction()
        tx.save(offer)
        for debt in debts:
            tx.claims.append(Claim(ClaimKind.DISCOUNT_OFFER_DEBT, debt.id, f"{debtor.id}/{offer.id}"))
        self.audit(tx, principal, "DiscountOffer", offer.id, "discountOffer", None, snapshot(offer))
        self.event(tx, tenant, "DiscountOfferCreated", offer.id, offer_event_data(offer))
        try:
            self.repo.commit(tenant, tx)
        except UniquenessConflict:
            raise _already_active() from None
        return OfferResult(offer, replayed=False)

    def _debts(self, tenant: str, debtor: Debtor, debt_ids: list[str]) -> list[Debt]:
        def read(ids: list[str]) -> dict[str, Debt]:
            return {k[1]: d for k, d in self.repo.get_debts(tenant, [(debtor.id, i) for i in ids]).items()}

        return [debt for _, debt in named_open_debts(debt_ids, read, noun="an offer", most=MAX_DEBTS)]

    def _release_stale(
        self,
        principal: Principal,
        claim: Claim,
        data: OfferInput,
        percent: Decimal | None,
        amount: Decimal | None,
    ) -> DiscountOffer | None:
        """A debt's claim held by an offer: the same offer again is a replay (returned); an offer no
        longer active (past its end, or closed without its claim) gives the debt up, in a commit of its
        own (then the caller retries); an active one refuses the new offer."""
        debtor_id, offer_id = claim.target.split("/", 1)
        held = self.store.get_offer(principal.tenant, debtor_id, offer_id)
        now = self.now()
        if held is not None and held.status_at(now) is OfferStatus.ACTIVE:
            same = (
                sorted(held.debt_ids) == sorted(dict.fromkeys(data.debt_ids))
                and held.valid_until == data.valid_until
                and (held.percent, held.amount) == (percent, amount)
            )
            if same:
                return held
            raise _already_active()
        tx = Transaction()
        claimed = held.debt_ids if held is not None else [claim.value]
        tx.releases.extend(Claim(ClaimKind.DISCOUNT_OFFER_DEBT, d) for d in claimed)
        if held is not None and held.status is OfferStatus.ACTIVE:
            before = snapshot(held)
            held.status, held.closed_at, held.updated_at = OfferStatus.EXPIRED, held.expires_at, now
            tx.save(held)
            self.audit(tx, principal, "DiscountOffer", held.id, "discountOfferExpire", before, snapshot(held))
        self.repo.commit(principal.tenant, tx)
        return None

    def cancel(
        self, principal: Principal, debtor_id: str, offer_id: str, reason: str | None
    ) -> DiscountOffer:
        principal.require(Action.DISCOUNT_OFFER)
        return self.retrying(lambda: self._cancel(principal, debtor_id, offer_id, reason))

    def _cancel(
        self, principal: Principal, debtor_id: str, offer_id: str, reason: str | None
    ) -> DiscountOffer:
        self._visible_debtor(principal, debtor_id, "id")
        offer = self.store.get_offer(principal.tenant, debtor_id, offer_id)
        if offer is None:
            raise NotFound("discount offer")
        now = self.now()
        if offer.status is OfferStatus.CANCELLED:
            return offer  # a retried cancel
        if offer.status_at(now) is not OfferStatus.ACTIVE:
            raise DomainError(ErrorCode.INVALID_STATE, f"the offer is {offer.status_at(now).value}", "id")
        before = snapshot(offer)
        offer.status, offer.closed_at, offer.updated_at = OfferStatus.CANCELLED, now, now
        offer.cancel_reason = clean_text(reason, "reason", max_len=2000)
        tx = Transaction()
        tx.save(offer)
        tx.releases.extend(Claim(ClaimKind.DISCOUNT_OFFER_DEBT, d) for d in offer.debt_ids)
        self.audit(tx, principal, "DiscountOffer", offer.id, "discountOfferCancel", before, snapshot(offer))
        self.event(tx, principal.tenant, "DiscountOfferCancelled", offer.id, offer_event_data(offer))
        self.repo.commit(principal.tenant, tx)
        return offer

    def get(self, principal: Principal, debtor_id: str, offer_id: str) -> DiscountOffer | None:
        principal.require(Action.DEBT_READ)
        try:
            self._visible_debtor(principal, debtor_id, "id")
        except NotFound:
            return None
        return self.store.get_offer(principal.tenant, debtor_id, offer_id)


def _terms(data: OfferInput, debts: list[Debt]) -> tuple[Decimal | None, Decimal | None]:
    """(percent, amount): exactly one given; a percent in (0, 100) with at most 2 decimals, an
    amount in the debts' one currency."""
    if (data.percent is None) == (data.amount is None):
        raise DomainError(ErrorCode.INVALID, "give either percent or amount", "percent")
    if data.percent is not None:
        percent = to_amount(data.percent, "XXX", "percent")  # two decimals, like any 2-digit currency
        if not Decimal(0) < percent < Decimal(100):
            raise DomainError(ErrorCode.INVALID, "percent is more than 0 and less than 100", "percent")
        return percent, None
    currencies = {d.currency for d in debts}
    if len(currencies) > 1:
        raise DomainError(
            ErrorCode.CURRENCY_MISMATCH, "a fixed amount needs debts in one currency; use percent", "amount"
        )
    return None, positive_amount(data.amount or "", currencies.pop(), "amount")


def _already_active() -> DomainError:
    return DomainError(
        ErrorCode.DISCOUNT_OFFER_ALREADY_ACTIVE, "a debt already has an active discount offer", "debtIds"
    )
