"""Step 4: render, record SENDING, call the provider, and record SENT with the provider's id and the
contact-history entry in one transaction. Throttling goes back to QUEUED and retries with backoff; a
permanent refusal is recorded (an opted-out number is marked so, and the fallback channel tried)."""

from __future__ import annotations

import math
import random

from domain.campaigns.contact_points import POLICY_CHANNEL
from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.job import (
    MAX_ATTEMPTS,
    MAX_DELAY,
    OUTCOME_UNKNOWN,
    SEND_CHANNEL,
    DispatchResult,
    LoadedJob,
    TryFallback,
)
from domain.campaigns.dispatch.records import Records
from domain.campaigns.dispatch.rendering import render_job
from domain.campaigns.dispatch.requeue import requeue
from domain.campaigns.model import CampaignStats, Message, MessageStatus
from domain.entities import ContactPoint, ContactStatus
from domain.errors import ConcurrencyConflict
from domain.messaging import OutgoingMessage, PermanentSendError, SendChannel, TransientSendError
from domain.policy import AttemptKind, ContactRecord


class Sending:
    def __init__(self, deps: EngineDeps, records: Records, rng: random.Random) -> None:
        self.deps, self.records, self._rng = deps, records, rng

    def send(
        self, j: LoadedJob, message: Message, template_id: str, point: ContactPoint, can_fall_back: bool
    ) -> DispatchResult:
        channel = SEND_CHANNEL[message.channel]
        sender = self.deps.senders.get(channel)
        if sender is None:
            return self.fail(j, message, "NO_PROVIDER", f"no provider is configured for {channel}")
        result = render_job(self.deps, self.records.batch, j, template_id, message.channel)
        if isinstance(result, str):
            return self.fail(j, message, "TEMPLATE", result)
        rendered, message.locale = result
        message.subject, message.html = rendered.subject, rendered.html
        message.text = rendered.preview or rendered.text
        message.status, message.attempts = MessageStatus.SENDING, message.attempts + 1
        self.records.record(j, message)  # the marker a crash leaves behind: never sent twice
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
            return self.retry(j, message, err)
        except PermanentSendError as err:
            return self.refused(j, message, point, err, can_fall_back)
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
        self.records.save_sent(message, contact, CampaignStats(sent=1), self.sent_after_all)
        return DispatchResult("SENT", message.channel.value, message.id)

    def sent_after_all(self, sent: Message) -> DispatchResult:
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
        self.records.save(sent)
        self.records.count(sent, CampaignStats(sent=1, failed=-1))
        return DispatchResult("SENT", sent.channel.value, sent.id)

    def retry(self, j: LoadedJob, message: Message, err: TransientSendError) -> DispatchResult:
        code = err.code or "THROTTLED"
        if message.attempts >= MAX_ATTEMPTS:
            return self.fail(j, message, code, f"gave up after {message.attempts} attempts: {err}")
        # The provider did not take it: back to QUEUED, and the job comes back after a backoff.
        message.status, message.error_code, message.error = MessageStatus.QUEUED, code, str(err)
        self.records.save(message)
        ceiling = min(MAX_DELAY, 20 * 2 ** (message.attempts - 1))
        delay = math.ceil(ceiling / 2 + self._rng.uniform(0, ceiling / 2))
        requeue(self.deps, j.job, delay, j.job.attempt + 1)
        return DispatchResult("RETRY", message.channel.value, message.id, reason=str(err))

    def refused(
        self,
        j: LoadedJob,
        message: Message,
        point: ContactPoint,
        err: PermanentSendError,
        can_fall_back: bool,
    ) -> DispatchResult:
        code = err.code or "REJECTED"
        if code != "OPTED_OUT":
            return self.fail(j, message, code, str(err))
        from domain.campaigns.optouts import mark_address

        reason = f"the {message.channel} provider reports {point.value} opted out"
        mark_address(self.deps, j.debtor, point.value, ContactStatus.OPTED_OUT, reason)
        j.debtor = self.deps.ledger.get_debtor(j.tenant.id, j.debtor.id) or j.debtor
        self.records.batch.debtor_changed(j.debtor)
        if not can_fall_back:
            return self.fail(j, message, code, str(err))
        # Not sent: back to QUEUED (a crash from here on resumes it), then the fallback channel.
        message.status, message.error_code, message.error = MessageStatus.QUEUED, code, reason
        self.records.save(message)
        raise TryFallback

    def fail(self, j: LoadedJob, message: Message, code: str, error: str) -> DispatchResult:
        message.status, message.error_code, message.error = MessageStatus.FAILED, code, error
        self.records.record(j, message)
        self.records.count(message, CampaignStats(failed=1))
        return DispatchResult("FAILED", message.channel.value, message.id, reason=f"{code}: {error}")
