"""Contact rates per channel and message-to-payment conversion (pure functions over one period).

Contact rate of a channel = debtors reached on it / debtors attempted on it, where a debtor was
attempted when a message to them left us (SENT, DELIVERED, BOUNCED or FAILED; blocked, skipped and
still-queued messages are not attempts) and reached when one was accepted and not bounced (SENT or
DELIVERED, the statuses the payment attribution counts).

Conversion = reached messages followed by a payment of the same debtor within 7 days (the campaign
attribution window) / reached messages. The amounts those payments bring are kept per currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.campaigns.attribution import WINDOW
from domain.campaigns.model import Message, MessageStatus
from domain.entities import Payment
from domain.summaries.kpis import ratio

ATTEMPTED = frozenset(
    {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.BOUNCED, MessageStatus.FAILED}
)
REACHED = frozenset({MessageStatus.SENT, MessageStatus.DELIVERED})


@dataclass(frozen=True)
class ChannelContact:
    channel: str
    attempted: int
    reached: int
    rate: Decimal | None


@dataclass(frozen=True)
class Conversion:
    messages: int
    converted: int
    rate: Decimal | None
    collected: dict[str, Decimal]
    """Payments that followed a reached message within the window, per currency (each payment once)."""


def sent_at(message: Message) -> datetime | None:
    return message.sent_at or message.created_at


def contact_rates(messages: Iterable[Message]) -> list[ChannelContact]:
    attempted: dict[str, set[str]] = {}
    reached: dict[str, set[str]] = {}
    for m in messages:
        if m.status in ATTEMPTED:
            channel = m.channel.value
            attempted.setdefault(channel, set()).add(m.debtor_id)
            if m.status in REACHED:
                reached.setdefault(channel, set()).add(m.debtor_id)
    return [
        ChannelContact(
            channel=c,
            attempted=len(attempted[c]),
            reached=len(reached.get(c, set())),
            rate=ratio(Decimal(len(reached.get(c, set()))), Decimal(len(attempted[c]))),
        )
        for c in sorted(attempted)
    ]


def conversion(messages: Iterable[Message], payments: Iterable[Payment]) -> Conversion:
    by_debtor: dict[str, list[Payment]] = {}
    for p in payments:
        if not p.reversed:
            by_debtor.setdefault(p.debtor_id, []).append(p)
    reached = converted = 0
    followed: dict[str, Payment] = {}
    for m in messages:
        at = sent_at(m)
        if m.status not in REACHED or at is None:
            continue
        reached += 1
        after = [p for p in by_debtor.get(m.debtor_id, []) if at < p.paid_at <= at + WINDOW]
        if after:
            converted += 1
            followed.update({p.id: p for p in after})
    collected: dict[str, Decimal] = {}
    for p in followed.values():
        collected[p.currency] = collected.get(p.currency, Decimal(0)) + p.amount
    return Conversion(reached, converted, ratio(Decimal(converted), Decimal(reached)), collected)
