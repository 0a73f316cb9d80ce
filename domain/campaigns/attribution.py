"""Payments after reminders: a payment within 7 days of a message counts for that message's campaign.

Runs on the partners' bus (`PaymentRecorded`), after the fact and at least once: each (payment,
campaign) pair is claimed once, so a redelivered event adds nothing. A payment counts for every
campaign that reached the debtor in the 7 days before it (SENT or DELIVERED messages), in the
payment's currency (never summed across currencies).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStats, MessageStatus
from domain.campaigns.ports import MessageFilter
from domain.ports import PageRequest

WINDOW = timedelta(days=7)
_REACHED = (MessageStatus.SENT, MessageStatus.DELIVERED)


class PaymentAttribution:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def apply(self, envelope: dict[str, Any]) -> int:
        """Count a `PaymentRecorded` event for the campaigns that messaged the debtor within 7 days."""
        if envelope.get("type") != "PaymentRecorded":
            return 0
        tenant, data = envelope["tenant"], envelope["data"]
        paid_at = datetime.fromisoformat(str(data["paidAt"]).replace("Z", "+00:00"))
        query = MessageFilter(debtor_id=data["debtorId"], created_from=paid_at - WINDOW, created_to=paid_at)
        campaigns: set[str] = set()
        after: str | None = None
        while True:
            page = self.deps.messages.list_messages(tenant, query, PageRequest(first=100, after=after))
            campaigns |= {m.campaign_id for m in page.items if m.campaign_id and m.status in _REACHED}
            if not page.has_next_page:
                break
            after = page.end_cursor
        counted = 0
        amount = Decimal(str(data["amount"]))
        for campaign_id in sorted(campaigns):
            if self.deps.messages.claim_attribution(tenant, data["paymentId"], campaign_id):
                delta = CampaignStats(
                    payments_within_7_days=1, amount_within_7_days={data["currency"]: amount}
                )
                self.deps.messages.add_stats(tenant, campaign_id, delta)
                counted += 1
        return counted
