"""The `data` of the partner events of discount offers (schemas in schema/events/DiscountOffer*.json)."""

from __future__ import annotations

from typing import Any

from domain.clock import iso_utc
from domain.terms.model import DiscountOffer


def offer_event_data(offer: DiscountOffer) -> dict[str, Any]:
    return {
        "offerId": offer.id,
        "debtorId": offer.debtor_id,
        "debtIds": list(offer.debt_ids),
        "status": offer.status.value,
        "percent": None if offer.percent is None else str(offer.percent),
        "validUntil": offer.valid_until.isoformat(),
        "expiresAt": iso_utc(offer.expires_at),
        "lines": [
            {
                "currency": x.currency,
                "balance": str(x.balance),
                "discount": str(x.discount),
                "toPay": str(x.to_pay),
                "credited": str(x.credited),
            }
            for x in offer.lines
        ],
        "paymentId": offer.payment_id,
    }
