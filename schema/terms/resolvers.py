"""Queries and mutations of debt terms, and the nested `Debt.extensions`, `Debt.discountOffers` and
`Debtor.discountOffers` (one Query per debtor per request, through per-request DataLoaders)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from domain.errors import DomainError, ErrorCode
from domain.terms import rules
from domain.terms.model import DebtExtension, DiscountOffer
from domain.terms.offers import OfferInput
from domain.terms.service import DebtTerms
from schema.common import configured, decode_two
from schema.errors import attempt, query
from schema.terms import inputs as i
from schema.terms import types as t
from schema.types import DebtNode

V = TypeVar("V")


def terms_of(info: strawberry.Info) -> DebtTerms:
    service: DebtTerms | None = getattr(info.context, "terms", None)
    return configured(service, "debt terms are")


def _per_debtor(
    info: strawberry.Info, name: str, read: Callable[[DebtTerms, str, str], list[V]]
) -> DataLoader[str, list[V]]:
    cache = info.context.loaders_by_feature
    loader: DataLoader[str, list[V]] | None = cache.get(name)
    if loader is None:
        service, tenant = terms_of(info), info.context.principal.tenant

        async def load(debtor_ids: Sequence[str]) -> list[list[V]]:
            return [read(service, tenant, d) for d in debtor_ids]

        loader = DataLoader(load)
        cache[name] = loader
    return loader


def _extensions(info: strawberry.Info) -> DataLoader[str, list[DebtExtension]]:
    return _per_debtor(info, "extensions_of_debtor", lambda s, t_, d: s.store.extensions_of_debtor(t_, d))


def _offers(info: strawberry.Info) -> DataLoader[str, list[DiscountOffer]]:
    return _per_debtor(info, "offers_of_debtor", lambda s, t_, d: s.store.offers_of_debtor(t_, d))


async def debt_extensions(info: strawberry.Info, debtor_id: str, debt_id: str) -> list[t.DebtExtensionNode]:
    """The debt's extensions, oldest first (the caller already sees the debt)."""
    found = await _extensions(info).load(debtor_id)
    return [t.DebtExtensionNode.of(x) for x in found if x.debt_id == debt_id]


async def original_due_date(info: strawberry.Info, debtor_id: str, debt_id: str, due: Any) -> Any:
    found = await _extensions(info).load(debtor_id)
    return rules.original_due_date(due, [x for x in found if x.debt_id == debt_id])


async def discount_offers(
    info: strawberry.Info, debtor_id: str, debt_id: str | None
) -> list[t.DiscountOfferNode]:
    """The debtor's offers (those covering `debt_id` when given), newest first."""
    found = await _offers(info).load(debtor_id)
    return [t.DiscountOfferNode.of(o) for o in found if debt_id is None or debt_id in o.debt_ids]


def _offer_input(x: i.DiscountOfferInput) -> OfferInput:
    debtor_id = ""
    debt_ids = []
    for n, gid in enumerate(x.debt_ids):
        owner, debt_id = decode_two(gid, "Debt", f"debtIds[{n}]")
        if debtor_id and owner != debtor_id:
            raise DomainError(ErrorCode.INVALID, "the debts must be of one debtor", f"debtIds[{n}]")
        debtor_id = owner
        debt_ids.append(debt_id)
    if not debt_ids:
        raise DomainError(ErrorCode.REQUIRED, "offer a discount on at least one debt", "debtIds")
    return OfferInput(debtor_id, debt_ids, x.valid_until, x.percent, x.amount, x.note)


@strawberry.type
class TermsQueries:
    @strawberry.field(description="The tenant's extension caps (defaults until an ADMIN changes them).")
    def debt_extension_settings(self, info: strawberry.Info) -> t.DebtExtensionSettings:
        service = terms_of(info)
        return query(
            lambda: t.DebtExtensionSettings.of(service.extensions.settings_of(info.context.principal))
        )


@strawberry.type
class TermsMutations:
    @strawberry.mutation(
        description="Extend a debt's due date (prórroga): capped per debt, audited, and the reminder "
        "cadence re-anchored on the new date. Granting the same date again is a no-op (replayed)."
    )
    def debt_extend(self, info: strawberry.Info, input: i.DebtExtendInput) -> t.DebtExtendPayload:
        service = terms_of(info)

        def run() -> Any:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            return service.extensions.extend(
                info.context.principal, debtor_id, debt_id, input.new_due_date, input.reason
            )

        result, errors = attempt(run)
        return t.DebtExtendPayload(
            debt=DebtNode.of(result.debt) if result else None,
            extension=t.DebtExtensionNode.of(result.extension) if result else None,
            replayed=bool(result and result.replayed),
            errors=errors,
        )

    @strawberry.mutation(description="Change the tenant's extension caps (ADMIN).")
    def debt_extension_settings_update(
        self, info: strawberry.Info, input: i.DebtExtensionSettingsUpdateInput
    ) -> t.DebtExtensionSettingsUpdatePayload:
        service = terms_of(info)
        settings, errors = attempt(
            lambda: service.extensions.update_settings(
                info.context.principal,
                max_extensions_per_debt=input.max_extensions_per_debt,
                max_days_per_extension=input.max_days_per_extension,
            )
        )
        return t.DebtExtensionSettingsUpdatePayload(
            settings=t.DebtExtensionSettings.of(settings) if settings else None, errors=errors
        )

    @strawberry.mutation(
        description="Offer an early-payment discount (ADMIN, SUPERVISOR): a payment before validUntil that "
        "leaves at most the discount owed settles the debts, the rest credited. One active offer per debt."
    )
    def discount_offer(self, info: strawberry.Info, input: i.DiscountOfferInput) -> t.DiscountOfferPayload:
        service = terms_of(info)
        result, errors = attempt(lambda: service.offers.create(info.context.principal, _offer_input(input)))
        return t.DiscountOfferPayload(
            offer=t.DiscountOfferNode.of(result.offer) if result else None,
            replayed=bool(result and result.replayed),
            errors=errors,
        )

    @strawberry.mutation(description="Withdraw an active discount offer (ADMIN, SUPERVISOR).")
    def discount_offer_cancel(
        self, info: strawberry.Info, input: i.DiscountOfferCancelInput
    ) -> t.DiscountOfferCancelPayload:
        service = terms_of(info)

        def run() -> DiscountOffer:
            debtor_id, offer_id = decode_two(input.id, "DiscountOffer", "id")
            return service.offers.cancel(info.context.principal, debtor_id, offer_id, input.reason)

        offer, errors = attempt(run)
        return t.DiscountOfferCancelPayload(
            offer=t.DiscountOfferNode.of(offer) if offer else None, errors=errors
        )


__all__ = ["TermsMutations", "TermsQueries", "debt_extensions", "discount_offers", "original_due_date"]
