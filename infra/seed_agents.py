"""The demo tenant's agent directory and first scores: the agents the seeded debtors are assigned to
(idempotent), then one rescore so every debtor with an open debt has a risk score and queue entry.

On the embedded AWS a refresh costs about two seconds per debtor (moto walks the table for each
Query), so the local stack scores in a background thread and prints the API banner meanwhile."""

from __future__ import annotations

import contextlib
import threading

from domain.agents.directory import AgentInput
from domain.errors import DomainError
from domain.principal import Principal, Role
from domain.queues.rescore import RescoreReport
from domain.workforce import Workforce
from infra.seed import AGENTS

NAMES = {"ag-lucia": "Lucía Torres", "ag-mateo": "Mateo Rojas"}


def seed_demo_agents(workforce: Workforce, tenant: str) -> int:
    """Put the demo agents in the directory (already there: left alone); return how many."""
    admin = Principal(sub="seed", tenant=tenant, role=Role.ADMIN)
    for agent_id in AGENTS:
        with contextlib.suppress(DomainError):  # DUPLICATE: already there from an earlier run
            workforce.directory.create(
                admin, AgentInput(name=NAMES.get(agent_id, agent_id), agent_id=agent_id)
            )
    return len(AGENTS)


def score_in_background(workforce: Workforce, tenant: str) -> tuple[threading.Thread, RescoreReport]:
    """Rescore the tenant in a daemon thread; the report fills in as it goes."""
    report = RescoreReport()

    def run() -> None:
        report.tenants = 1
        workforce.rescore.tenant(tenant, report)

    thread = threading.Thread(target=run, name="recaudo-demo-scoring", daemon=True)
    thread.start()
    return thread, report
