"""The planner: every 15 minutes, turn the debts whose next action is due into send jobs.

Per tenant it reads the active campaigns and the tenant settings once, then each shard of the due
index up to now: only debts that have something due are read, and nothing else about them (the debt
item carries the debtor's zone and jurisdiction in its next action). For each debt the cadence says
which step is due (catch-up sends only the latest, stale ones are recorded as skipped); the contact
policy's calendar is checked here without history (a step that falls on a Sunday or after hours waits
in the index for the next lawful window instead of becoming a job); the dispatcher re-checks
everything, history and the debtor included, at send time. Debts of one debtor due on one channel
in the same cycle become one job (one consolidated message). Then each debt's next action moves on.

Running twice at one instant plans nothing twice: the first run moved the next actions; a crash
between enqueueing and moving re-plans the same steps, and the dispatcher's claims drop them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.campaigns.cadence import (
    CadenceDecision,
    Moment,
    decide,
    evaluate_marker,
    evaluation_floor,
    moments,
    static_match,
)
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import Campaign, CampaignStats, CampaignStatus, Message, MessageStatus
from domain.campaigns.pause import paused_action
from domain.campaigns.ports import SendClaim, SendJob
from domain.entities import Channel, Debt, DebtState, NextAction, Tenant
from domain.policy import ContactRequest, Outcome
from domain.ports import DebtQuery, PageRequest
from domain.templates import TemplateChannel

BATCH = 200
"""Debts read from one shard per query page."""

_POLICY_CHANNEL: dict[TemplateChannel, Channel] = {
    TemplateChannel.EMAIL: Channel.EMAIL,
    TemplateChannel.SMS: Channel.SMS,
    TemplateChannel.WHATSAPP: Channel.WHATSAPP,
}


@dataclass
class PlanSummary:
    tenants: int = 0
    due_debts: int = 0
    jobs: int = 0
    planned: int = 0
    deferred: int = 0
    skipped: int = 0
    rescheduled: int = 0
    conflicts: int = 0
    marked: int = 0
    """Open debts put up for evaluation because a campaign was activated or changed."""
    jobs_by_channel: dict[str, int] = field(default_factory=dict)

    def add(self, other: PlanSummary) -> None:
        for name in (
            "tenants",
            "due_debts",
            "jobs",
            "planned",
            "deferred",
            "skipped",
            "rescheduled",
            "conflicts",
            "marked",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for channel, count in other.jobs_by_channel.items():
            self.jobs_by_channel[channel] = self.jobs_by_channel.get(channel, 0) + count


@dataclass
class _Planned:
    debt: Debt
    moment: Moment


class Planner:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def run(self, tenants: Iterable[str] | None = None) -> PlanSummary:
        """One cycle for every tenant (or the given ones), at the clock's instant."""
        summary = PlanSummary()
        for tenant in tenants if tenants is not None else self.deps.ledger.list_tenants():
            summary.add(self.plan_tenant(tenant))
        return summary

    def plan_tenant(self, tenant_id: str) -> PlanSummary:
        summary = PlanSummary(tenants=1)
        tenant = self.deps.ledger.get_tenant(tenant_id)
        if tenant is None:
            return summary
        now = self.deps.clock.now()
        campaigns = self.deps.campaigns.list_campaigns(tenant_id, CampaignStatus.ACTIVE)
        summary.marked = self._reanchor(tenant_id, campaigns)
        planned: list[_Planned] = []
        seen: set[str] = set()
        for shard in range(self.deps.schedule.SHARDS):
            while True:
                # Planned debts leave the head of the shard (their next action moves past now), so
                # the next read starts where the work is; a page with nothing new ends the shard.
                due = [
                    d for d in self.deps.schedule.due_debts(tenant_id, shard, now, BATCH) if d.id not in seen
                ]
                for debt in due:
                    seen.add(debt.id)
                    summary.due_debts += 1
                    outcome = self._plan_debt(tenant, debt, campaigns, now, summary)
                    if outcome is not None:
                        planned.append(outcome)
                if len(due) < BATCH:
                    break
        self._enqueue(tenant_id, planned, now, summary)
        return summary

    def _plan_debt(
        self, tenant: Tenant, debt: Debt, campaigns: list[Campaign], now: datetime, summary: PlanSummary
    ) -> _Planned | None:
        action = debt.next_action
        if action is None:
            return None
        zone = action.time_zone or tenant.time_zone
        jurisdiction = action.jurisdiction or tenant.country
        if debt.plan_id is not None:  # IN_PLAN: off the cadence until its plan closes (domain/plans)
            self._move(debt, action, None, summary)
            return None
        if debt.paused_until is not None:  # a pending promise holds the cadence (domain/campaigns/pause.py)
            self._move(debt, action, paused_action(debt, action, now), summary)
            return None
        since = evaluation_floor(debt, campaigns) or now
        decision = decide(debt, campaigns, zone, now, since)
        self._record_skipped(tenant.id, debt, decision, zone, summary)
        if decision.due is not None:
            wait_until = self._window_wait(tenant.id, decision.due, jurisdiction, zone, now)
            if wait_until is not None:
                summary.deferred += 1
                deferred = decision.due.next_action(zone, jurisdiction, at=wait_until)
                self._move(debt, action, deferred, summary)
                return None
        next_action = decision.next.next_action(zone, jurisdiction) if decision.next else None
        if not self._move(debt, action, next_action, summary):
            return None
        if decision.due is None:
            return None
        return _Planned(debt, decision.due)

    def _window_wait(
        self, tenant: str, moment: Moment, jurisdiction: str, zone: str, now: datetime
    ) -> datetime | None:
        """When the policy's calendar forbids the channel now, the instant it allows it (no history: the
        dispatcher counts caps); None when it may go now, or for call tasks (an agent's queue)."""
        channel = _POLICY_CHANNEL.get(moment.step.channel)
        if channel is None:
            return None
        request = ContactRequest(channel=channel, at=now, jurisdiction=jurisdiction, time_zones=(zone,))
        decision = self.deps.policies_for(tenant).evaluate(request, [])
        if decision.outcome is Outcome.DEFER and decision.until is not None:
            return decision.until
        return None

    def _move(self, debt: Debt, expected: NextAction, new: NextAction | None, summary: PlanSummary) -> bool:
        if self.deps.schedule.move_next_action(debt, expected, new):
            summary.rescheduled += 1
            return True
        summary.conflicts += 1  # someone (a ledger write, another planner) moved it: next cycle sees it
        return False

    def _record_skipped(
        self, tenant: str, debt: Debt, decision: CadenceDecision, zone: str, summary: PlanSummary
    ) -> None:
        for moment in decision.skipped:
            message = Message(
                tenant=tenant,
                id=self.deps.ids.new_id(),
                debtor_id=debt.debtor_id,
                debt_ids=[debt.id],
                channel=moment.step.channel,
                status=MessageStatus.SKIPPED,
                occurrence=moment.occurrence,
                campaign_id=moment.campaign.id,
                step_id=moment.step.id,
                template_id=moment.step.template_id,
                error_code="STALE_STEP",
                error="a later step was due, or the step's moment passed more than the campaign's staleness",
                created_at=self.deps.clock.now(),
            )
            claim = SendClaim(debt.id, moment.campaign.id, moment.step.id, moment.occurrence)
            if not self.deps.messages.claim_message(message, [claim]):
                summary.skipped += 1
                self.deps.messages.add_stats(tenant, moment.campaign.id, CampaignStats(skipped=1))

    def _enqueue(self, tenant: str, planned: list[_Planned], now: datetime, summary: PlanSummary) -> None:
        groups: dict[tuple[str, TemplateChannel], list[_Planned]] = defaultdict(list)
        for p in planned:
            groups[(p.debt.debtor_id, p.moment.step.channel)].append(p)
        jobs: list[SendJob] = []
        per_campaign: dict[str, int] = defaultdict(int)
        for (debtor_id, channel), members in groups.items():
            # The lead is the most advanced step (its template speaks for the whole list).
            members.sort(key=lambda p: (p.moment.step.offset_days, p.debt.id), reverse=True)
            lead = members[0].moment
            claims = tuple(
                SendClaim(p.debt.id, p.moment.campaign.id, p.moment.step.id, p.moment.occurrence)
                for p in members
            )
            jobs.append(
                SendJob(
                    tenant=tenant,
                    debtor_id=debtor_id,
                    debt_ids=tuple(p.debt.id for p in members),
                    campaign_id=lead.campaign.id,
                    step_id=lead.step.id,
                    occurrence=lead.occurrence,
                    planned_at=now,
                    members=claims if len(members) > 1 else (),
                )
            )
            per_campaign[lead.campaign.id] += 1
            summary.jobs_by_channel[channel.value] = summary.jobs_by_channel.get(channel.value, 0) + 1
        summary.jobs += len(jobs)
        summary.planned += len(planned)
        if jobs:
            if self.deps.queue is None:
                raise RuntimeError("the planner needs a job queue")
            self.deps.queue.enqueue(jobs)
        for campaign_id, count in per_campaign.items():
            self.deps.messages.add_stats(tenant, campaign_id, CampaignStats(planned=count))

    # --- keeping the index in step with campaigns ---------------------------------------------

    def _reanchor(self, tenant: str, campaigns: list[Campaign]) -> int:
        """A campaign activated or changed since the last cycle may own debts that have no next action
        (or a later one): put its segment's open debts up for evaluation, once per campaign version.
        This is the one pass whose cost follows the segment's size; it runs in the worker, never in
        the request that activated the campaign."""
        done = self.deps.schedule.campaign_versions(tenant)
        current = {c.id: c.version for c in campaigns}
        changed = [c for c in campaigns if done.get(c.id) != c.version]
        if not changed:
            if done.keys() - current.keys():
                self.deps.schedule.save_campaign_versions(tenant, current)
            return 0
        marked = 0
        for campaign in changed:
            for portfolio_id in campaign.segment.portfolio_ids or (None,):
                query = DebtQuery(
                    portfolio_id=portfolio_id, state=DebtState.OPEN, currency=campaign.segment.currency
                )
                after: str | None = None
                while True:
                    page = self.deps.ledger.list_debts(tenant, query, PageRequest(first=200, after=after))
                    marked += self.mark_for_evaluation(
                        d for d in page.items if static_match(campaign.segment, d)
                    )
                    if not page.has_next_page:
                        break
                    after = page.end_cursor
        self.deps.schedule.save_campaign_versions(tenant, current)
        return marked

    def mark_for_evaluation(self, debts: Iterable[Debt], time_zone: str = "", jurisdiction: str = "") -> int:
        """Put open debts at the front of the due index (new campaign, changed segment or steps): the
        next cycle re-anchors their cadence. Debts already due sooner keep their place."""
        now = self.deps.clock.now()
        moved = 0
        for debt in debts:
            current = debt.next_action
            if current is not None and current.at <= now:
                continue
            marker = evaluate_marker(
                now,
                debt,
                time_zone or (current.time_zone if current else ""),
                jurisdiction or (current.jurisdiction if current else ""),
            )
            if self.deps.schedule.move_next_action(debt, current, marker):
                moved += 1
        return moved

    def upcoming(self, debt: Debt, campaigns: list[Campaign], zone: str, horizon: timedelta) -> list[Moment]:
        """The debt's moments from now to now + horizon (for previews and tests)."""
        now = self.deps.clock.now()
        return [m for m in moments(campaigns, debt, zone) if now <= m.at <= now + horizon]
