"""Event-triggered steps: an event (a promise due tomorrow or broken, a payment, an instalment due)
sends the step its debts' owning campaign has for it, through the same queue, dispatcher and contact
policy as the cadence.

The job's occurrence is the event's day, so the dispatcher's send claim (debt, campaign, step, day)
makes a retried or repeated event send once per debt and day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from domain.campaigns.cadence import owner
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStatus, StepTrigger
from domain.campaigns.ports import SendJob
from domain.clock import local_date
from domain.entities import DebtState


class StepTriggers:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def fire(
        self,
        tenant: str,
        debtor_id: str,
        debt_ids: Sequence[str],
        trigger: StepTrigger,
        occurrence: date | datetime,
    ) -> int:
        """Enqueue the `trigger` step of each open debt's owning campaign (debts of one campaign
        step go as one job); `occurrence` is the event's day, or its instant (read in the debtor's
        zone). Returns the number of jobs enqueued: 0 when no active campaign has such a step."""
        campaigns = self.deps.campaigns.list_campaigns(tenant, CampaignStatus.ACTIVE)
        if not any(c.triggered_step(trigger) for c in campaigns):
            return 0
        if trigger is StepTrigger.INSTALMENT_DUE:
            # A plan's debt is reminded by the campaigns that have the step, whatever its age
            # (its original due date is long gone; the instalment is what falls due).
            campaigns = [c for c in campaigns if c.triggered_step(trigger)]
        debtor = self.deps.ledger.get_debtor(tenant, debtor_id)
        if debtor is None:
            return 0
        now = self.deps.clock.now()
        day = local_date(occurrence, debtor.time_zone) if isinstance(occurrence, datetime) else occurrence
        today = local_date(now, debtor.time_zone)
        debts = self.deps.ledger.get_debts(tenant, [(debtor_id, d) for d in dict.fromkeys(debt_ids)])
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for debt in sorted(debts.values(), key=lambda d: (d.due_date, d.id)):
            if debt.state is not DebtState.OPEN:
                continue
            campaign = owner(campaigns, debt, (today - debt.due_date).days)
            if campaign is None and trigger is StepTrigger.INSTALMENT_DUE:
                campaign = owner(campaigns, debt, 0)  # the instalment's own day
            step = campaign.triggered_step(trigger) if campaign is not None else None
            if campaign is not None and step is not None:
                groups[(campaign.id, step.id)].append(debt.id)
        jobs = [
            SendJob(
                tenant=tenant,
                debtor_id=debtor_id,
                debt_ids=tuple(ids),
                campaign_id=campaign_id,
                step_id=step_id,
                occurrence=day,
                planned_at=now,
            )
            for (campaign_id, step_id), ids in groups.items()
        ]
        if jobs:
            if self.deps.queue is None:
                raise RuntimeError("event-triggered steps need a job queue")
            self.deps.queue.enqueue(jobs)
        return len(jobs)
