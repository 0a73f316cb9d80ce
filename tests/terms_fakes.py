"""An in-memory twin of the terms store, reading what the in-memory ledger committed."""

from __future__ import annotations

import copy
from dataclasses import replace

from domain.errors import ConcurrencyConflict
from domain.terms.model import DebtExtension, DiscountOffer, ExtensionSettings
from tests.fakes import InMemoryLedgerRepository


class InMemoryTermsRepository:
    def __init__(self, ledger: InMemoryLedgerRepository) -> None:
        self.ledger = ledger
        self._settings: dict[str, ExtensionSettings] = {}

    def extensions_of_debtor(
        self, tenant: str, debtor_id: str, consistent: bool = False
    ) -> list[DebtExtension]:
        found = [x for x in self.ledger._all(tenant, DebtExtension) if x.debtor_id == debtor_id]
        return sorted(found, key=lambda x: (x.created_at, x.id))

    def get_offer(self, tenant: str, debtor_id: str, offer_id: str) -> DiscountOffer | None:
        return self.ledger._get(tenant, ("DOF", debtor_id, offer_id), DiscountOffer)

    def offers_of_debtor(self, tenant: str, debtor_id: str, consistent: bool = False) -> list[DiscountOffer]:
        found = [o for o in self.ledger._all(tenant, DiscountOffer) if o.debtor_id == debtor_id]
        return sorted(found, key=lambda o: o.id, reverse=True)

    def get_settings(self, tenant: str) -> ExtensionSettings:
        return copy.deepcopy(self._settings.get(tenant, ExtensionSettings()))

    def save_settings(self, tenant: str, settings: ExtensionSettings, expected_version: int) -> None:
        if self.get_settings(tenant).version != expected_version:
            raise ConcurrencyConflict("extension settings")
        self._settings[tenant] = replace(settings, version=expected_version + 1)
