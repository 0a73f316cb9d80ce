"""Promise and interaction changes reach the work-queue signals with the fields the queue uses."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.clock import FixedClock
from domain.interactions.model import InteractionChannel, InteractionOutcome
from domain.interactions.ports import InteractionLogged
from domain.promises.model import Promise
from domain.promises.ports import PromiseChange
from domain.queues.hooks import QueueInteractionObserver, QueuePromiseObserver

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def promise_changed(self, *args: Any) -> None:
        self.calls.append(("promise", args))

    def interaction_logged(self, *args: Any) -> None:
        self.calls.append(("interaction", args))


def _promise() -> Promise:
    return Promise(
        tenant="acme",
        id="p1",
        debtor_id="d1",
        debt_ids=("t1",),
        amount=Decimal("100.00"),
        currency="PEN",
        promised_date=date(2026, 3, 20),
        deadline=datetime(2026, 3, 23, 5, 0, tzinfo=UTC),
        recorded_at=NOW,
        created_at=NOW,
        channel="CALL",
    )


def test_promise_changes_map_to_queue_statuses() -> None:
    signals = Recorder()
    observer = QueuePromiseObserver(signals, FixedClock(NOW))  # type: ignore[arg-type]
    for change in (PromiseChange.CREATED, PromiseChange.REOPENED, PromiseChange.BROKEN):
        observer.promise_changed(_promise(), change)
    statuses = [args[3] for _, args in signals.calls]
    assert statuses == ["CREATED", "PENDING", "BROKEN"]
    assert signals.calls[0][1] == ("acme", "d1", "p1", "CREATED", date(2026, 3, 20), NOW)


def test_a_logged_callback_reaches_the_queue() -> None:
    signals = Recorder()
    later = datetime(2026, 3, 19, 15, 0, tzinfo=UTC)
    QueueInteractionObserver(signals).interaction_logged(  # type: ignore[arg-type]
        InteractionLogged(
            tenant="acme",
            debtor_id="d1",
            interaction_id="i1",
            occurred_at=NOW,
            outcome=InteractionOutcome.CALLBACK,
            channel=InteractionChannel.CALL,
            callback_at=later,
            agent_id="ag-1",
        )
    )
    assert signals.calls == [("interaction", ("acme", "d1", NOW, "CALLBACK", later))]
