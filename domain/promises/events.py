"""The partner events of a promise's life (schema/events/Promise*.v1.json): which change emits which
type, and the promise as partners see it. Each is added to the transaction that writes the change."""

from __future__ import annotations

from typing import Any

from domain.clock import iso_utc
from domain.money import quantum
from domain.promises.model import Promise, PromiseStatus
from domain.promises.ports import PromiseChange

EVENT_OF = {
    PromiseChange.CREATED: "PromiseCreated",
    PromiseChange.KEPT: "PromiseKept",
    PromiseChange.PARTIALLY_KEPT: "PromisePartiallyKept",
    PromiseChange.BROKEN: "PromiseBroken",
    PromiseChange.CANCELLED: "PromiseCancelled",
    PromiseChange.REOPENED: "PromiseReopened",
}
PROMISE_EVENT_TYPES = frozenset(EVENT_OF.values())


def promise_event_data(promise: Promise) -> dict[str, Any]:
    """The promise after the change: the same shape for every type (a cancellation adds `reason`)."""
    data: dict[str, Any] = {
        "promiseId": promise.id,
        "debtorId": promise.debtor_id,
        "debtIds": list(promise.debt_ids),
        "amount": str(promise.amount),
        "currency": promise.currency,
        "promisedDate": promise.promised_date.isoformat(),
        "deadline": iso_utc(promise.deadline),
        "status": promise.status.value,
        # Recomputed as a sum of allocations: "0" when nothing was paid, so shown in minor units.
        "keptAmount": str(promise.kept_amount.quantize(quantum(promise.currency))),
        "channel": promise.channel.value,
        "agentId": promise.agent_id or None,
        "createdAt": iso_utc(promise.created_at or promise.taken_at),
        "recordedAt": iso_utc(promise.taken_at),
        "closedAt": iso_utc(promise.closed_at) if promise.closed_at else None,
    }
    if promise.status is PromiseStatus.CANCELLED:
        data["reason"] = promise.cancel_reason
    return data
