"""`Workforce`: agents, assignment, work queues and risk scores, wired to the same stores."""

from __future__ import annotations

from dataclasses import dataclass

from domain.agents.assignment import Assignments
from domain.agents.directory import AgentDirectory
from domain.agents.model import AgentRepository
from domain.clock import Clock
from domain.ports import IdGenerator, LedgerRepository
from domain.principal import Action, Principal
from domain.queues.callable import CallCheck
from domain.queues.model import WorkState
from domain.queues.ports import WorkStore
from domain.queues.queue import WorkQueues
from domain.queues.refresh import WorkRefresher
from domain.queues.rescore import Rescore
from domain.queues.signals import QueueSignals
from domain.services.base import Deps


@dataclass
class WorkforceDeps:
    ledger: LedgerRepository
    """The ledger repository *without* the post-commit observer (these use cases refresh themselves)."""
    agents: AgentRepository
    work: WorkStore
    clock: Clock
    ids: IdGenerator
    calls: CallCheck | None = None


@dataclass
class Workforce:
    deps: WorkforceDeps
    directory: AgentDirectory
    assignments: Assignments
    queues: WorkQueues
    refresher: WorkRefresher
    signals: QueueSignals
    rescore: Rescore

    @classmethod
    def build(cls, deps: WorkforceDeps) -> Workforce:
        refresher = WorkRefresher(deps.ledger, deps.work, deps.clock)
        signals = QueueSignals(refresher)
        return cls(
            deps=deps,
            directory=AgentDirectory(deps.agents, deps.ledger, deps.clock, deps.ids),
            assignments=Assignments(Deps(deps.ledger, deps.clock, deps.ids), deps.agents, signals),
            queues=WorkQueues(deps.ledger, deps.work, deps.clock, deps.calls),
            refresher=refresher,
            signals=signals,
            rescore=Rescore(deps.ledger, refresher),
        )

    def works(self, principal: Principal, debtor_ids: list[str]) -> dict[str, WorkState]:
        """The work items (risk scores) of debtors the caller already saw (DataLoader batch)."""
        principal.require(Action.DEBTOR_READ)
        return self.deps.work.get_works(principal.tenant, debtor_ids)
