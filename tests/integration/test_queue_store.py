"""Work items, the agents' queue and due indexes, band copies and the agent directory against moto."""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.agents.model import Agent
from domain.clock import FixedClock
from domain.entities import AuditEntry
from domain.errors import ConcurrencyConflict
from domain.ports import PageRequest
from domain.queues.model import WorkState
from domain.queues.priority import base_priority
from domain.queues.refresh import WorkRefresher
from domain.queues.rescore import Rescore
from domain.queues.signals import QueueSignals
from domain.risk.score import risk_score
from infra.dynamodb.agent_repository import DynamoAgentRepository
from infra.dynamodb.observed_repository import ObservedLedgerRepository
from infra.dynamodb.queue_repository import DynamoWorkStore
from infra.dynamodb.repository import DynamoLedgerRepository
from tests.integration.test_repository import NOW, debt, debtor, save

T = "acme"


def state(debtor_id: str, agent: str | None, dpd: int, **kw: Any) -> WorkState:
    s = WorkState(
        tenant=T, debtor_id=debtor_id, time_zone="America/Bogota", agent_id=agent, days_past_due=dpd, **kw
    )
    s.risk = risk_score([], [], 0, NOW, "America/Bogota")
    s.priority = base_priority(s, NOW)
    return s


@pytest.fixture
def store(table: str) -> DynamoWorkStore:
    return DynamoWorkStore()


def test_work_items_round_trip_and_are_conditional_on_their_version(store: DynamoWorkStore) -> None:
    s = state("dr1", "ag-1", 30, overdue={"USD": Decimal("12.50")}, promises={"p1": date(2026, 3, 20)})
    s.callback_at = NOW + timedelta(hours=2)
    store.save_work(s, 0)
    back = store.get_work(T, "dr1")
    assert back is not None and back.version == 1
    assert (back.overdue, back.promises, back.callback_at) == (s.overdue, s.promises, s.callback_at)
    assert back.risk == s.risk and back.priority == s.priority
    with pytest.raises(ConcurrencyConflict):
        store.save_work(s, 0)
    assert store.get_work("globex", "dr1") is None
    assert set(store.get_works(T, ["dr1", "dr2"])) == {"dr1"}


def test_the_queue_index_orders_by_base_score_and_resumes_after_a_cursor(store: DynamoWorkStore) -> None:
    for n, dpd in enumerate([5, 80, 40, 40, 0]):
        store.save_work(state(f"dr{n}", "ag-1", dpd), 0)
    store.save_work(state("other", "ag-2", 90), 0)
    unassigned = state("free", None, 90)
    store.save_work(unassigned, 0)
    first, more = store.queue_after(T, "ag-1", None, 2)
    assert [s.debtor_id for s in first] == ["dr1", "dr2"] and more
    last = first[-1]
    assert last.priority is not None
    rest, more = store.queue_after(T, "ag-1", (last.priority.score, last.debtor_id), 10)
    assert [s.debtor_id for s in rest] == ["dr3", "dr0", "dr4"] and not more


def test_the_due_list_holds_callbacks_and_promises_until_an_instant(store: DynamoWorkStore) -> None:
    store.save_work(state("dr1", "ag-1", 5, callback_at=NOW + timedelta(hours=1)), 0)
    store.save_work(state("dr2", "ag-1", 5, promises={"p": date(2026, 3, 17)}), 0)
    store.save_work(state("dr3", "ag-1", 5), 0)
    assert [s.debtor_id for s in store.due_until(T, "ag-1", NOW + timedelta(days=1), 10)] == ["dr1"]
    assert [s.debtor_id for s in store.due_until(T, "ag-1", NOW + timedelta(days=3), 10)] == ["dr1", "dr2"]


