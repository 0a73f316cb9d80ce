"""What a dispatch works on and what it returns."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.campaigns.model import Campaign, Message, Step
from domain.campaigns.ports import SendClaim, SendJob
from domain.entities import Debt, Debtor, Tenant
from domain.messaging import SendChannel
from domain.templates import TemplateChannel

MAX_ATTEMPTS = 6
"""Provider calls per message before throttling is recorded as a failure."""
MAX_DELAY = 900
"""SQS's longest message delay: longer waits hop (the job comes back and is re-evaluated)."""
NO_CONTACT_POINT = "NO_CONTACT_POINT"
OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"

SEND_CHANNEL = {
    TemplateChannel.EMAIL: SendChannel.EMAIL,
    TemplateChannel.SMS: SendChannel.SMS,
    TemplateChannel.WHATSAPP: SendChannel.WHATSAPP,
}
"""The channels a provider sends (a call task is not sent, it is assigned)."""


@dataclass(frozen=True)
class DispatchResult:
    status: str
    """SENT, BLOCKED, DEFERRED, SKIPPED, FAILED, RETRY or DUPLICATE."""
    channel: str | None = None
    message_id: str | None = None
    rule_ids: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class LoadedJob:
    """A job with everything it names read again: only the debts still due are kept."""

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


class Taken(Exception):
    """Another message claimed some of these debts first: this attempt must not act."""

    def __init__(self, claims: list[SendClaim]) -> None:
        super().__init__(f"{len(claims)} claims already taken")
        self.claims = claims


class TryFallback(Exception):
    """The provider refused the address for good (opted out): the step's fallback channel may work."""


def same_job(j: LoadedJob, owner: Message) -> bool:
    """An earlier attempt of this very job: its message covers every debt still due, and nothing that
    was not in the job."""
    return {d.id for d in j.debts} <= set(owner.debt_ids) <= set(j.job.debt_ids)


def amount(debts: list[Debt]) -> Decimal | None:
    """The listed balance, in the one currency of the debts (None if they were ever mixed)."""
    if len({d.currency for d in debts}) != 1:
        return None
    return sum((d.balance for d in debts), Decimal(0))
