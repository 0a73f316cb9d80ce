"""The debtor timeline's sources on the single table: each is one Query in the debtor's partition.

Interactions (`INT#<ts>#<id>`), messages (`MSG#<id>`) and payments (`PAY#<id>`) sort by time in their
keys (ids are time-ordered), so a page reads `first + 1` items newest first from the cursor's position.
Disputes and adjustments are keyed by debt first (`DSP#<debtId>#…`, `ADJ#<debtId>#…`); their source
reads the debtor's few of them in one Query and orders them in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, time
from typing import Any

from domain.interactions.entries import (
    adjustment_entry,
    dispute_entry,
    id_instant,
    interaction_entry,
    message_entry,
    payment_entry,
)
from domain.interactions.timeline import TimelineEntry, TimelineSource
from infra.dynamodb.interaction_items import INTERACTION_PREFIX, InteractionItem, interaction_of
from infra.dynamodb.keys import PAYMENT_PREFIX, debtor_pk
from infra.dynamodb.loading import adjustment_from_item, dispute_from_item, payment_from_item
from infra.dynamodb.message_items import MESSAGE_PREFIX, MessageItem, message_of
from infra.dynamodb.models import AdjustmentItem, DisputeItem, PaymentItem, TableItem
from infra.dynamodb.plan_items import PLAN_PREFIX, PlanItem, plan_from_item
from infra.dynamodb.promise_items import PROMISE_PREFIX, PromiseItem, promise_from_item
from infra.dynamodb.terms_timeline import TermsSource


class KeyOrderedSource:
    """Items whose sort key is `<prefix><position>`, positions in time order."""

    def __init__(
        self, name: str, model: type[TableItem], prefix: str, entry: Callable[[Any], TimelineEntry]
    ) -> None:
        self.name, self.model, self.prefix, self.entry = name, model, prefix, entry

    def entries(self, tenant: str, debtor_id: str, before: str | None, limit: int) -> list[TimelineEntry]:
        condition: Any = TableItem.SK.startswith(self.prefix)
        if before is not None:  # inclusive bound: the item at `before` itself (already shown) is dropped
            condition = TableItem.SK.between(self.prefix, f"{self.prefix}{before}")
        size = limit + (1 if before is not None else 0)
        items = self.model.query(
            debtor_pk(tenant, debtor_id),
            range_key_condition=condition,
            scan_index_forward=False,
            limit=size,
            page_size=size,
        )
        found = [self.entry(item) for item in items if f"{self.prefix}{before}" != item.SK]
        return found[:limit]


class SmallSetSource:
    """A debtor's few items of one kind, ordered in memory (one Query reads them all)."""

    def __init__(
        self, name: str, model: type[TableItem], prefix: str, entry: Callable[[Any], TimelineEntry]
    ) -> None:
        self.name, self.model, self.prefix, self.entry = name, model, prefix, entry

    def entries(self, tenant: str, debtor_id: str, before: str | None, limit: int) -> list[TimelineEntry]:
        items: Iterable[TableItem] = self.model.query(
            debtor_pk(tenant, debtor_id), range_key_condition=TableItem.SK.startswith(self.prefix)
        )
        found = sorted((self.entry(i) for i in items), key=lambda e: e.position, reverse=True)
        return [e for e in found if before is None or e.position < before][:limit]


def _interaction(item: Any) -> TimelineEntry:
    return interaction_entry(interaction_of(item))


def _message(item: Any) -> TimelineEntry:
    return message_entry(message_of(item))


def _payment(item: Any) -> TimelineEntry:
    return payment_entry(payment_from_item(item))


def _dispute(item: Any) -> TimelineEntry:
    return dispute_entry(dispute_from_item(item))


def _adjustment(item: Any) -> TimelineEntry:
    return adjustment_entry(adjustment_from_item(item))


def _promise(item: Any) -> TimelineEntry:
    p = promise_from_item(item)
    summary = (
        f"Promise to pay {p.amount} {p.currency} by {p.promised_date} ({p.status.value.lower()}),"
        f" {len(p.debt_ids)} debt(s)"
    )
    at = p.created_at or id_instant(p.id) or p.deadline
    return TimelineEntry(at, "PROMISE", summary, p.id, p)


def _plan(item: Any) -> TimelineEntry:
    p = plan_from_item(item)
    count = len(p.instalments)
    summary = (
        f"Payment plan of {p.total} {p.currency} in {count} instalment(s), {p.frequency.value.lower()}"
        f" ({p.status.value.lower()}, {p.paid} paid), {len(p.debt_ids)} debt(s)"
    )
    at = p.created_at or id_instant(p.id) or datetime.combine(p.first_due_date, time(0), UTC)
    return TimelineEntry(at, "PAYMENT_PLAN", summary, p.id, p)


def default_sources() -> list[TimelineSource]:
    """Every source of the debtor timeline; promises and plans join by appending theirs."""
    return [
        KeyOrderedSource("interactions", InteractionItem, INTERACTION_PREFIX, _interaction),
        KeyOrderedSource("messages", MessageItem, MESSAGE_PREFIX, _message),
        KeyOrderedSource("payments", PaymentItem, PAYMENT_PREFIX, _payment),
        SmallSetSource("disputes", DisputeItem, "DSP#", _dispute),
        SmallSetSource("adjustments", AdjustmentItem, "ADJ#", _adjustment),
        KeyOrderedSource("promises", PromiseItem, PROMISE_PREFIX, _promise),
        KeyOrderedSource("plans", PlanItem, PLAN_PREFIX, _plan),
        TermsSource(),
    ]
