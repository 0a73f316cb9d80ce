"""The debtor timeline's "terms" source: extensions (`EXT#…`) and discount offers (`DOF#…`) of the
debtor in one Query (`SK between DOF# and EXT#~`; the few disputes keyed in that range, `DSP#…`,
are dropped), ordered in memory by their time-ordered ids."""

from __future__ import annotations

from collections.abc import Iterable

from domain.interactions.timeline import TimelineEntry
from domain.terms.timeline import extension_entry, offer_entry
from infra.dynamodb.keys import debtor_pk
from infra.dynamodb.models import TableItem
from infra.dynamodb.terms_items import (
    EXTENSION_PREFIX,
    OFFER_PREFIX,
    DiscountOfferItem,
    ExtensionItem,
    extension_from_item,
    offer_from_item,
)


class TermsSource:
    name = "terms"

    def entries(self, tenant: str, debtor_id: str, before: str | None, limit: int) -> list[TimelineEntry]:
        items: Iterable[TableItem] = TableItem.query(
            debtor_pk(tenant, debtor_id),
            range_key_condition=TableItem.SK.between(OFFER_PREFIX, f"{EXTENSION_PREFIX}~"),
        )
        found: list[TimelineEntry] = []
        for item in items:
            if isinstance(item, ExtensionItem):
                found.append(extension_entry(extension_from_item(item)))
            elif isinstance(item, DiscountOfferItem):
                found.append(offer_entry(offer_from_item(item)))
        found.sort(key=lambda e: e.position, reverse=True)
        return [e for e in found if before is None or e.position < before][:limit]
