"""Ports to the providers that carry messages to debtors and agents (SES, SNS, WhatsApp, push).

The dispatcher builds an `OutgoingMessage`, hands it to the `MessageSender` of its channel and records
the provider's message id. Providers fail in two ways the dispatcher treats differently: a
`TransientSendError` (throttling, a timeout, a 5xx) is retried with backoff; a `PermanentSendError`
(a rejected address, a suppressed recipient, a malformed message) is recorded and never retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class SendChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    PUSH = "PUSH"


@dataclass(frozen=True)
class OutgoingMessage:
    """One message ready for a provider. `to` is an e-mail address, an E.164 number or, for PUSH,
    a platform endpoint ARN. `reference` is our own message id, passed to providers that carry
    metadata (SES message tags, SNS attributes) so feedback can be matched to the message."""

    channel: SendChannel
    to: str
    reference: str
    tenant: str
    sender: str | None = None
    """EMAIL: the From address; SMS: the sender id; WHATSAPP: the origination phone number id."""
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    """EMAIL plain part, SMS body, PUSH alert text."""
    headers: Mapping[str, str] = field(default_factory=dict)
    whatsapp_template: str | None = None
    whatsapp_language: str | None = None
    whatsapp_params: tuple[str, ...] = ()
    data: Mapping[str, str] = field(default_factory=dict)
    """PUSH: the payload's custom data (task id, debtor id)."""


@dataclass(frozen=True)
class SendReceipt:
    provider: str
    """"ses", "sns", "whatsapp" …"""
    provider_message_id: str


class SendError(Exception):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class TransientSendError(SendError):
    """Retry later: throttling, timeouts, provider errors."""


class PermanentSendError(SendError):
    """Never retry: the provider refused this message or recipient."""


class MessageSender(Protocol):
    def send(self, message: OutgoingMessage) -> SendReceipt:
        """Hand the message to the provider. Raises TransientSendError or PermanentSendError."""
        ...


class FeedbackKind(StrEnum):
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"
    """A permanent bounce: the address is invalid."""
    SOFT_BOUNCED = "SOFT_BOUNCED"
    COMPLAINED = "COMPLAINED"
    """The recipient marked the mail as spam: treated as an opt-out of that address."""
    REJECTED = "REJECTED"
    """The provider refused the message itself (SES Reject: a virus); the address is not at fault."""
    OPT_OUT = "OPT_OUT"
    """An inbound STOP / BAJA / ALTO …"""
    INBOUND = "INBOUND"
    """Any other inbound text (kept as an interaction)."""


@dataclass(frozen=True)
class Feedback:
    """What a provider told us about a message or an address, normalised."""

    kind: FeedbackKind
    channel: SendChannel
    address: str
    """The recipient's e-mail address or E.164 number."""
    at_iso: str
    provider_message_id: str | None = None
    reference: str | None = None
    tenant: str | None = None
    detail: str = ""
    text: str | None = None
