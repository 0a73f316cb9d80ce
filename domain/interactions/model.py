"""An interaction (gestión): one contact attempt by an agent, or by the debtor, and its outcome.

What counts toward the contact-policy caps is decided here once: the attempt kind an outcome implies
(`attempt_kind`) and the policy channel of an interaction channel (`policy_channel`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from domain.entities import Channel
from domain.policy import AttemptKind, Decision, Direction, Outcome


class InteractionChannel(StrEnum):
    CALL = "CALL"
    VISIT = "VISIT"
    WHATSAPP = "WHATSAPP"
    EMAIL = "EMAIL"
    SMS = "SMS"
    OTHER = "OTHER"


class InteractionOutcome(StrEnum):
    NO_ANSWER = "NO_ANSWER"
    WRONG_NUMBER = "WRONG_NUMBER"
    LEFT_MESSAGE = "LEFT_MESSAGE"
    PROMISE = "PROMISE"
    REFUSED = "REFUSED"
    DISPUTE = "DISPUTE"
    PAID = "PAID"
    CALLBACK = "CALLBACK"
    OTHER = "OTHER"


_POLICY_CHANNELS = {
    InteractionChannel.CALL: Channel.CALL,
    InteractionChannel.VISIT: Channel.VISIT,
    InteractionChannel.WHATSAPP: Channel.WHATSAPP,
    InteractionChannel.EMAIL: Channel.EMAIL,
    InteractionChannel.SMS: Channel.SMS,
}
_VOICE = frozenset({InteractionChannel.CALL, InteractionChannel.VISIT})
_TALKED = frozenset(
    {
        InteractionOutcome.PROMISE,
        InteractionOutcome.REFUSED,
        InteractionOutcome.DISPUTE,
        InteractionOutcome.PAID,
        InteractionOutcome.CALLBACK,
    }
)
PHONE_CHANNELS = frozenset({InteractionChannel.CALL, InteractionChannel.SMS, InteractionChannel.WHATSAPP})


def policy_channel(channel: InteractionChannel) -> Channel | None:
    """The contact-policy channel; OTHER has none, so it is logged but never counted nor checked."""
    return _POLICY_CHANNELS.get(channel)


def attempt_kind(channel: InteractionChannel, outcome: InteractionOutcome) -> AttemptKind:
    """What the contact history records, which decides the caps it counts for.

    - A call or visit that reached nobody (NO_ANSWER), reached the wrong person (WRONG_NUMBER), or left a
      voicemail/note (LEFT_MESSAGE) is an ATTEMPT: Reg F counts every placed call toward 7-in-7 but a
      limited-content message is not a communication, and CO/CL count attempts anyway (compliance.md).
    - Talking with the debtor (PROMISE, REFUSED, DISPUTE, PAID, CALLBACK) is a CONVERSATION on a call or
      visit (Reg F's 7-day quiet period follows it), and a CONTACT on written channels.
    - A written message that was sent (NO_ANSWER, LEFT_MESSAGE, OTHER) reached its address: CONTACT,
      like the dispatcher's sent reminders; WRONG_NUMBER reached a stranger: ATTEMPT.
    """
    if outcome is InteractionOutcome.WRONG_NUMBER:
        return AttemptKind.ATTEMPT
    if outcome in _TALKED:
        return AttemptKind.CONVERSATION if channel in _VOICE else AttemptKind.CONTACT
    if channel in _VOICE and outcome in (InteractionOutcome.NO_ANSWER, InteractionOutcome.LEFT_MESSAGE):
        return AttemptKind.ATTEMPT
    return AttemptKind.CONTACT


@dataclass(frozen=True)
class PolicyVerdict:
    """The contact policy's decision for an outbound interaction at its `occurred_at` (kept as proof)."""

    outcome: Outcome
    rule_ids: tuple[str, ...]
    policy_id: str
    policy_version: str
    reason: str = ""
    until: datetime | None = None

    @classmethod
    def of(cls, d: Decision) -> PolicyVerdict:
        return cls(d.outcome, tuple(d.rule_ids), d.policy_id, d.policy_version, d.reason, d.until)

    @property
    def allowed(self) -> bool:
        return self.outcome is Outcome.SEND


@dataclass
class Interaction:
    tenant: str
    id: str
    debtor_id: str
    channel: InteractionChannel
    direction: Direction
    outcome: InteractionOutcome
    occurred_at: datetime
    recorded_at: datetime
    logged_by: str
    idempotency_key: str
    debt_ids: tuple[str, ...] = ()
    note: str | None = None
    callback_at: datetime | None = None
    agent_id: str | None = None
    """The agent who logged it (None when a supervisor or admin did)."""
    address: str | None = None
    """The phone number or e-mail used, normalised (E.164 for phones)."""
    verdict: PolicyVerdict | None = None
    """Outbound contacts on a policy channel only; inbound contacts are never checked."""
    kind: AttemptKind = AttemptKind.CONTACT
    version: int = 0
    effects: list[str] = field(default_factory=list)
    """What logging it changed elsewhere (`phone-invalid:<e164>`, `dispute:<debtId>`), not stored."""

    @property
    def violation(self) -> bool:
        """Logged although the contact policy did not allow it at `occurred_at`."""
        return self.verdict is not None and not self.verdict.allowed

    @property
    def ref(self) -> str:
        """`<debtorId>/<occurred ts>/<id>` (ts compact, no colons): where the item lives; the global id
        and the idempotency claim's target."""
        return f"{self.debtor_id}/{self.occurred_at.astimezone(UTC).strftime(_REF_TS)}/{self.id}"


_REF_TS = "%Y%m%dT%H%M%S.%fZ"


def parse_ref(ref: str) -> tuple[str, datetime, str] | None:
    """(debtor id, occurred at, interaction id) of an `Interaction.ref`, or None when malformed."""
    parts = ref.split("/")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        at = datetime.strptime(parts[1], _REF_TS).replace(tzinfo=UTC)
    except ValueError:
        return None
    return parts[0], at, parts[2]
