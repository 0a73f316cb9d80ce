"""What the terms use cases need from storage beyond the ledger.

Extensions and offers are written through the ledger's `Transaction` (with the debts, claims, audit
entries and events of the same change); this port holds their reads and the tenant's settings.
"""

from __future__ import annotations

from typing import Protocol

from domain.terms.model import DebtExtension, DiscountOffer, ExtensionSettings


class TermsRepository(Protocol):
    def extensions_of_debtor(
        self, tenant: str, debtor_id: str, consistent: bool = False
    ) -> list[DebtExtension]:
        """Every extension of the debtor's debts, oldest first (one Query in the debtor's partition)."""
        ...

    def get_offer(self, tenant: str, debtor_id: str, offer_id: str) -> DiscountOffer | None:
        """Strongly consistent."""
        ...

    def offers_of_debtor(self, tenant: str, debtor_id: str, consistent: bool = False) -> list[DiscountOffer]:
        """Every discount offer of the debtor, newest first (one Query in the debtor's partition)."""
        ...

    def get_settings(self, tenant: str) -> ExtensionSettings:
        """The tenant's extension settings, or the defaults."""
        ...

    def save_settings(self, tenant: str, settings: ExtensionSettings, expected_version: int) -> None:
        """Conditional put on `version` (0 = first); raises ConcurrencyConflict."""
        ...