def test_refresh_copies_the_band_onto_debts_without_bumping_their_version(
    repo: DynamoLedgerRepository, store: DynamoWorkStore
) -> None:
    save(
        repo,
        debtor("dr1", assigned_agent_id="ag-1"),
        debt("d1", date(2025, 11, 1)),
        debt("d2", date(2026, 4, 1)),
    )
    refreshed = WorkRefresher(repo, store, FixedClock(NOW)).refresh(T, "dr1")
    assert refreshed is not None and refreshed.risk is not None and refreshed.in_queue
    debts = repo.debts_of_debtor(T, "dr1")
    assert {d.risk_band for d in debts} == {refreshed.risk.band.value}
    assert [d.version for d in debts] == [1, 1]
    assert store.queue_after(T, "ag-1", None, 5)[0][0].debtor_id == "dr1"


def test_a_ledger_commit_refreshes_through_the_observer_and_the_nightly_rescore_walks_open_debts(
    store: DynamoWorkStore,
) -> None:
    clock = FixedClock(NOW)
    inner = DynamoLedgerRepository()
    refresher = WorkRefresher(inner, store, clock)
    observed = ObservedLedgerRepository(QueueSignals(refresher))
    save(observed, debtor("dr1", assigned_agent_id="ag-1"), debt("d1", date(2026, 3, 1)))
    first = store.get_work(T, "dr1")
    assert first is not None and first.days_past_due == 14
    save(inner, debtor("dr2"), debt("d2", date(2026, 3, 1), debtor_id="dr2"))
    clock.set(NOW + timedelta(days=10))
    report = Rescore(inner, refresher).run([T])
    assert (report.debtors, report.failed) == (2, 0)
    again = store.get_work(T, "dr1")
    assert again is not None and again.days_past_due == 24 and again.version == 2
    assert store.get_work(T, "dr2") is not None


def test_agents_are_saved_with_their_audit_entry_and_listed(table: str) -> None:
    agents = DynamoAgentRepository()
    agent = Agent(tenant=T, id="ag-1", name="Lucía", created_at=NOW, updated_at=NOW)
    audit = AuditEntry(T, "au1", "Agent", "ag-1", "agentCreate", "ana", "ADMIN", NOW, None, {"name": "Lucía"})
    agents.save_agent(agent, 0, audit)
    assert agent.version == 1
    with pytest.raises(ConcurrencyConflict):
        agents.save_agent(Agent(tenant=T, id="ag-1", name="Otra"), 0, audit)
    agent.active = False
    agents.save_agent(
        agent, 1, AuditEntry(T, "au2", "Agent", "ag-1", "agentUpdate", "ana", "ADMIN", NOW, {}, {})
    )
    assert [(a.id, a.active, a.version) for a in agents.list_agents(T)] == [("ag-1", False, 2)]
    assert set(agents.get_agents(T, ["ag-1", "ag-9"])) == {"ag-1"}
    assert agents.list_agents("globex") == []
    assert len(DynamoLedgerRepository().list_audit(T, "ag-1", PageRequest(10)).items) == 2


class LambdaContext:
    function_name = "queue-rescore"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:queue-rescore"
    aws_request_id = "req-1"


def test_the_nightly_handler_rescores_every_tenant(
    repo: DynamoLedgerRepository, store: DynamoWorkStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.entities import Tenant

    save(
        repo,
        Tenant(id=T, name="Acme", country="CO", currency="USD", time_zone="America/Bogota", locale="es-CO"),
    )
    save(repo, debtor("dr1", assigned_agent_id="ag-1"), debt("d1", date(2026, 3, 1)))
    function = importlib.import_module("functions.queue_rescore")
    monkeypatch.setattr(
        function, "workforce", importlib.import_module("infra.container").build_workforce(FixedClock(NOW))
    )
    assert function.handler({"source": "aws.scheduler"}, LambdaContext()) == {
        "tenants": 1,
        "debtors": 1,
        "failed": 0,
    }
    assert store.queue_after(T, "ag-1", None, 5)[0][0].debtor_id == "dr1"
