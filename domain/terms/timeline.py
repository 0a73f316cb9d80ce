"""Timeline entries of extensions and discount offers (the debtor timeline's "terms" source)."""

from __future__ import annotations

from domain.interactions.timeline import TimelineEntry
from domain.terms.model import DebtExtension, DiscountOffer


def extension_entry(x: DebtExtension) -> TimelineEntry:
    summary = (
        f"Due date extended from {x.previous_due_date} to {x.new_due_date} ({x.days} days): {x.reason[:80]}"
    )
    return TimelineEntry(x.created_at, "EXTENSION", summary, x.id, x)


def offer_entry(o: DiscountOffer) -> TimelineEntry:
    terms = f"{o.percent}% off" if o.percent is not None else f"{o.amount} off"
    to_pay = ", ".join(f"{x.to_pay} {x.currency}" for x in o.lines)
    summary = (
        f"Discount offer ({o.status.value.lower()}): {terms}, pay {to_pay} by {o.valid_until}, "
        f"{len(o.debt_ids)} debt(s)"
    )
    return TimelineEntry(o.created_at or o.expires_at, "DISCOUNT_OFFER", summary, o.id, o)
