"""DynamoInteractionRepository under moto: one transaction for the interaction, its claim and its
contact-history entry; a taken key replays and writes nothing; each listing is one Query on its key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.client
import pytest

from domain.entities import Channel
from domain.interactions.model import Interaction, InteractionChannel, InteractionOutcome, PolicyVerdict
from domain.interactions.ports import InteractionFilter
from domain.policy import AttemptKind, ContactRecord, Direction, Outcome
from domain.ports import PageRequest
from infra.dynamodb.interaction_repository import DynamoInteractionRepository
from infra.dynamodb.message_repository import DynamoMessageRepository

T0 = datetime(2026, 3, 16, 14, 0, tzinfo=UTC)


def _interaction(n: int, **extra: Any) -> Interaction:
    fields: dict[str, Any] = {
        "tenant": "acme",
        "id": f"01kk{n:022d}",
        "debtor_id": "dr-1",
        "channel": InteractionChannel.CALL,
        "direction": Direction.OUTBOUND,
        "outcome": InteractionOutcome.NO_ANSWER,
        "occurred_at": T0 + timedelta(minutes=n),
        "recorded_at": T0 + timedelta(hours=1),
        "logged_by": "carla",
        "idempotency_key": f"k-{n}",
        "agent_id": "ag-1",
        "kind": AttemptKind.ATTEMPT,
        **extra,
    }
    return Interaction(**fields)


def _contact(i: Interaction) -> ContactRecord:
    return ContactRecord(Channel.CALL, i.occurred_at, i.direction, i.kind, debt_ids=i.debt_ids)


@pytest.fixture
def store(table: str) -> DynamoInteractionRepository:
    return DynamoInteractionRepository()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    seen: list[tuple[str, dict[str, Any]]] = []
    original = botocore.client.BaseClient._make_api_call

    def counting(self: Any, operation: str, params: Any) -> Any:
        seen.append((operation, params))
        return original(self, operation, params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return seen


def test_log_writes_interaction_claim_contact_and_contact_log_in_one_transaction(
    store: DynamoInteractionRepository, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    verdict = PolicyVerdict(Outcome.DEFER, ("PE-29571-62b-hours",), "PE-29571", "2010-09-02", "closed")
    first = _interaction(1, verdict=verdict, debt_ids=("d-1",), callback_at=T0 + timedelta(days=1))
    assert store.log(first, _contact(first), "fp-1") is None
    assert [op for op, _ in calls] == ["TransactWriteItems"]
    assert len(calls[0][1]["TransactItems"]) == 4
    stored = store.get("acme", first.ref)
    assert stored is not None and stored.verdict == verdict and stored.violation
    assert stored.callback_at == first.callback_at and stored.debt_ids == ("d-1",)
    (history,) = DynamoMessageRepository().contact_history("acme", "dr-1", T0)
    assert (history.channel, history.kind, history.at) == (
        Channel.CALL,
        AttemptKind.ATTEMPT,
        first.occurred_at,
    )
    recent = DynamoMessageRepository().recent_contacts("acme", ["dr-1"], T0 + timedelta(minutes=5))
    assert list(recent["dr-1"].records) == [history]


def test_a_taken_key_replays_the_stored_interaction_and_writes_nothing(
    store: DynamoInteractionRepository,
) -> None:
    first = _interaction(1)
    store.log(first, _contact(first), "fp-1")
    twin = _interaction(2, idempotency_key="k-1")  # a retry that raced past the first read
    replay = store.log(twin, _contact(twin), "fp-1")
    assert replay is not None and replay.fingerprint == "fp-1"
    assert replay.interaction is not None and replay.interaction.id == first.id
    assert store.get("acme", twin.ref) is None
    assert len(DynamoMessageRepository().contact_history("acme", "dr-1", T0)) == 1
    assert store.find_by_key("acme", "k-404") is None
    assert store.get("acme", "garbage") is None


def test_each_listing_is_one_query_on_its_key(
    store: DynamoInteractionRepository, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    sunday = PolicyVerdict(Outcome.DEFER, ("PE-29571-62b-hours",), "PE-29571", "2010-09-02")
    items = [
        _interaction(1),
        _interaction(2, outcome=InteractionOutcome.PROMISE, verdict=sunday),
        _interaction(3, debtor_id="dr-2", agent_id="ag-2", channel=InteractionChannel.VISIT),
        _interaction(4, agent_id=None, direction=Direction.INBOUND, outcome=InteractionOutcome.PROMISE),
    ]
    for item in items:
        store.log(item, None, "fp")
    cases = {
        "debtor": (InteractionFilter(debtor_id="dr-1"), None, [4, 2, 1]),
        "debtor+from": (
            InteractionFilter(debtor_id="dr-1", occurred_from=T0 + timedelta(minutes=2)),
            None,
            [4, 2],
        ),
        "violations": (InteractionFilter(violations=True), "GSI3", [2]),
        "agent": (InteractionFilter(agent_id="ag-1"), "GSI2", [2, 1]),
        "outcome": (InteractionFilter(outcome=InteractionOutcome.PROMISE), "GSI4", [4, 2]),
        "channel": (InteractionFilter(channel=InteractionChannel.VISIT), "GSI1", [3]),
        "range": (InteractionFilter(occurred_to=T0 + timedelta(minutes=2)), "GSI1", [2, 1]),
    }
    for name, (query, index, expected) in cases.items():
        calls.clear()
        page = store.list("acme", query, PageRequest(first=10))
        assert [int(i.id[-2:]) for i in page.items] == expected, name
        assert [op for op, _ in calls] == ["Query"], name
        assert calls[0][1].get("IndexName") == index, name
    first = store.list("acme", InteractionFilter(), PageRequest(first=2))
    rest = store.list("acme", InteractionFilter(), PageRequest(first=2, after=first.end_cursor))
    assert [int(i.id[-2:]) for i in first.items + rest.items] == [4, 3, 2, 1]
    assert store.list("globex", InteractionFilter(), PageRequest(first=10)).items == []
