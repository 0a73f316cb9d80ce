"""`DebtTerms`: the terms use cases on one object (the API holds one; payments tell its settlement)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.services.base import Deps
from domain.terms.extensions import DebtExtensions, ExtensionResult
from domain.terms.offers import DiscountOffers, OfferInput, OfferResult
from domain.terms.ports import TermsRepository
from domain.terms.settlement import DiscountSettlement


@dataclass
class DebtTerms:
    store: TermsRepository
    extensions: DebtExtensions
    offers: DiscountOffers
    settlement: DiscountSettlement
    """A `PaymentObserver`: the composition root adds it to the payments' observers."""

    @classmethod
    def build(cls, deps: Deps, store: TermsRepository) -> DebtTerms:
        return cls(
            store=store,
            extensions=DebtExtensions(deps, store),
            offers=DiscountOffers(deps, store),
            settlement=DiscountSettlement(deps, store),
        )


__all__ = ["DebtTerms", "ExtensionResult", "OfferInput", "OfferResult"]
