"""Timeline entries of each record kind: when it sits on the timeline, its position and a summary.

An entry's instant is when the thing happened as far as Recaudo knows: an interaction at its
`occurredAt` (what the agent reported), every other record when it was recorded (messages when
created, payments when recorded — the summary shows the payment date —, disputes when opened,
adjustments when made). Positions sort like those instants within one kind.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.campaigns.model import Message
from domain.clock import iso_utc
from domain.entities import Adjustment, Dispute, Payment
from domain.interactions.model import Interaction
from domain.interactions.timeline import TimelineEntry

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def id_instant(record_id: str) -> datetime | None:
    """The creation instant inside a time-ordered id (its first 10 characters are milliseconds)."""
    millis = 0
    for char in record_id[:10].lower():
        index = _ALPHABET.find(char)
        if index < 0:
            return None
        millis = millis * 32 + index
    return datetime.fromtimestamp(millis / 1000, UTC) if len(record_id) >= 10 else None


def _short(text: str | None, size: int = 80) -> str:
    text = (text or "").strip()
    return text if len(text) <= size else text[: size - 1] + "…"


def interaction_entry(i: Interaction) -> TimelineEntry:
    summary = f"{i.channel.value} {i.direction.value.lower()}: {i.outcome.value}"
    if i.violation:
        summary += " (outside the contact policy)"
    if i.note:
        summary += f" — {_short(i.note)}"
    return TimelineEntry(i.occurred_at, "INTERACTION", summary, f"{iso_utc(i.occurred_at)}#{i.id}", i)


def message_entry(m: Message) -> TimelineEntry:
    at = m.created_at or id_instant(m.id) or datetime.min.replace(tzinfo=UTC)
    summary = f"{m.channel.value} reminder {m.status.value.lower()}"
    if m.subject:
        summary += f": {_short(m.subject)}"
    return TimelineEntry(at, "MESSAGE", summary, m.id, m)


def payment_entry(p: Payment) -> TimelineEntry:
    at = p.created_at or id_instant(p.id) or p.paid_at
    summary = f"Payment of {p.amount} {p.currency} ({p.method.value.lower()}) paid {p.paid_at.date()}"
    if p.reversed:
        summary += ", reversed"
    return TimelineEntry(at, "PAYMENT", summary, p.id, p)


def dispute_entry(d: Dispute) -> TimelineEntry:
    summary = f"Dispute {d.state.value.lower()} on debt {d.debt_id}: {_short(d.reason)}"
    return TimelineEntry(d.opened_at, "DISPUTE", summary, f"{iso_utc(d.opened_at)}#{d.id}", d)


def adjustment_entry(a: Adjustment) -> TimelineEntry:
    summary = (
        f"{a.kind.value.capitalize()} of {a.amount} {a.currency} on debt {a.debt_id}: {_short(a.reason)}"
    )
    return TimelineEntry(a.created_at, "ADJUSTMENT", summary, f"{iso_utc(a.created_at)}#{a.id}", a)
