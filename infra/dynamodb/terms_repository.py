"""`DynamoTermsRepository`: reads of extensions and discount offers, and the tenant's extension
settings (writes go through the ledger's TransactWrite). GetItem or Query in the debtor's partition."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.terms.model import DebtExtension, DiscountOffer, ExtensionSettings
from infra.dynamodb import keys
from infra.dynamodb.campaign_repository import conditional_save
from infra.dynamodb.models import TableItem
from infra.dynamodb.terms_items import (
    EXTENSION_PREFIX,
    OFFER_PREFIX,
    SETTINGS_SK,
    DiscountOfferItem,
    ExtensionItem,
    ExtensionSettingsItem,
    extension_from_item,
    offer_from_item,
    offer_sk,
    settings_from_item,
    settings_item,
)

if TYPE_CHECKING:
    from domain.terms.ports import TermsRepository


class DynamoTermsRepository:
    def extensions_of_debtor(
        self, tenant: str, debtor_id: str, consistent: bool = False
    ) -> list[DebtExtension]:
        items = ExtensionItem.query(
            keys.debtor_pk(tenant, debtor_id),
            TableItem.SK.startswith(EXTENSION_PREFIX),
            consistent_read=consistent,
        )
        found = [extension_from_item(i) for i in items]
        return sorted(found, key=lambda x: (x.created_at, x.id))

    def get_offer(self, tenant: str, debtor_id: str, offer_id: str) -> DiscountOffer | None:
        try:
            item = DiscountOfferItem.get(
                keys.debtor_pk(tenant, debtor_id), offer_sk(offer_id), consistent_read=True
            )
        except DiscountOfferItem.DoesNotExist:
            return None
        return offer_from_item(item)

    def offers_of_debtor(self, tenant: str, debtor_id: str, consistent: bool = False) -> list[DiscountOffer]:
        items = DiscountOfferItem.query(
            keys.debtor_pk(tenant, debtor_id),
            TableItem.SK.startswith(OFFER_PREFIX),
            scan_index_forward=False,
            consistent_read=consistent,
        )
        return [offer_from_item(i) for i in items]

    def get_settings(self, tenant: str) -> ExtensionSettings:
        try:
            item = ExtensionSettingsItem.get(keys.tenant_pk(tenant), SETTINGS_SK, consistent_read=True)
        except ExtensionSettingsItem.DoesNotExist:
            return ExtensionSettings()
        return settings_from_item(item)

    def save_settings(self, tenant: str, settings: ExtensionSettings, expected_version: int) -> None:
        conditional_save(settings_item(tenant, settings), expected_version)


if TYPE_CHECKING:
    _conforms: TermsRepository = DynamoTermsRepository()
