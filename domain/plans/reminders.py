"""The next instalment reminder of a plan, as the sweep will queue it (for the API's preview)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.campaigns.cadence import owner
from domain.campaigns.model import Campaign, Step, StepTrigger
from domain.entities import Debt, DebtState
from domain.plans.model import Instalment, InstalmentStatus, PaymentPlan


@dataclass(frozen=True)
class PlannedReminder:
    instalment: Instalment
    on: date
    """The debtor-local day the sweep queues the INSTALMENT_DUE step: the day before the due date
    (today when that day has passed)."""
    campaign: Campaign
    step: Step


def reminder_day(inst: Instalment, today: date) -> date | None:
    """When an unpaid instalment will be reminded; None once it is paid or its due date passed."""
    if inst.status is InstalmentStatus.PAID or inst.due_date < today:
        return None
    return max(inst.due_date - timedelta(days=1), today)


def next_reminder(
    plan: PaymentPlan, debts: Sequence[Debt], campaigns: Sequence[Campaign], today: date
) -> PlannedReminder | None:
    """The next instalment reminder of an ACTIVE plan, with the campaign step that will send it
    (chosen as `domain.campaigns.triggers` chooses); None when no active campaign has an
    INSTALMENT_DUE step for the plan's debts or nothing is left to remind."""
    if not plan.active:
        return None
    trigger = StepTrigger.INSTALMENT_DUE
    candidates = [c for c in campaigns if c.triggered_step(trigger)]
    open_debts = sorted((d for d in debts if d.state is DebtState.OPEN), key=lambda d: (d.due_date, d.id))
    for inst in plan.instalments:
        day = reminder_day(inst, today)
        if day is None:
            continue
        for debt in open_debts:
            campaign = owner(candidates, debt, (today - debt.due_date).days) or owner(candidates, debt, 0)
            step = campaign.triggered_step(trigger) if campaign is not None else None
            if campaign is not None and step is not None:
                return PlannedReminder(inst, day, campaign, step)
        return None
    return None
