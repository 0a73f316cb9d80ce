"""Reading a work queue: `myQueue` for an agent, `agentQueue` for supervisors.

A page costs a bounded number of requests whatever the agent's number of debtors:
one Query of the agent's queue index (base priority order, at most `first + due + 1` items), one Query
of its due list (callbacks and promises due within a day, at most `DUE_LIMIT`), one BatchGetItem of the
page's debtors, and for the call check at most one contact-history Query per entry (none when office
hours already rule a call out). Entries are ordered by `(score desc, debtorId)`; the cursor is that
pair, so a page starts exactly after the previous one even though due entries are re-ranked at read.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import timedelta

from domain.clock import Clock
from domain.errors import DomainError, ErrorCode, NotFound
from domain.ports import LedgerRepository, Page, PageRequest
from domain.principal import Action, Principal
from domain.queues.callable import CallCheck
from domain.queues.model import Priority, QueueEntry, WorkState
from domain.queues.ports import WorkStore
from domain.queues.priority import full_priority

DUE_LIMIT = 100
"""Due entries re-ranked per read; more than this many due at once rank by their base score."""
MAX_FIRST = 100


def encode_cursor(score: int, debtor_id: str) -> str:
    raw = json.dumps([score, debtor_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        score, debtor_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (
            not isinstance(score, int)
            or not 0 <= score <= 1000
            or not isinstance(debtor_id, str)
            or not debtor_id
        ):
            raise ValueError(cursor)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after") from None
    return score, debtor_id


def _key(score: int, debtor_id: str) -> tuple[int, str]:
    return (-score, debtor_id)


class WorkQueues:
    def __init__(
        self, ledger: LedgerRepository, store: WorkStore, clock: Clock, calls: CallCheck | None = None
    ) -> None:
        self.ledger, self.store, self.clock, self.calls = ledger, store, clock, calls

    def my_queue(self, principal: Principal, page: PageRequest) -> Page[QueueEntry]:
        """The calling agent's own queue (empty for a token without an agent id)."""
        principal.require(Action.QUEUE_READ)
        if not principal.agent_id:
            return Page([], None, False)
        return self._page(principal.tenant, principal.agent_id, page)

    def agent_queue(self, principal: Principal, agent_id: str, page: PageRequest) -> Page[QueueEntry]:
        """Any agent's queue for ADMIN and SUPERVISOR; an AGENT may only name itself."""
        principal.require(Action.QUEUE_READ)
        if principal.is_agent and agent_id != principal.agent_id:
            raise NotFound("agent", "agentId")
        return self._page(principal.tenant, agent_id, page)

    def _page(self, tenant: str, agent_id: str, page: PageRequest) -> Page[QueueEntry]:
        if not 0 <= page.first <= MAX_FIRST:
            raise DomainError(ErrorCode.PAGE_SIZE_EXCEEDED, f"first is at most {MAX_FIRST}", "first")
        after = decode_cursor(page.after) if page.after else None
        now = self.clock.now()
        due: dict[str, tuple[Priority, WorkState]] = {}
        for state in self.store.due_until(tenant, agent_id, now + timedelta(days=1), DUE_LIMIT):
            due[state.debtor_id] = (full_priority(state, now), state)
        pool = [(p, s) for p, s in due.values() if after is None or _key(p.score, s.debtor_id) > _key(*after)]
        base, more = self.store.queue_after(tenant, agent_id, after, page.first + len(due) + 1)
        pool += [(full_priority(s, now), s) for s in base if s.debtor_id not in due]
        pool.sort(key=lambda ps: _key(ps[0].score, ps[1].debtor_id))
        chosen, has_next = pool[: page.first], len(pool) > page.first or more
        if not chosen:
            return Page([], None, False)
        last_priority, last_state = chosen[-1]
        end = encode_cursor(last_priority.score, last_state.debtor_id)
        debtors = self.ledger.get_debtors(tenant, [s.debtor_id for _, s in chosen])
        # The queue index follows the debtor after each refresh; never show an entry that lags behind.
        chosen = [
            (p, s)
            for p, s in chosen
            if s.debtor_id in debtors and debtors[s.debtor_id].assigned_agent_id == agent_id
        ]
        decisions = (
            self.calls.check_calls(tenant, [debtors[s.debtor_id] for _, s in chosen], now)
            if self.calls
            else {}
        )
        entries = []
        for priority, state in chosen:
            decision = decisions.get(state.debtor_id)
            if decision is not None:
                priority = full_priority(state, now, decision.outcome.value == "SEND")
            entries.append(
                QueueEntry(
                    debtor_id=state.debtor_id,
                    priority=priority,
                    cursor=encode_cursor(priority.score, state.debtor_id),
                    debtor=debtors[state.debtor_id],
                    contact=decision,
                )
            )
        return Page(entries, end, has_next, [e.cursor for e in entries])
