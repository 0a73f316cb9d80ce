"""`campaignSimulate`: a dry run of one campaign on the debtor-local day of an instant. Sends nothing.

For each step, the debts whose step falls on that day are found by due date (a step at offset n on
day D concerns the debts due on D − n: one index query per step), kept when this campaign owns them
that day (a draft or paused campaign is simulated as if it were active), grouped per debtor and
channel as the planner would, and put to the contact policy at the step's moment (or at the
instant, when later) with each debtor's real history: SEND, DEFER until, or BLOCK by which rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.campaigns.cadence import moments
from domain.campaigns.contact_points import POLICY_CHANNEL, contact_point, contact_request
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStatus, Step
from domain.clock import local_date
from domain.entities import ContactStatus, Debt, Debtor, DebtState
from domain.errors import NotFound
from domain.policy import Decision, Outcome
from domain.ports import DebtQuery, PageRequest
from domain.principal import Action, Principal
from domain.templates import TemplateChannel

MAX_DEBTS_PER_STEP = 1000


@dataclass(frozen=True)
class SimulationRow:
    debtor: Debtor
    debts: tuple[Debt, ...]
    step: Step
    channel: TemplateChannel
    send_at: datetime
    decision: Decision
    to: str | None


class Simulator:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def simulate(
        self, principal: Principal, campaign_id: str, at: datetime, first: int = 50
    ) -> list[SimulationRow]:
        principal.require(Action.CAMPAIGN_READ)
        campaign = self.deps.campaigns.get_campaign(principal.tenant, campaign_id)
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        if campaign is None or tenant is None:
            raise NotFound("campaign", "campaignId")
        as_active = replace(campaign, status=CampaignStatus.ACTIVE)
        others = [
            c
            for c in self.deps.campaigns.list_campaigns(principal.tenant, CampaignStatus.ACTIVE)
            if c.id != campaign.id
        ]
        everyone = [as_active, *others]
        day = local_date(at, tenant.time_zone)
        found: dict[str, Debt] = {}
        for step in campaign.scheduled_steps():
            due = day - timedelta(days=step.offset_days)
            for portfolio_id in campaign.segment.portfolio_ids or (None,):
                query = DebtQuery(
                    portfolio_id=portfolio_id,
                    state=DebtState.OPEN,
                    due_from=due - timedelta(days=1),
                    due_to=due + timedelta(days=1),
                    currency=campaign.segment.currency,
                )
                page = self.deps.ledger.list_debts(principal.tenant, query, PageRequest(first=200))
                for debt in page.items[:MAX_DEBTS_PER_STEP]:
                    found[debt.id] = debt
        debtors = self.deps.ledger.get_debtors(
            principal.tenant, sorted({d.debtor_id for d in found.values()})
        )
        groups: dict[tuple[str, TemplateChannel], list[tuple[Debt, Step, datetime]]] = {}
        for debt in found.values():
            debtor = debtors.get(debt.debtor_id)
            if debtor is None or not principal.sees_agent(debt.assigned_agent_id):
                continue
            local_day = local_date(at, debtor.time_zone)
            for m in moments(everyone, debt, debtor.time_zone):
                if m.campaign.id == campaign.id and m.occurrence == local_day:
                    groups.setdefault((debtor.id, m.step.channel), []).append((debt, m.step, m.at))
        rows: list[SimulationRow] = []
        for (debtor_id, channel), members in sorted(groups.items()):
            debtor = debtors[debtor_id]
            members.sort(key=lambda x: -x[1].offset_days)
            _, lead, moment_at = members[0]
            send_at = max(at, moment_at)
            rows.append(
                SimulationRow(
                    debtor=debtor,
                    debts=tuple(d for d, _, _ in members),
                    step=lead,
                    channel=channel,
                    send_at=send_at,
                    decision=self._decide(
                        principal.tenant, debtor, channel, send_at, [d.id for d, _, _ in members]
                    ),
                    to=(p.value if (p := contact_point(debtor, POLICY_CHANNEL[channel])) else None),
                )
            )
            if len(rows) >= first:
                break
        return rows

    def _decide(
        self, tenant: str, debtor: Debtor, channel: TemplateChannel, at: datetime, debt_ids: list[str]
    ) -> Decision:
        if channel is TemplateChannel.CALL_TASK:
            return Decision(Outcome.SEND, (), "", "", reason="a call task for the agent")
        policy_channel = POLICY_CHANNEL[channel]
        request = contact_request(debtor, policy_channel, at, tuple(debt_ids))
        policies = self.deps.policies_for(tenant)
        history = self.deps.messages.contact_history(
            tenant, debtor.id, at - policies.lookback(debtor.jurisdiction)
        )
        decision = policies.evaluate(request, history)
        point = contact_point(debtor, policy_channel)
        if decision.outcome is not Outcome.BLOCK and (
            point is None or point.status is not ContactStatus.VALID
        ):
            return replace(
                decision,
                outcome=Outcome.BLOCK,
                until=None,
                rule_ids=("NO_CONTACT_POINT",),
                reason="no usable address",
            )
        return decision
