"""The local stack's demo agents: put in the directory, their debtors scored and queued."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.clock import FixedClock
from domain.ports import PageRequest
from domain.principal import Principal, Role
from infra.container import build_reminder_engine, build_workforce
from infra.seed_agents import score_in_background, seed_demo_agents
from infra.seed_queues import seed_queue_entries


def test_the_demo_agent_opens_a_scored_queue_and_sees_whether_it_may_call(table: str) -> None:
    clock = FixedClock(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))
    seed_queue_entries("demo", "ag-lucia", 12, clock.now(), prefix="a")
    seed_queue_entries("demo", "ag-mateo", 3, clock.now(), prefix="b")
    workforce = build_workforce(clock, build_reminder_engine(clock, with_senders=False).deps)
    assert seed_demo_agents(workforce, "demo") == 2
    assert seed_demo_agents(workforce, "demo") == 2  # twice: nothing new
    admin = Principal(sub="a", tenant="demo", role=Role.ADMIN)
    assert [a.name for a in workforce.directory.list(admin)] == ["Lucía Torres", "Mateo Rojas"]
    thread, report = score_in_background(workforce, "demo")
    thread.join(timeout=120)
    assert (report.debtors, report.failed) == (15, 0)

    lucia = Principal(sub="lucia", tenant="demo", role=Role.AGENT, agent_id="ag-lucia")
    page = workforce.queues.my_queue(lucia, PageRequest(20))
    assert len(page.items) == 12 and not page.has_next_page
    assert all(e.debtor and e.debtor.assigned_agent_id == "ag-lucia" for e in page.items)
    assert {e.contact.outcome.value for e in page.items if e.contact} == {"SEND"}  # Monday 10:00 in Lima
    scores = [e.priority.score for e in page.items]
    assert scores == sorted(scores, reverse=True)
