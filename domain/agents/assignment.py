"""`assignmentSet`: move debtors (and their debts, which carry the agent for the agent's debt list) to
an agent, or unassign them, in bulk. Each debtor moves in its own transaction with its debts and an
audit entry; a debtor already where it should be is left alone, so a retried request changes nothing
more. Afterwards each moved debtor's work item is refreshed (it joins the new agent's queue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from domain.agents.model import AgentRepository
from domain.entities import Debt, Debtor
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.queues.signals import QueueSignals
from domain.services.base import Deps, UseCase

MAX_DEBTORS = 500
DEBTS_PER_TRANSACTION = 90
"""DynamoDB takes 100 items a transaction: debts go in chunks, the debtor and its audit entry last."""


@dataclass
class AssignmentResult:
    agent_id: str | None
    moved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class Assignments(UseCase):
    def __init__(self, deps: Deps, agents: AgentRepository, signals: QueueSignals | None = None) -> None:
        super().__init__(deps)
        self.agents, self.signals = agents, signals

    def set(self, principal: Principal, debtor_ids: list[str], agent_id: str | None) -> AssignmentResult:
        principal.require(Action.ASSIGNMENT_SET)
        ids = list(dict.fromkeys(i for i in debtor_ids if i))
        if not ids:
            raise DomainError(ErrorCode.REQUIRED, "name at least one debtor", "debtorIds")
        if len(ids) > MAX_DEBTORS:
            raise DomainError(ErrorCode.TOO_MANY_ROWS, f"at most {MAX_DEBTORS} debtors at once", "debtorIds")
        if agent_id is not None:
            agent = self.agents.get_agent(principal.tenant, agent_id)
            if agent is None:
                raise NotFound("agent", "agentId")
            if not agent.active:
                raise DomainError(ErrorCode.INVALID_STATE, "the agent is inactive", "agentId")
        found = self.repo.get_debtors(principal.tenant, ids)
        missing = [n for n, debtor_id in enumerate(ids) if debtor_id not in found]
        if missing:
            # Nothing moves unless every debtor exists (a mistyped id is a bad request, not a partial one).
            raise NotFound("debtor", f"debtorIds[{missing[0]}]")
        result = AssignmentResult(agent_id)
        for debtor_id in ids:
            moved = self.retrying(self._attempt(principal, found[debtor_id], agent_id))
            (result.moved if moved else result.unchanged).append(debtor_id)
            if self.signals is not None:
                self.signals.debtor_changed(principal.tenant, debtor_id)
        return result

    def _attempt(self, principal: Principal, read: Debtor, agent_id: str | None) -> Callable[[], bool]:
        """The first attempt uses the batch-read debtor; a retry after a conflict reads it again."""
        first: list[Debtor] = [read]

        def attempt() -> bool:
            debtor = first.pop() if first else self.repo.get_debtor(principal.tenant, read.id)
            return debtor is not None and self._move(principal, debtor, agent_id)

        return attempt

    def _move(self, principal: Principal, debtor: Debtor, agent_id: str | None) -> bool:
        debtor_id = debtor.id
        debts = [
            d
            for d in self.repo.debts_of_debtor(principal.tenant, debtor_id)
            if d.assigned_agent_id != agent_id
        ]
        if debtor.assigned_agent_id == agent_id and not debts:
            return False
        for start in range(0, len(debts), DEBTS_PER_TRANSACTION):
            chunk: list[Debt] = debts[start : start + DEBTS_PER_TRANSACTION]
            tx = Transaction()
            for debt in chunk:
                debt.assigned_agent_id = agent_id
                debt.updated_at = self.now()
                tx.save(debt)
            if start + DEBTS_PER_TRANSACTION >= len(debts):
                self._stage_debtor(tx, principal, debtor, agent_id, len(debts))
            self.repo.commit(principal.tenant, tx)
        if not debts:
            tx = Transaction()
            self._stage_debtor(tx, principal, debtor, agent_id, 0)
            self.repo.commit(principal.tenant, tx)
        return True

    def _stage_debtor(
        self, tx: Transaction, principal: Principal, debtor: Debtor, agent_id: str | None, debts: int
    ) -> None:
        before = {"assignedAgentId": debtor.assigned_agent_id}
        debtor.assigned_agent_id = agent_id
        debtor.updated_at = self.now()
        tx.save(debtor)
        after = {"assignedAgentId": agent_id, "debtsMoved": debts}
        self.audit(tx, principal, "Debtor", debtor.id, "assignmentSet", before, after)
