"""The contact-policy questions agents and managers ask: may I contact this debtor now, and the rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.campaigns.contact_points import contact_point, contact_request
from domain.campaigns.deps import EngineDeps
from domain.entities import Channel, ContactStatus
from domain.errors import NotFound
from domain.policy import Decision, Outcome
from domain.policy.rules import Policy
from domain.principal import Action, Principal


class ContactChecks:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def policies(self, principal: Principal) -> list[Policy]:
        """Every jurisdiction's policy in force now, as the caller's tenant tightened it."""
        principal.require(Action.CONTACT_CHECK)
        book = self.deps.policies_for(principal.tenant)
        now = self.deps.clock.now()
        return [book.policy_for(j, now) for j in book.jurisdictions()]

    def policy(self, principal: Principal, jurisdiction: str) -> Policy | None:
        principal.require(Action.CONTACT_CHECK)
        book = self.deps.policies_for(principal.tenant)
        if jurisdiction.upper() not in book.jurisdictions():
            return None
        return book.policy_for(jurisdiction.upper(), self.deps.clock.now())

    def check(
        self, principal: Principal, debtor_id: str, channel: Channel, at: datetime | None = None
    ) -> Decision:
        """SEND, DEFER until the next lawful instant, or BLOCK with the rule, for this debtor, channel and
        instant (default now), counting the debtor's contact history."""
        principal.require(Action.CONTACT_CHECK)
        debtor = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        when = at or self.deps.clock.now()
        request = contact_request(debtor, channel, when)
        policies = self.deps.policies_for(principal.tenant)
        since = when - policies.lookback(debtor.jurisdiction)
        history = self.deps.messages.contact_history(principal.tenant, debtor.id, since)
        decision = policies.evaluate(request, history)
        point = contact_point(debtor, channel)
        if decision.outcome is not Outcome.BLOCK and (
            point is None or point.status is not ContactStatus.VALID
        ):
            return replace(
                decision,
                outcome=Outcome.BLOCK,
                until=None,
                rule_ids=("NO_CONTACT_POINT",),
                reason=f"the debtor has no usable address for {channel.value}",
            )
        return decision
