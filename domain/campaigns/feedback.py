"""What providers tell us after sending, and opt-outs by hand (`debtorOptOut`).

SES bounces mark the e-mail INVALID, complaints mark it OPTED_OUT, deliveries mark the message
DELIVERED; an inbound SMS saying STOP, BAJA, ALTO … opts that number out for every debtor (of every
tenant) that was texted at it. Applying the same feedback twice changes nothing more.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStats, MessageStatus
from domain.campaigns.optouts import mark_address
from domain.entities import Channel, ContactStatus, Debtor
from domain.errors import DomainError, ErrorCode, NotFound
from domain.messaging import Feedback, FeedbackKind
from domain.ports import Transaction
from domain.principal import Action, Principal
from domain.snapshot import snapshot

OPT_OUT_WORDS = frozenset(
    {"stop", "baja", "alto", "cancelar", "unsubscribe", "cancel", "end", "quit", "stopall"}
)


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


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def is_opt_out(text: str | None) -> bool:
    """The whole message or its first word is an opt-out keyword (case and accents ignored): a reply
    "no me interesa, gracias" is not one, "BAJA" or "Stop please" is."""
    words = _plain(text or "").replace(".", " ").replace("!", " ").split()
    return bool(words) and (words[0] in OPT_OUT_WORDS or " ".join(words) in OPT_OUT_WORDS)


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

    def _message_feedback(self, feedback: Feedback, summary: FeedbackSummary) -> None:
        message = None
        if feedback.provider_message_id:
            message = self.deps.messages.find_by_provider_id(feedback.tenant, feedback.provider_message_id)
        if message is None:
            summary.ignored += 1
            return
        now = self.deps.clock.now()
        status = {
            FeedbackKind.DELIVERED: MessageStatus.DELIVERED,
            FeedbackKind.BOUNCED: MessageStatus.BOUNCED,
        }.get(feedback.kind)
        if status is not None and message.status in (MessageStatus.SENT, MessageStatus.FAILED):
            message.status, message.updated_at = status, now
            if status is MessageStatus.DELIVERED:
                message.delivered_at = now
            self.deps.messages.save_message(message, message.version)
            if message.campaign_id:
                delta = (
                    CampaignStats(delivered=1)
                    if status is MessageStatus.DELIVERED
                    else CampaignStats(failed=1)
                )
                self.deps.messages.add_stats(message.tenant, message.campaign_id, delta)
        debtor = self.deps.ledger.get_debtor(message.tenant, message.debtor_id)
        if debtor is None:
            return
        if feedback.kind is FeedbackKind.BOUNCED:
            summary.bounced += mark_address(
                self.deps, debtor, feedback.address, ContactStatus.INVALID, feedback.detail
            )
        elif feedback.kind is FeedbackKind.COMPLAINED:
            summary.opted_out += mark_address(
                self.deps, debtor, feedback.address, ContactStatus.OPTED_OUT, "complaint: " + feedback.detail
            )
        else:
            summary.delivered += 1

    def _opt_out_number(self, number: str) -> int:
        marked = 0
        for tenant, debtor_id in self.deps.messages.debtors_by_address(number):
            debtor = self.deps.ledger.get_debtor(tenant, debtor_id)
            if debtor is not None:
                marked += mark_address(
                    self.deps, debtor, number, ContactStatus.OPTED_OUT, "inbound opt-out keyword"
                )
        return marked

    def opt_out(
        self,
        principal: Principal,
        debtor_id: str,
        scope: OptOutScope,
        channel: Channel | None = None,
        address: str | None = None,
    ) -> Debtor:
        """`debtorOptOut`: one address, a whole channel, or all contact (agents: their debtors only)."""
        principal.require(Action.DEBTOR_OPT_OUT)
        debtor = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
        if debtor is None or not principal.sees_agent(debtor.assigned_agent_id):
            raise NotFound("debtor", "debtorId")
        if scope is OptOutScope.ADDRESS:
            if not address or not any(c.value.casefold() == address.casefold() for c in debtor.contacts):
                raise DomainError(ErrorCode.NOT_FOUND, "the debtor has no such address", "address")
            mark_address(
                self.deps,
                debtor,
                address,
                ContactStatus.OPTED_OUT,
                "opted out by hand",
                principal.sub,
                principal.role,
            )
            return self.deps.ledger.get_debtor(principal.tenant, debtor_id) or debtor
        if scope is OptOutScope.CHANNEL and channel is None:
            raise DomainError(ErrorCode.REQUIRED, "a channel opt-out needs the channel", "channel")
        before = snapshot(debtor)
        if scope is OptOutScope.ALL:
            debtor.opted_out_all = True
        elif channel is not None and channel not in debtor.opted_out_channels:
            debtor.opted_out_channels.append(channel)
        tx = Transaction()
        debtor.updated_at = self.deps.clock.now()
        tx.save(debtor)
        from domain.entities import AuditEntry

        tx.audits.append(
            AuditEntry(
                principal.tenant,
                self.deps.ids.new_id(),
                "Debtor",
                debtor.id,
                "debtorOptOut",
                principal.sub,
                principal.role.value,
                self.deps.clock.now(),
                {k: before.get(k) for k in ("opted_out_channels", "opted_out_all")},
                {k: snapshot(debtor).get(k) for k in ("opted_out_channels", "opted_out_all")},
            )
        )
        self.deps.ledger.commit(principal.tenant, tx)
        return debtor
