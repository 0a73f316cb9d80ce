"""The dispatcher: a send job becomes one lawful, rendered message, sent at most once.

1. Re-read everything (debtor, debts, campaign, template): a debt paid, disputed, written off or
   re-dated since planning drops out; nothing left, nothing sent.
2. Claim: the message and one claim per (debt, campaign, step, day) are created in one transaction.
   A claim that exists means another attempt owns it: QUEUED (it crashed before calling the provider)
   is resumed; SENDING (it crashed after the provider may have accepted) is never re-sent but marked
   OUTCOME_UNKNOWN; anything else is a duplicate job and ends here.
3. Ask the contact policy with the debtor's history as it is now: BLOCK is recorded with the rule ids
   (proof of compliance) and tries the step's fallback channel when the block is about the address;
   DEFER puts the job back until the window opens (or records it skipped when that is stale).
4. Render in the debtor's locale, mark SENDING, call the provider, and record SENT with the provider's
   id and the contact-history entry in one transaction. Throttling goes back to QUEUED and retries
   with backoff; a permanent refusal is recorded and ends (an opted-out number is marked so).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from domain.campaigns.contact_points import POLICY_CHANNEL, contact_point, contact_request, debtor_locale
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import (
    CallTask,
    Campaign,
    CampaignStats,
    CampaignStatus,
    Message,
    MessageStatus,
    MessageTemplate,
    Step,
)
from domain.campaigns.ports import SendClaim, SendJob
from domain.clock import local_date
from domain.entities import ContactStatus, Debt, Debtor, DebtState, Tenant
from domain.errors import DomainError
from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from domain.policy import AttemptKind, ContactRecord, Decision, Outcome
from domain.templates import DebtLine, MessageContext, TemplateChannel, render

MAX_ATTEMPTS = 6
ADDRESS_RULES = ("NO_CONTACT_POINT", "PRODUCT-invalid-contact", "opt-out", "consent", "authorised-channels")
"""Blocks about the address (not the law's calendar or caps): the step's fallback channel may help."""

_SEND_CHANNEL = {
    TemplateChannel.EMAIL: SendChannel.EMAIL,
    TemplateChannel.SMS: SendChannel.SMS,
    TemplateChannel.WHATSAPP: SendChannel.WHATSAPP,
}


@dataclass(frozen=True)
class DispatchResult:
    status: str
    """SENT, BLOCKED, DEFERRED, SKIPPED, FAILED, RETRY, DUPLICATE."""
    channel: str | None = None
    message_id: str | None = None
    rule_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class _Job:
    job: SendJob
    tenant: Tenant
    debtor: Debtor
    debts: list[Debt]
    campaign: Campaign
    step: Step


class Dispatcher:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    # --- entry point -----------------------------------------------------------------------------

    def handle(self, job: SendJob) -> DispatchResult:
        loaded = self._load(job)
        if isinstance(loaded, DispatchResult):
            return loaded
        claims = [c for c in job.claims() if c.debt_id in {d.id for d in loaded.debts}]
        return self._dispatch(loaded, self._new_message(loaded), claims)

    def _claim(self, message: Message, claims: list[SendClaim]) -> Message | DispatchResult:
        """Write the message with its claims (one transaction) just before acting on it. A claim taken
        by an earlier attempt: QUEUED (it stopped before the provider, or was throttled) is resumed
        with what this attempt decided; anything else is never acted on again."""
        taken = self.deps.messages.claim_message(message, claims)
        if not taken:
            return message
        existing = self.deps.messages.message_for_claim(message.tenant, taken[0])
        if existing is None or existing.status is not MessageStatus.QUEUED:
            return self._after_crash(existing)
        existing.status, existing.channel, existing.template_id = (
            message.status,
            message.channel,
            message.template_id,
        )
        existing.decision, existing.locale, existing.to = message.decision, message.locale, message.to
        existing.subject, existing.text, existing.html = message.subject, message.text, message.html
        existing.attempts += message.attempts
        self._save(existing)
        return existing

    # --- loading and dropping ----------------------------------------------------------------------

    def _load(self, job: SendJob) -> _Job | DispatchResult:
        repo = self.deps.ledger
        tenant = repo.get_tenant(job.tenant)
        debtor = repo.get_debtor(job.tenant, job.debtor_id)
        campaign = self.deps.campaigns.get_campaign(job.tenant, job.campaign_id)
        if tenant is None or debtor is None or campaign is None:
            return DispatchResult("SKIPPED", reason="tenant, debtor or campaign no longer exists")
        step = campaign.step(job.step_id)
        if step is None or campaign.status is not CampaignStatus.ACTIVE:
            return DispatchResult("SKIPPED", reason="the campaign is not active or the step is gone")
        members = {c.debt_id: c for c in job.claims()}
        found = repo.get_debts(job.tenant, [(job.debtor_id, d) for d in members])
        campaigns = {campaign.id: campaign}
        debts = []
        for (_, debt_id), debt in found.items():
            claim = members[debt_id]
            owner = campaigns.get(claim.campaign_id) or self.deps.campaigns.get_campaign(
                job.tenant, claim.campaign_id
            )
            member_step = owner.step(claim.step_id) if owner else None
            if member_step is None or not _still_due(debt, member_step, claim.occurrence):
                continue
            debts.append(debt)
        if not debts:
            return DispatchResult("SKIPPED", reason="every debt was paid, disputed, written off or re-dated")
        return _Job(job, tenant, debtor, sorted(debts, key=lambda d: (d.due_date, d.id)), campaign, step)

    def _new_message(self, j: _Job) -> Message:
        now = self.deps.clock.now()
        return Message(
            tenant=j.tenant.id,
            id=self.deps.ids.new_id(),
            debtor_id=j.debtor.id,
            debt_ids=[d.id for d in j.debts],
            channel=j.step.channel,
            status=MessageStatus.QUEUED,
            occurrence=j.job.occurrence,
            campaign_id=j.campaign.id,
            step_id=j.step.id,
            template_id=j.step.template_id,
            currency=j.debts[0].currency,
            amount=sum((d.balance for d in j.debts), Decimal(0)),
            created_at=now,
            updated_at=now,
        )

    def _after_crash(self, existing: Message | None) -> DispatchResult:
        if existing is not None and existing.status is MessageStatus.SENDING:
            existing.status, existing.error_code = MessageStatus.FAILED, "OUTCOME_UNKNOWN"
            existing.error = "a previous attempt stopped after calling the provider; not sent again"
            self._save(existing)
            self._count(existing, CampaignStats(failed=1))
            return DispatchResult("FAILED", existing.channel.value, existing.id, reason="OUTCOME_UNKNOWN")
        return DispatchResult("DUPLICATE", None, existing.id if existing else None, reason="already handled")

    # --- the policy, rendering and the provider ----------------------------------------------------

    def _dispatch(self, j: _Job, message: Message, claims: list[SendClaim]) -> DispatchResult:
        channel, template_id = j.step.channel, j.step.template_id
        decision = self._decide(j, channel)
        if (
            decision.outcome is Outcome.BLOCK
            and j.step.fallback_channel is not None
            and any(r in rule for rule in decision.rule_ids for r in ADDRESS_RULES)
        ):
            channel, template_id = j.step.fallback_channel, j.step.fallback_template_id or template_id
            decision = self._decide(j, channel)
        message.channel, message.template_id, message.decision = channel, template_id, decision
        if decision.outcome is Outcome.BLOCK:
            message.status = MessageStatus.BLOCKED
            claimed = self._claim(message, claims)
            if isinstance(claimed, DispatchResult):
                return claimed
            by_rule = {rule: 1 for rule in decision.rule_ids}
            self._count(message, CampaignStats(blocked=1, blocked_by_rule=by_rule))
            return DispatchResult("BLOCKED", channel.value, message.id, decision.rule_ids, decision.reason)
        if decision.outcome is Outcome.DEFER:
            return self._defer(j, message, decision, claims)
        if channel is TemplateChannel.CALL_TASK:
            return self._call_task(j, message, claims)
        return self._send(j, message, template_id, claims)

    def _decide(self, j: _Job, channel: TemplateChannel) -> Decision:
        now = self.deps.clock.now()
        policy_channel = POLICY_CHANNEL[channel]
        if channel is TemplateChannel.CALL_TASK:
            # A task is not a contact: the agent asks `contactCheck` before calling.
            return Decision(Outcome.SEND, (), "", "", reason="call tasks are checked when the agent calls")
        request = contact_request(j.debtor, policy_channel, now, tuple(d.id for d in j.debts))
        point = contact_point(j.debtor, policy_channel)
        lookback = self.deps.policies.lookback(j.debtor.jurisdiction)
        history = self.deps.messages.contact_history(j.tenant.id, j.debtor.id, now - lookback)
        decision = self.deps.policies.evaluate(request, history)
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

    def _defer(
        self, j: _Job, message: Message, decision: Decision, claims: list[SendClaim]
    ) -> DispatchResult:
        now = self.deps.clock.now()
        until = decision.until or now + timedelta(hours=1)
        stale_after = datetime.combine(j.job.occurrence, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(
            days=j.campaign.staleness_days + 1
        )
        if until > stale_after:
            message.status, message.error_code = MessageStatus.SKIPPED, "STALE_STEP"
            message.error = f"the next lawful moment ({until.isoformat()}) is past the campaign's staleness"
            claimed = self._claim(message, claims)
            if isinstance(claimed, DispatchResult):
                return claimed
            self._count(message, CampaignStats(skipped=1))
            return DispatchResult(
                "SKIPPED", message.channel.value, message.id, decision.rule_ids, message.error
            )
        self._requeue(j.job, int((until - now).total_seconds()) + 1)
        return DispatchResult(
            "DEFERRED", message.channel.value, message.id, decision.rule_ids, decision.reason
        )

    def _requeue(self, job: SendJob, delay_seconds: int, attempt: int | None = None) -> None:
        if self.deps.queue is None:
            raise RuntimeError("the dispatcher needs a job queue to put jobs back")
        again = replace(job, attempt=job.attempt if attempt is None else attempt)
        self.deps.queue.enqueue([again], delay_seconds=max(1, min(900, delay_seconds)))

    def _context(self, j: _Job, locale: str) -> MessageContext:
        today = local_date(self.deps.clock.now(), j.debtor.time_zone)
        lines = tuple(
            DebtLine(
                d.id,
                d.number or d.external_id,
                d.description,
                d.currency,
                d.original_amount,
                d.balance,
                d.due_date,
                (today - d.due_date).days,
            )
            for d in j.debts
        )
        return MessageContext(
            locale=locale,
            debtor_name=j.debtor.name,
            creditor_name=j.tenant.name,
            debts=lines,
            today=today,
            payment_link=j.campaign.payment_link,
            payment_instructions=j.campaign.payment_instructions,
        )

    def _template(self, tenant: str, template_id: str) -> MessageTemplate | None:
        return self.deps.campaigns.get_template(tenant, template_id)

    def _send(self, j: _Job, message: Message, template_id: str, claims: list[SendClaim]) -> DispatchResult:
        template = self._template(j.tenant.id, template_id)
        locale = debtor_locale(j.debtor, j.tenant.locale)
        body = template.variant(locale, j.tenant.locale) if template else None
        point = contact_point(j.debtor, POLICY_CHANNEL[message.channel])
        if body is None or point is None:
            return self._fail_claimed(
                message, claims, "NO_TEMPLATE", "the step's template has no variant for this debtor"
            )
        policy = self.deps.policies.policy_for(j.debtor.jurisdiction, self.deps.clock.now())
        unsubscribe = (
            self.deps.unsubscribe_url(j.tenant.id, j.debtor.id) if self.deps.unsubscribe_url else None
        )
        try:
            rendered = render(
                body,
                self._context(j, body.locale),
                opt_out_notice=policy.requires_opt_out_notice(POLICY_CHANNEL[message.channel]),
                unsubscribe_mailto=j.tenant.sender_email,
                unsubscribe_url=unsubscribe,
                opt_out_keyword=(policy.opt_out_keywords or ("BAJA",))[0].upper(),
            )
        except DomainError as err:
            return self._fail_claimed(message, claims, "RENDER_FAILED", str(err))
        message.locale, message.to = body.locale, point.value
        message.subject, message.text, message.html = (
            rendered.subject,
            rendered.preview or rendered.text,
            rendered.html,
        )
        message.status, message.attempts = MessageStatus.SENDING, 1
        claimed = self._claim(message, claims)  # SENDING is the marker a crash leaves: never sent twice
        if isinstance(claimed, DispatchResult):
            return claimed
        message = claimed
        outgoing = OutgoingMessage(
            channel=_SEND_CHANNEL[message.channel],
            to=point.value,
            reference=message.id,
            tenant=j.tenant.id,
            sender=j.tenant.sender_email
            if message.channel is TemplateChannel.EMAIL
            else j.tenant.sms_sender_id,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            headers=dict(rendered.headers),
            whatsapp_template=rendered.whatsapp_template,
            whatsapp_language=rendered.whatsapp_language,
            whatsapp_params=rendered.whatsapp_params,
        )
        sender = self.deps.senders.get(outgoing.channel)
        if sender is None:
            return self._fail(message, "NO_PROVIDER", f"no provider configured for {outgoing.channel.value}")
        try:
            receipt = sender.send(outgoing)
        except TransientSendError as err:
            return self._retry(j, message, err)
        except PermanentSendError as err:
            if err.code == "OPTED_OUT":
                self._mark_opted_out(j.debtor, point.value)
            return self._fail(message, err.code or "REJECTED", str(err))
        now = self.deps.clock.now()
        message.status, message.sent_at, message.updated_at = MessageStatus.SENT, now, now
        message.provider, message.provider_message_id = receipt.provider, receipt.provider_message_id
        contact = ContactRecord(
            channel=POLICY_CHANNEL[message.channel],
            at=now,
            kind=AttemptKind.CONTACT,
            debt_ids=tuple(message.debt_ids),
            address=point.value,
        )
        self._save(message, contact)
        self._count(message, CampaignStats(sent=1))
        return DispatchResult("SENT", message.channel.value, message.id)

    def _retry(self, j: _Job, message: Message, err: TransientSendError) -> DispatchResult:
        message.status, message.error_code, message.error = (
            MessageStatus.QUEUED,
            err.code or "THROTTLED",
            str(err),
        )
        if message.attempts >= MAX_ATTEMPTS:
            return self._fail(
                message, err.code or "THROTTLED", f"gave up after {message.attempts} attempts: {err}"
            )
        self._save(message)
        backoff = min(900, int(2**message.attempts * 5 * (1 + random.random())))  # noqa: S311 - jitter only
        self._requeue(j.job, backoff, attempt=j.job.attempt + 1)
        return DispatchResult("RETRY", message.channel.value, message.id, reason=str(err))

    def _fail_claimed(
        self, message: Message, claims: list[SendClaim], code: str, error: str
    ) -> DispatchResult:
        message.status, message.error_code, message.error = MessageStatus.FAILED, code, error
        claimed = self._claim(message, claims)
        if isinstance(claimed, DispatchResult):
            return claimed
        self._count(claimed, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=f"{code}: {error}")

    def _fail(self, message: Message, code: str, error: str) -> DispatchResult:
        message.status, message.error_code, message.error = MessageStatus.FAILED, code, error
        message.updated_at = self.deps.clock.now()
        self._save(message)
        self._count(message, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=f"{code}: {error}")

    def _call_task(self, j: _Job, message: Message, claims: list[SendClaim]) -> DispatchResult:
        now = self.deps.clock.now()
        agent = j.debts[0].assigned_agent_id or j.debtor.assigned_agent_id
        template = self._template(j.tenant.id, j.step.template_id)
        body = (
            template.variant(debtor_locale(j.debtor, j.tenant.locale), j.tenant.locale) if template else None
        )
        script = None
        if body is not None:
            try:
                script = render(body, self._context(j, body.locale)).text
            except DomainError:
                script = None
        message.status = MessageStatus.SENDING
        claimed = self._claim(message, claims)
        if isinstance(claimed, DispatchResult):
            return claimed
        message = claimed
        task = CallTask(
            tenant=j.tenant.id,
            id=message.id,
            debtor_id=j.debtor.id,
            debt_ids=[d.id for d in j.debts],
            agent_id=agent,
            campaign_id=j.campaign.id,
            step_id=j.step.id,
            due_at=now,
            script=script,
            created_at=now,
        )
        self.deps.messages.save_task(task)
        message.status, message.sent_at, message.task_id, message.text = (
            MessageStatus.SENT,
            now,
            task.id,
            script,
        )
        message.to = agent
        self._save(message)
        self._count(message, CampaignStats(sent=1))
        self._notify_agent(j.tenant.id, agent, j.debtor.name, task.id)
        return DispatchResult("SENT", TemplateChannel.CALL_TASK.value, message.id)

    def _notify_agent(self, tenant: str, agent: str | None, debtor_name: str, task_id: str) -> None:
        sender = self.deps.senders.get(SendChannel.PUSH)
        if agent is None or sender is None:
            return
        for device in self.deps.messages.devices_of_agent(tenant, agent):
            try:
                sender.send(
                    OutgoingMessage(
                        channel=SendChannel.PUSH,
                        to=device.endpoint_arn,
                        reference=task_id,
                        tenant=tenant,
                        subject="Nueva gestión",
                        text=f"Llamar a {debtor_name}",
                        data={"taskId": task_id},
                    )
                )
            except (TransientSendError, PermanentSendError):
                continue  # a phone that cannot be reached never fails the task

    # --- bookkeeping -----------------------------------------------------------------------------

    def _save(self, message: Message, contact: ContactRecord | None = None) -> None:
        message.updated_at = self.deps.clock.now()
        # A ConcurrencyConflict means another attempt moved this message: it owns the outcome, and the
        # job fails here (SQS retries it, and the claim makes that retry a no-op or a resume).
        self.deps.messages.save_message(message, message.version, contact)

    def _count(self, message: Message, delta: CampaignStats) -> None:
        if message.campaign_id:
            self.deps.messages.add_stats(message.tenant, message.campaign_id, delta)

    def _mark_opted_out(self, debtor: Debtor, address: str) -> None:
        from domain.campaigns.optouts import mark_address

        mark_address(self.deps, debtor, address, ContactStatus.OPTED_OUT, "SNS reports the number opted out")


def _still_due(debt: Debt, step: Step, occurrence: date) -> bool:
    return (
        debt.state is DebtState.OPEN
        and debt.balance > 0
        and debt.due_date + timedelta(days=step.offset_days) == occurrence
    )
