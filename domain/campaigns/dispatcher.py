"""The dispatcher: a send job becomes one lawful, rendered message, sent at most once.

1. Re-read everything (tenant, debtor, debts, campaigns, templates): a debt paid, disputed, written off
   or re-dated since planning, or whose campaign is no longer active, drops out; nothing left, nothing
   is sent.
2. Look for the job's claim (one GetItem). A message that owns it: QUEUED (an attempt stopped before
   the provider, or was throttled) is resumed; SENDING (an attempt stopped after the provider may have
   accepted) is never sent again but recorded FAILED / OUTCOME_UNKNOWN; anything else makes this a
   duplicate job. Debts claimed by a message of another grouping are left to it.
3. Ask the contact policy with the debtor's history as it is now. BLOCK is recorded with the rule ids
   (proof of compliance) and tries the step's fallback channel when the block is about the address;
   DEFER puts the job back until the window opens (SQS delays hop 15 minutes at a time) or records it
   skipped when that is past the campaign's staleness.
4. Render in the debtor's locale, record SENDING, call the provider, and record SENT with the
   provider's id and the contact-history entry in one transaction. Throttling goes back to QUEUED and
   retries with backoff; a permanent refusal is recorded (an opted-out number is marked so, and the
   fallback channel tried).

The message and its claims (one per debt, campaign, step and day) are written in one transaction at
the first moment the dispatcher acts: a block or a skip is one write, a send two, a deferral none. A
claim that exists by then (a duplicate racing this one) stops this attempt before it acts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from domain.campaigns.contact_points import POLICY_CHANNEL, debtor_locale
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import (
    CallTask,
    Campaign,
    CampaignStats,
    CampaignStatus,
    Message,
    MessageStatus,
    Step,
)
from domain.campaigns.ports import SendClaim, SendJob
from domain.clock import local_date
from domain.entities import Channel, ContactKind, ContactPoint, ContactStatus, Debt, Debtor, DebtState, Tenant
from domain.errors import ConcurrencyConflict, DomainError
from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from domain.policy import AttemptKind, ContactRecord, ContactRequest, Decision, Outcome
from domain.policy.engine import PRODUCT_INVALID_RULE
from domain.templates import DebtLine, MessageContext, RenderedMessage, TemplateChannel, render

MAX_ATTEMPTS = 6
"""Provider calls per message before throttling is recorded as a failure."""
MAX_DELAY = 900
"""SQS's longest message delay: longer waits hop (the job comes back and is re-evaluated)."""
NO_CONTACT_POINT = "NO_CONTACT_POINT"
OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"

_SEND_CHANNEL = {
    TemplateChannel.EMAIL: SendChannel.EMAIL,
    TemplateChannel.SMS: SendChannel.SMS,
    TemplateChannel.WHATSAPP: SendChannel.WHATSAPP,
}
_KINDS: dict[Channel, tuple[ContactKind, ...]] = {
    Channel.EMAIL: (ContactKind.EMAIL,),
    Channel.SMS: (ContactKind.PHONE,),
    Channel.CALL: (ContactKind.PHONE,),
    Channel.WHATSAPP: (ContactKind.WHATSAPP, ContactKind.PHONE),
}
_PUSH_TEXT = {
    "es": ("Nueva gestión de cobranza", "Tienes una llamada de cobranza asignada."),
    "en": ("New collection task", "A collection call was assigned to you."),
}


@dataclass(frozen=True)
class DispatchResult:
    status: str
    """SENT, BLOCKED, DEFERRED, SKIPPED, FAILED, RETRY or DUPLICATE."""
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

    def claims(self) -> list[SendClaim]:
        """The claims of the debts still in the job (each debt's own campaign, step and day)."""
        ids = {d.id for d in self.debts}
        return [c for c in self.job.claims() if c.debt_id in ids]


class _Taken(Exception):
    """Another message claimed some of these debts first: this attempt must not act."""

    def __init__(self, claims: list[SendClaim]) -> None:
        super().__init__(f"{len(claims)} claims already taken")
        self.claims = claims


class _TryFallback(Exception):
    """The provider refused the address for good (opted out): the step's fallback channel may work."""


