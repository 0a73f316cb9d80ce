"""Templates and what they render into: plain dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.errors import ErrorCode


class TemplateChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"
    CALL_TASK = "CALL_TASK"


@dataclass(frozen=True)
class TemplateBody:
    """One locale's text of a template. Which parts are required depends on the channel."""

    channel: TemplateChannel
    locale: str
    subject: str | None = None
    """EMAIL (required)."""
    html: str | None = None
    """EMAIL (required)."""
    text: str | None = None
    """EMAIL plain part, SMS body, CALL_TASK script (required for those)."""
    whatsapp_template: str | None = None
    """WHATSAPP: the name of the template approved at the provider (required)."""
    whatsapp_language: str | None = None
    """WHATSAPP: the provider's language code, e.g. `es_PE` (defaults from the locale)."""
    whatsapp_params: tuple[str, ...] = ()
    """WHATSAPP: one Jinja expression per positional body parameter, e.g. `debtor_name`."""
    preview_text: str | None = None
    """WHATSAPP: the approved text with `{{1}}`… placeholders, for previews and records."""


@dataclass(frozen=True)
class TemplateProblem:
    field: str
    code: ErrorCode
    message: str


@dataclass(frozen=True)
class DebtLine:
    debt_id: str
    number: str | None
    description: str | None
    currency: str
    original_amount: Decimal
    balance: Decimal
    due_date: date
    days_past_due: int


@dataclass(frozen=True)
class MessageContext:
    """The facts a message may mention. `debts` holds one line, or several for a consolidated message
    (all in one currency: callers group by currency)."""

    locale: str
    debtor_name: str
    creditor_name: str
    debts: tuple[DebtLine, ...]
    today: date
    payment_link: str | None = None
    payment_instructions: str | None = None
    agent_name: str | None = None


@dataclass(frozen=True)
class RenderedMessage:
    channel: TemplateChannel
    subject: str | None
    html: str | None
    text: str | None
    whatsapp_template: str | None
    whatsapp_language: str | None
    whatsapp_params: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)
    sms_encoding: str | None = None
    sms_segments: int | None = None
    preview: str = ""
