"""May the agent call these debtors now? The contact-policy engine, batched for a queue page.

It asks the same questions as `contactCheck` (channel CALL), but first without the contact history:
if office hours, a blocked date or an opt-out already defer or block the call, more history cannot
allow it. The debtors still allowed get their recent contacts in one read for the whole page (the
contact log); a policy looking further back than the log queries that debtor's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from domain.campaigns.contact_points import contact_point, contact_request
from domain.campaigns.deps import EngineDeps
from domain.entities import Channel, ContactStatus, Debtor
from domain.policy import Decision, Outcome


class CallCheck(Protocol):
    def check_calls(self, tenant: str, debtors: Sequence[Debtor], at: datetime) -> dict[str, Decision]: ...


class PolicyCallCheck:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def check_calls(self, tenant: str, debtors: Sequence[Debtor], at: datetime) -> dict[str, Decision]:
        book = self.deps.policies_for(tenant)
        out: dict[str, Decision] = {}
        first = {d.id: book.evaluate(contact_request(d, Channel.CALL, at), []) for d in debtors}
        open_ = [d.id for d in debtors if first[d.id].outcome is Outcome.SEND]
        recent = self.deps.messages.recent_contacts(tenant, open_, at) if open_ else {}
        for debtor in debtors:
            request = contact_request(debtor, Channel.CALL, at)
            decision = first[debtor.id]
            if decision.outcome is Outcome.SEND:
                since = at - book.lookback(debtor.jurisdiction)
                log = recent.get(debtor.id)
                if log is not None and log.covers(since, at):
                    history = log.since(since)
                else:
                    history = self.deps.messages.contact_history(tenant, debtor.id, since)
                decision = book.evaluate(request, history)
            point = contact_point(debtor, Channel.CALL)
            if decision.outcome is not Outcome.BLOCK and (
                point is None or point.status is not ContactStatus.VALID
            ):
                decision = replace(
                    decision,
                    outcome=Outcome.BLOCK,
                    until=None,
                    rule_ids=("NO_CONTACT_POINT",),
                    reason="the debtor has no usable phone",
                )
            out[debtor.id] = decision
        return out