def pick_contact_point(debtor: Debtor, channel: Channel) -> ContactPoint | None:
    """The address a channel uses: the first VALID one of the channel's kinds in order (WhatsApp: a
    WhatsApp number, else a phone), primary first; else the best unusable one, so the policy reports
    why (opted out, invalid); None when the debtor has no address of those kinds at all."""
    ordered = [
        point
        for kind in _KINDS.get(channel, ())
        for point in sorted((c for c in debtor.contacts if c.kind is kind), key=lambda c: not c.primary)
    ]
    return next((c for c in ordered if c.status is ContactStatus.VALID), ordered[0] if ordered else None)


class Dispatcher:
    def __init__(self, deps: EngineDeps, rng: random.Random | None = None) -> None:
        self.deps = deps
        self._rng = rng or random.Random()  # noqa: S311 - backoff jitter, not security

    def handle(self, job: SendJob) -> DispatchResult:
        """Dispatch one job; safe to call again with the same job (SQS delivers at least once)."""
        loaded = self._load(job)
        if isinstance(loaded, DispatchResult):
            return loaded
        for _ in range(3):
            found = self._existing(loaded)
            if isinstance(found, DispatchResult):
                return found
            try:
                return self._dispatch(loaded, found or self._new_message(loaded))
            except _Taken as taken:
                done = self._after_taken(loaded, taken.claims)
                if done is not None:
                    return done
        return DispatchResult("DUPLICATE", reason="the job's debts keep being claimed by other messages")

    # --- loading and claims ----------------------------------------------------------------------

    def _load(self, job: SendJob) -> _Job | DispatchResult:
        repo, campaigns = self.deps.ledger, self.deps.campaigns
        tenant = repo.get_tenant(job.tenant)
        debtor = repo.get_debtor(job.tenant, job.debtor_id)
        campaign = campaigns.get_campaign(job.tenant, job.campaign_id)
        if tenant is None or debtor is None or campaign is None:
            return DispatchResult("SKIPPED", reason="the tenant, debtor or campaign no longer exists")
        step = campaign.step(job.step_id)
        if step is None or campaign.status is not CampaignStatus.ACTIVE:
            return DispatchResult("SKIPPED", reason="the campaign is not active or the step is gone")
        members = {c.debt_id: c for c in job.claims()}
        found = repo.get_debts(job.tenant, [(job.debtor_id, d) for d in members])
        known: dict[str, Campaign | None] = {campaign.id: campaign}
        debts = []
        for (_, debt_id), debt in found.items():
            claim = members[debt_id]
            if claim.campaign_id not in known:
                known[claim.campaign_id] = campaigns.get_campaign(job.tenant, claim.campaign_id)
            if _still_due(debt, known[claim.campaign_id], claim):
                debts.append(debt)
        if not debts:
            return DispatchResult("SKIPPED", reason="every debt was paid, disputed, written off or re-dated")
        debts.sort(key=lambda d: (d.due_date, d.id))
        return _Job(job, tenant, debtor, debts, campaign, step)

    def _existing(self, j: _Job) -> Message | DispatchResult | None:
        """The message an earlier attempt of this job left (resumed when QUEUED), the end of the job,
        or None to start a new message (for the debts no other grouping owns)."""
        owner = self.deps.messages.message_for_claim(j.tenant.id, j.claims()[0])
        if owner is None:
            return None
        if _same_job(j, owner):
            return self._resume(j, owner)
        return self._leave(j, set(owner.debt_ids))

    def _after_taken(self, j: _Job, taken: list[SendClaim]) -> DispatchResult | None:
        owners: dict[str, Message] = {}
        for claim in taken:
            owner = self.deps.messages.message_for_claim(j.tenant.id, claim)
            if owner is not None:
                owners.setdefault(owner.id, owner)
        if len(owners) == 1 and _same_job(j, next(iter(owners.values()))):
            return None  # a duplicate of this job got there first: look at what it did
        return self._leave(j, {c.debt_id for c in taken})

    def _leave(self, j: _Job, gone: set[str]) -> DispatchResult | None:
        """Another grouping of these debts (a re-planned cycle) owns some of them: leave those to it."""
        j.debts = [d for d in j.debts if d.id not in gone]
        if j.debts:
            return None
        return DispatchResult("DUPLICATE", reason="another message already handled these debts")

    def _resume(self, j: _Job, owner: Message) -> Message | DispatchResult:
        if owner.status is MessageStatus.QUEUED:
            owner.debt_ids, owner.amount = [d.id for d in j.debts], _amount(j.debts)
            return owner
        if owner.status is MessageStatus.SENDING and owner.channel is TemplateChannel.CALL_TASK:
            return self._finish_task(j, owner)  # creating a task again is harmless: same item
        if owner.status is MessageStatus.SENDING:
            return self._outcome_unknown(owner)
        return DispatchResult("DUPLICATE", owner.channel.value, owner.id, reason="already handled")

    def _outcome_unknown(self, message: Message) -> DispatchResult:
        """The provider may have accepted it: never sent again. Counted as a contact all the same (the
        stricter reading); delivery feedback, or the first attempt if it is alive, sets it right."""
        message.status, message.error_code = MessageStatus.FAILED, OUTCOME_UNKNOWN
        message.error = "an attempt stopped after calling the provider; not sent again"
        contact = None
        if message.to and message.channel in _SEND_CHANNEL:
            contact = ContactRecord(
                channel=POLICY_CHANNEL[message.channel],
                at=message.updated_at or self.deps.clock.now(),
                kind=AttemptKind.CONTACT,
                debt_ids=tuple(message.debt_ids),
                address=message.to,
            )
        self._save(message, contact)
        self._count(message, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=OUTCOME_UNKNOWN)

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
            amount=_amount(j.debts),
            created_at=now,
            updated_at=now,
        )

    # --- the policy ------------------------------------------------------------------------------

    def _dispatch(self, j: _Job, message: Message) -> DispatchResult:
        routes = [(j.step.channel, j.step.template_id)]
        if j.step.fallback_channel is not None and j.step.fallback_channel is not j.step.channel:
            routes.append((j.step.fallback_channel, j.step.fallback_template_id or j.step.template_id))
        for index, (channel, template_id) in enumerate(routes):
            last = index == len(routes) - 1
            decision, point = self._decide(j, channel)
            message.channel, message.template_id, message.decision = channel, template_id, decision
            message.to = point.value if point is not None else None
            if decision.outcome is Outcome.BLOCK:
                if not last and self._about_the_address(j, decision):
                    continue
                return self._blocked(j, message, decision)
            if channel is TemplateChannel.CALL_TASK:
                return self._call_task(j, message)  # the agent's own check applies when calling
            if decision.outcome is Outcome.DEFER:
                return self._defer(j, message, decision)
            assert point is not None  # a SEND always has an address (see _decide)
            try:
                return self._send(j, message, template_id, point, can_fall_back=not last)
            except _TryFallback:
                continue
        raise AssertionError("the last route always returns")  # pragma: no cover

    def _decide(self, j: _Job, channel: TemplateChannel) -> tuple[Decision, ContactPoint | None]:
        now = self.deps.clock.now()
        policy_channel = POLICY_CHANNEL[channel]
        point = pick_contact_point(j.debtor, policy_channel)
        request = ContactRequest(
            channel=policy_channel,
            at=now,
            jurisdiction=j.debtor.jurisdiction,
            time_zones=(j.debtor.time_zone,),
            consent=point.consent if point is not None else False,
            contact_status=point.status if point is not None else ContactStatus.INVALID,
            opted_out_channels=frozenset(j.debtor.opted_out_channels),
            opted_out_all=j.debtor.opted_out_all,
            debt_ids=tuple(d.id for d in j.debts),
            address=point.value if point is not None else None,
        )
        lookback = self.deps.policies.lookback(j.debtor.jurisdiction)
        history = self.deps.messages.contact_history(j.tenant.id, j.debtor.id, now - lookback)
        decision = self.deps.policies.evaluate(request, history)
        no_address = point is None and (
            decision.outcome is not Outcome.BLOCK or decision.rule_ids == (PRODUCT_INVALID_RULE,)
        )
        if no_address:
            reason = f"the debtor has no address for {policy_channel}"
            decision = replace(
                decision, outcome=Outcome.BLOCK, until=None, rule_ids=(NO_CONTACT_POINT,), reason=reason
            )
        return decision, point

    def _about_the_address(self, j: _Job, decision: Decision) -> bool:
        """The block is about this channel or address (none, invalid, opted out, no consent, channel
        banned), not about the calendar or the caps: another channel may lawfully go instead."""
        policy = self.deps.policies.policy_for(j.debtor.jurisdiction, self.deps.clock.now())
        rules = {NO_CONTACT_POINT, PRODUCT_INVALID_RULE, policy.opt_out.id, policy.consent.id}
        rules.update(ban.id for ban in policy.channel_bans)
        return bool(decision.rule_ids) and set(decision.rule_ids) <= rules

    def _blocked(self, j: _Job, message: Message, decision: Decision) -> DispatchResult:
        message.status = MessageStatus.BLOCKED
        self._record(j, message)
        self._count(message, CampaignStats(blocked=1, blocked_by_rule=dict.fromkeys(decision.rule_ids, 1)))
        channel = message.channel.value
        return DispatchResult("BLOCKED", channel, message.id, decision.rule_ids, decision.reason)

    def _defer(self, j: _Job, message: Message, decision: Decision) -> DispatchResult:
        now = self.deps.clock.now()
        until = decision.until or now + timedelta(hours=1)
        late = (local_date(until, j.debtor.time_zone) - j.job.occurrence).days
        if late > j.campaign.staleness_days:
            message.status, message.error_code = MessageStatus.SKIPPED, "STALE_STEP"
            message.error = f"the next lawful moment ({until.isoformat()}) is past the campaign's staleness"
            self._record(j, message)
            self._count(message, CampaignStats(skipped=1))
            return DispatchResult(
                "SKIPPED", message.channel.value, message.id, decision.rule_ids, message.error
            )
        self._requeue(j.job, math.ceil((until - now).total_seconds()))
        return DispatchResult(
            "DEFERRED", message.channel.value, message.id, decision.rule_ids, decision.reason
        )

    def _requeue(self, job: SendJob, delay_seconds: int, attempt: int | None = None) -> None:
        if self.deps.queue is None:
            raise RuntimeError("the dispatcher needs a job queue to put jobs back")
        again = replace(job, attempt=job.attempt if attempt is None else attempt)
        self.deps.queue.enqueue([again], delay_seconds=max(1, min(MAX_DELAY, delay_seconds)))

    # --- rendering and the provider --------------------------------------------------------------

    def _render(
        self, j: _Job, template_id: str, channel: TemplateChannel
    ) -> tuple[RenderedMessage, str] | str:
        """The rendered message and the locale it is in, or why it cannot be rendered."""
        template = self.deps.campaigns.get_template(j.tenant.id, template_id)
        locale = debtor_locale(j.debtor, j.tenant.locale)
        body = template.variant(locale, j.tenant.locale) if template else None
        if body is None or body.channel is not channel:
            return f"template {template_id} has no {channel} variant for {locale}"
        policy = self.deps.policies.policy_for(j.debtor.jurisdiction, self.deps.clock.now())
        unsubscribe = (
            self.deps.unsubscribe_url(j.tenant.id, j.debtor.id) if self.deps.unsubscribe_url else None
        )
        try:
            rendered = render(
                body,
                self._context(j, body.locale),
                opt_out_notice=policy.requires_opt_out_notice(POLICY_CHANNEL[channel]),
                unsubscribe_mailto=j.tenant.sender_email,
                unsubscribe_url=unsubscribe,
                # None: the locale's own word (BAJA, STOP), which the feedback worker always honours.
                opt_out_keyword=None,
            )
        except DomainError as err:
            return f"render failed: {err}"
        return rendered, body.locale

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

    def _send(
        self, j: _Job, message: Message, template_id: str, point: ContactPoint, can_fall_back: bool
    ) -> DispatchResult:
        channel = _SEND_CHANNEL[message.channel]
        sender = self.deps.senders.get(channel)
        if sender is None:
            return self._fail(j, message, "NO_PROVIDER", f"no provider is configured for {channel}")
        result = self._render(j, template_id, message.channel)
        if isinstance(result, str):
            return self._fail(j, message, "TEMPLATE", result)
        rendered, message.locale = result
        message.subject, message.html = rendered.subject, rendered.html
        message.text = rendered.preview or rendered.text
        message.status, message.attempts = MessageStatus.SENDING, message.attempts + 1
        self._record(j, message)  # the marker a crash leaves behind: never sent twice
        outgoing = OutgoingMessage(
            channel=channel,
            to=point.value,
            reference=message.id,
            tenant=j.tenant.id,
            sender=j.tenant.sender_email if channel is SendChannel.EMAIL else j.tenant.sms_sender_id,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            headers=dict(rendered.headers),
            whatsapp_template=rendered.whatsapp_template,
            whatsapp_language=rendered.whatsapp_language,
            whatsapp_params=rendered.whatsapp_params,
        )
        try:
            receipt = sender.send(outgoing)
        except TransientSendError as err:
            return self._retry(j, message, err)
        except PermanentSendError as err:
            return self._refused(j, message, point, err, can_fall_back)
        now = self.deps.clock.now()
        message.status, message.sent_at = MessageStatus.SENT, now
        message.error_code = message.error = None
        message.provider, message.provider_message_id = receipt.provider, receipt.provider_message_id
        contact = ContactRecord(
            channel=POLICY_CHANNEL[message.channel],
            at=now,
            kind=AttemptKind.CONTACT,
            debt_ids=tuple(message.debt_ids),
            address=point.value,
        )
        try:
            self._save(message, contact)
        except ConcurrencyConflict:
            return self._sent_after_all(message)
        self._count(message, CampaignStats(sent=1))
        return DispatchResult("SENT", message.channel.value, message.id)

    def _sent_after_all(self, sent: Message) -> DispatchResult:
        """Saving SENT lost a race: a duplicate delivery of the job saw SENDING and recorded the outcome
        as unknown (with its contact entry). We know it now: correct the record, count nothing twice."""
        current = self.deps.messages.get_message(sent.tenant, sent.debtor_id, sent.id)
        if (
            current is None
            or current.status is not MessageStatus.FAILED
            or current.error_code != OUTCOME_UNKNOWN
        ):
            raise ConcurrencyConflict(f"message {sent.id} was changed by another attempt")
        sent.version = current.version
        self._save(sent)
        self._count(sent, CampaignStats(sent=1, failed=-1))
        return DispatchResult("SENT", sent.channel.value, sent.id)

    def _retry(self, j: _Job, message: Message, err: TransientSendError) -> DispatchResult:
        code = err.code or "THROTTLED"
        if message.attempts >= MAX_ATTEMPTS:
            return self._fail(j, message, code, f"gave up after {message.attempts} attempts: {err}")
        # The provider did not take it: back to QUEUED, and the job comes back after a backoff.
        message.status, message.error_code, message.error = MessageStatus.QUEUED, code, str(err)
        self._save(message)
        ceiling = min(MAX_DELAY, 20 * 2 ** (message.attempts - 1))
        self._requeue(j.job, math.ceil(ceiling / 2 + self._rng.uniform(0, ceiling / 2)), j.job.attempt + 1)
        return DispatchResult("RETRY", message.channel.value, message.id, reason=str(err))

    def _refused(
        self, j: _Job, message: Message, point: ContactPoint, err: PermanentSendError, can_fall_back: bool
    ) -> DispatchResult:
        code = err.code or "REJECTED"
        if code != "OPTED_OUT":
            return self._fail(j, message, code, str(err))
        from domain.campaigns.optouts import mark_address

        reason = f"the {message.channel} provider reports {point.value} opted out"
        mark_address(self.deps, j.debtor, point.value, ContactStatus.OPTED_OUT, reason)
        j.debtor = self.deps.ledger.get_debtor(j.tenant.id, j.debtor.id) or j.debtor
        if not can_fall_back:
            return self._fail(j, message, code, str(err))
        # Not sent: back to QUEUED (a crash from here on resumes it), then the fallback channel.
        message.status, message.error_code, message.error = MessageStatus.QUEUED, code, reason
        self._save(message)
        raise _TryFallback

    def _fail(self, j: _Job, message: Message, code: str, error: str) -> DispatchResult:
        message.status, message.error_code, message.error = MessageStatus.FAILED, code, error
        self._record(j, message)
        self._count(message, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=f"{code}: {error}")

    # --- call tasks ------------------------------------------------------------------------------

    def _call_task(self, j: _Job, message: Message) -> DispatchResult:
        """Claim the message (SENDING), put the task, then record it SENT: a crash in between is
        finished by the next attempt (the task is the same item), never left half done."""
        agent = next(
            (d.assigned_agent_id for d in j.debts if d.assigned_agent_id), j.debtor.assigned_agent_id
        )
        message.status, message.to, message.task_id = MessageStatus.SENDING, agent, message.id
        self._record(j, message)
        return self._finish_task(j, message)

    def _finish_task(self, j: _Job, message: Message) -> DispatchResult:
        now = self.deps.clock.now()
        result = self._render(j, message.template_id or j.step.template_id, TemplateChannel.CALL_TASK)
        script = result[0].text if not isinstance(result, str) else None
        task = CallTask(
            tenant=j.tenant.id,
            id=message.id,
            debtor_id=j.debtor.id,
            debt_ids=list(message.debt_ids),
            agent_id=message.to,
            campaign_id=message.campaign_id,
            step_id=message.step_id,
            due_at=j.job.planned_at,  # the job's instant: a retried job writes the same task item
            script=script,
            created_at=message.created_at or now,
        )
        self.deps.messages.save_task(task)
        message.status, message.sent_at, message.task_id, message.text = (
            MessageStatus.SENT,
            now,
            task.id,
            script,
        )
        self._save(message)  # no contact entry: the agent's call is logged when it happens
        self._count(message, CampaignStats(sent=1))
        self._notify_agent(j, task)
        return DispatchResult("SENT", TemplateChannel.CALL_TASK.value, message.id)

    def _notify_agent(self, j: _Job, task: CallTask) -> None:
        sender = self.deps.senders.get(SendChannel.PUSH)
        if task.agent_id is None or sender is None:
            return
        title, text = _PUSH_TEXT.get(j.tenant.locale.split("-")[0].lower(), _PUSH_TEXT["en"])
        for device in self.deps.messages.devices_of_agent(j.tenant.id, task.agent_id):
            # No debtor name on a lock screen: the app fetches the task by id.
            push = OutgoingMessage(
                channel=SendChannel.PUSH,
                to=device.endpoint_arn,
                reference=task.id,
                tenant=j.tenant.id,
                subject=title,
                text=text,
                data={"taskId": task.id},
            )
            try:
                sender.send(push)
            except (TransientSendError, PermanentSendError):
                continue  # a phone that cannot be reached never fails the task

    # --- bookkeeping -----------------------------------------------------------------------------

    def _record(self, j: _Job, message: Message) -> None:
        """The message's first write claims it (with every debt's claim, one transaction); later writes
        are conditional on its version."""
        if message.version:
            self._save(message)
            return
        message.updated_at = self.deps.clock.now()
        taken = self.deps.messages.claim_message(message, j.claims())
        if taken:
            raise _Taken(taken)

    def _save(self, message: Message, contact: ContactRecord | None = None) -> None:
        message.updated_at = self.deps.clock.now()
        # A ConcurrencyConflict means another attempt moved this message: it owns the outcome; the job
        # fails here and SQS retries it, when the claim makes it a no-op or a resume.
        self.deps.messages.save_message(message, message.version, contact)

    def _count(self, message: Message, delta: CampaignStats) -> None:
        if message.campaign_id:
            self.deps.messages.add_stats(message.tenant, message.campaign_id, delta)


def _same_job(j: _Job, owner: Message) -> bool:
    """An earlier attempt of this very job: its message covers every debt still due, and nothing that
    was not in the job."""
    return {d.id for d in j.debts} <= set(owner.debt_ids) <= set(j.job.debt_ids)


def _still_due(debt: Debt, campaign: Campaign | None, claim: SendClaim) -> bool:
    """OPEN with a balance, its campaign active, and the step's day still its due date + offset (a
    changed due date invalidates the jobs planned for the old one)."""
    step = campaign.step(claim.step_id) if campaign is not None else None
    return (
        step is not None
        and campaign is not None
        and campaign.status is CampaignStatus.ACTIVE
        and debt.state is DebtState.OPEN
        and debt.balance > 0
        and step.fires_on(debt, claim.occurrence)
    )


def _amount(debts: list[Debt]) -> Decimal | None:
    """The listed balance, in the one currency of the debts (None if they were ever mixed)."""
    if len({d.currency for d in debts}) != 1:
        return None
    return sum((d.balance for d in debts), Decimal(0))
