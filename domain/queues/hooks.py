"""Promises and interactions tell the work queues and risk scores what changed (the observers their
use cases call after each commit). Both are idempotent: the queue entry is recomputed, not counted."""

from __future__ import annotations

from domain.clock import Clock
from domain.interactions.ports import InteractionLogged
from domain.promises.model import Promise
from domain.promises.ports import PromiseChange
from domain.queues.signals import QueueSignals

_STATUS = {PromiseChange.CREATED: "CREATED", PromiseChange.REOPENED: "PENDING"}


class QueuePromiseObserver:
    def __init__(self, signals: QueueSignals, clock: Clock) -> None:
        self.signals, self.clock = signals, clock

    def promise_changed(self, promise: Promise, change: PromiseChange) -> None:
        self.signals.promise_changed(
            promise.tenant,
            promise.debtor_id,
            promise.id,
            _STATUS.get(change, change.value),
            promise.promised_date,
            self.clock.now(),
        )


class QueueInteractionObserver:
    def __init__(self, signals: QueueSignals) -> None:
        self.signals = signals

    def interaction_logged(self, event: InteractionLogged) -> None:
        self.signals.interaction_logged(
            event.tenant, event.debtor_id, event.occurred_at, event.outcome.value, event.callback_at
        )
