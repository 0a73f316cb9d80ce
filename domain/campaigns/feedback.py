"""What providers tell us after sending, and opt-outs by hand (`debtorOptOut`).

SES deliveries mark the message DELIVERED; permanent bounces mark it BOUNCED and the e-mail INVALID;
complaints opt the e-mail out. An inbound SMS that says STOP, BAJA, ALTO … (the whole text or its first
word, case and accents ignored) opts that number out for every debtor, of every tenant, that was texted
at it: the inbound message names only the sender's number, so the message store keeps a registry of
the numbers texted. Applying the same feedback twice changes nothing more.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStats, Message, MessageStatus
from domain.campaigns.optouts import mark_address
from domain.entities import AuditEntry, Channel, ContactStatus, Debtor
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, NotFound
from domain.messaging import Feedback, FeedbackKind
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.snapshot import snapshot

OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "baja", "alto", "cancelar", "unsubscribe", "cancel", "end", "quit"}
)
"""Honoured everywhere, whatever the jurisdiction's own list (Reg. F names stop, unsubscribe, end, quit
and cancel; Spanish speakers answer BAJA, ALTO, CANCELAR)."""
OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"


class OptOutScope(StrEnum):
    ADDRESS = "ADDRESS"
    """One address (an e-mail or a number)."""
    CHANNEL = "CHANNEL"
    """A whole medium (every address of that channel)."""
    ALL = "ALL"
    """Stop all contact."""


@dataclass
class FeedbackSummary:
    delivered: int = 0
    bounced: int = 0
    opted_out: int = 0
    ignored: int = 0


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return re.findall(r"[a-z0-9]+", plain)


def is_opt_out(text: str | None) -> bool:
    """The whole message or its first word is an opt-out keyword, case, accents and punctuation
    ignored: "BAJA", "¡Baja!", "Stop please" are; "no me den de baja" and "no me interesa" are not."""
    words = _words(text or "")
    return bool(words) and words[0] in OPT_OUT_WORDS


class DeliveryFeedback:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def apply(self, feedbacks: list[Feedback]) -> FeedbackSummary:
        summary = FeedbackSummary()
        for feedback in feedbacks:
            inbound_stop = feedback.kind is FeedbackKind.INBOUND and is_opt_out(feedback.text)
            if inbound_stop or feedback.kind is FeedbackKind.OPT_OUT:
                summary.opted_out += self._opt_out_number(feedback.address)
            elif feedback.kind in (FeedbackKind.DELIVERED, FeedbackKind.BOUNCED, FeedbackKind.COMPLAINED):
                self._message_feedback(feedback, summary)
            else:
                summary.ignored += 1
        return summary

    # --- provider feedback -----------------------------------------------------------------------

    def _find(self, feedback: Feedback) -> Message | None:
        """By the provider's id, else by our reference (our message id, echoed back in SES tags)."""
        for key in (feedback.provider_message_id, feedback.reference):
            if key:
                message = self.deps.messages.find_by_provider_id(feedback.tenant, key)
                if message is not None:
                    return message
        return None

    def _message_feedback(self, feedback: Feedback, summary: FeedbackSummary) -> None:
        message = self._find(feedback)
        if message is None:
            summary.ignored += 1
            return
        if feedback.kind is FeedbackKind.DELIVERED:
            self._set_status(message, feedback, MessageStatus.DELIVERED)
            summary.delivered += 1
            return
        if feedback.kind is FeedbackKind.BOUNCED:
            self._set_status(message, feedback, MessageStatus.BOUNCED)
        status = ContactStatus.INVALID if feedback.kind is FeedbackKind.BOUNCED else ContactStatus.OPTED_OUT
        debtor = self.deps.ledger.get_debtor(message.tenant, message.debtor_id)
        if debtor is None:
            return
        address = feedback.address or message.to or ""
        why = f"{feedback.kind.value.lower()}: {feedback.detail}".strip(": ")
        if mark_address(self.deps, debtor, address, status, why):
            if status is ContactStatus.INVALID:
                summary.bounced += 1
            else:
                summary.opted_out += 1

    def _set_status(self, message: Message, feedback: Feedback, status: MessageStatus) -> None:
        """SENT → DELIVERED or BOUNCED (a bounce may also follow a delivery); a message whose outcome was
        unknown learns it here. Anything else (already so, blocked, never sent) is left alone."""
        for _ in range(3):
            unknown = message.status is MessageStatus.FAILED and message.error_code == OUTCOME_UNKNOWN
            allowed = {MessageStatus.SENT}
            if status is MessageStatus.BOUNCED:
                allowed.add(MessageStatus.DELIVERED)
            if not unknown and message.status not in allowed:
                return
            now = self.deps.clock.now()
            delta = (
                CampaignStats(delivered=1) if status is MessageStatus.DELIVERED else CampaignStats(failed=1)
            )
            if unknown:
                message.error_code = message.error = None
                message.sent_at = message.sent_at or message.updated_at
                message.provider_message_id = message.provider_message_id or feedback.provider_message_id
                delta.sent, delta.failed = 1, delta.failed - 1
            message.status, message.updated_at = status, now
            if status is MessageStatus.DELIVERED:
                message.delivered_at = now
            try:
                self.deps.messages.save_message(message, message.version)
            except ConcurrencyConflict:
                fresh = self.deps.messages.get_message(message.tenant, message.debtor_id, message.id)
                if fresh is None:
                    return
                message = fresh
                continue
            if message.campaign_id:
                self.deps.messages.add_stats(message.tenant, message.campaign_id, delta)
            return

    def _opt_out_number(self, number: str) -> int:
        marked = 0
        for tenant, debtor_id in self.deps.messages.debtors_by_address(number):
            debtor = self.deps.ledger.get_debtor(tenant, debtor_id)
            if debtor is not None:
                why = "inbound opt-out keyword"
                marked += mark_address(self.deps, debtor, number, ContactStatus.OPTED_OUT, why)
        return marked

    # --- by hand -----------------------------------------------------------------------------------

    def opt_out(
        self,
        principal: Principal,
        debtor_id: str,
        scope: OptOutScope,
        channel: Channel | None = None,
        address: str | None = None,
    ) -> Debtor:
        """`debtorOptOut`: one address, a whole channel, or all contact (agents: their debtors only).
        Audited; asking again for what is already so changes nothing."""
        principal.require(Action.DEBTOR_OPT_OUT)
        debtor = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        if scope is OptOutScope.ADDRESS:
            if not address or not any(
                c.value.casefold() == address.strip().casefold() for c in debtor.contacts
            ):
                raise DomainError(ErrorCode.NOT_FOUND, "the debtor has no such address", "address")
            reason = "opted out by hand"
            mark_address(
                self.deps,
                debtor,
                address.strip(),
                ContactStatus.OPTED_OUT,
                reason,
                principal.sub,
                principal.role,
            )
            return self.deps.ledger.get_debtor(principal.tenant, debtor_id) or debtor
        if scope is OptOutScope.CHANNEL and channel is None:
            raise DomainError(ErrorCode.REQUIRED, "a channel opt-out needs the channel", "channel")
        current: Debtor | None = debtor
        for _ in range(5):
            if current is None:
                raise NotFound("debtor", "debtorId")
            if not self._changes(current, scope, channel):
                return current
            try:
                self.deps.ledger.commit(
                    principal.tenant, self._opt_out_tx(principal, current, scope, channel)
                )
                return current
            except ConcurrencyConflict:
                current = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
        raise ConcurrencyConflict(f"debtor {debtor_id} keeps changing")

    @staticmethod
    def _changes(debtor: Debtor, scope: OptOutScope, channel: Channel | None) -> bool:
        """Whether this opt-out changes anything."""
        if scope is OptOutScope.ALL:
            return not debtor.opted_out_all
        return channel is not None and channel not in debtor.opted_out_channels

    def _opt_out_tx(
        self, principal: Principal, debtor: Debtor, scope: OptOutScope, channel: Channel | None
    ) -> Transaction:
        fields = ("opted_out_channels", "opted_out_all")
        before = snapshot(debtor)
        if scope is OptOutScope.ALL:
            debtor.opted_out_all = True
        elif channel is not None:
            debtor.opted_out_channels.append(channel)
        now = self.deps.clock.now()
        debtor.updated_at = now
        after = snapshot(debtor)
        tx = Transaction()
        tx.save(debtor)
        tx.audits.append(
            AuditEntry(
                tenant=principal.tenant,
                id=self.deps.ids.new_id(),
                entity_type="Debtor",
                entity_id=debtor.id,
                action="debtorOptOut",
                actor=principal.sub,
                actor_role=principal.role.value,
                at=now,
                before={k: before.get(k) for k in fields},
                after={**{k: after.get(k) for k in fields}, "scope": scope.value},
            )
        )
        return tx
