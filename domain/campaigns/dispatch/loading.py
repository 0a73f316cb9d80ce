"""Step 1: re-read everything a job names (from the batch's snapshot). A debt paid, disputed, written
off or re-dated since planning, or whose campaign is no longer active, drops out; nothing left, nothing
is sent."""

from __future__ import annotations

from domain.campaigns.dispatch.batch import Batch
from domain.campaigns.dispatch.job import DispatchResult, LoadedJob
from domain.campaigns.model import Campaign, CampaignStatus, StepTrigger
from domain.campaigns.ports import SendClaim, SendJob
from domain.entities import Debt, DebtState


def load_job(batch: Batch, job: SendJob) -> LoadedJob | DispatchResult:
    tenant = batch.snapshot.tenants.get(job.tenant)
    debtor = batch.debtor(job.tenant, job.debtor_id)
    campaign = batch.campaign(job.tenant, job.campaign_id)
    if tenant is None or debtor is None or campaign is None:
        return DispatchResult("SKIPPED", reason="the tenant, debtor or campaign no longer exists")
    step = campaign.step(job.step_id)
    if step is None or campaign.status is not CampaignStatus.ACTIVE:
        return DispatchResult("SKIPPED", reason="the campaign is not active or the step is gone")
    debts = []
    for claim in {c.debt_id: c for c in job.claims()}.values():
        debt = batch.snapshot.debts.get((job.tenant, job.debtor_id, claim.debt_id))
        if debt is not None and still_due(debt, batch.campaign(job.tenant, claim.campaign_id), claim):
            debts.append(debt)
    if not debts:
        return DispatchResult("SKIPPED", reason="every debt was paid, disputed, written off or re-dated")
    debts.sort(key=lambda d: (d.due_date, d.id))
    return LoadedJob(job, tenant, debtor, debts, campaign, step)


def still_due(debt: Debt, campaign: Campaign | None, claim: SendClaim) -> bool:
    """OPEN with a balance, its campaign active, and the step's day still its due date + offset (a
    changed due date invalidates the jobs planned for the old one; a pending promise pauses it, a
    payment plan takes it off the cadence). A PAYMENT_RECEIVED thank-you also goes to the debt the
    payment settled; an INSTALMENT_DUE reminder only while the debt is still in its plan."""
    step = campaign.step(claim.step_id) if campaign is not None else None
    if step is None or campaign is None or campaign.status is not CampaignStatus.ACTIVE:
        return False
    if step.trigger is StepTrigger.PAYMENT_RECEIVED:
        return debt.state in (DebtState.OPEN, DebtState.PAID)
    if step.trigger is StepTrigger.INSTALMENT_DUE and debt.plan_id is None:
        return False
    return debt.state is DebtState.OPEN and debt.balance > 0 and step.fires_on(debt, claim.occurrence)
