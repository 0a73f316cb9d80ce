"""Inputs of the reminder engine's mutations (one `input:` each)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.campaigns import feedback
from schema.campaigns.types import MessageStatus, StepChannel, StepTrigger
from schema.common import DecimalInput
from schema.types import Channel


@strawberry.input(description="Which debts a campaign takes; omitted criteria match everything.")
class SegmentInput:
    portfolio_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    currency: str | None = None
    min_balance: DecimalInput | None = None
    max_balance: DecimalInput | None = None
    min_days_past_due: int | None = None
    max_days_past_due: int | None = None
    risk_bands: list[str] = strawberry.field(default_factory=list)
    tags: list[str] = strawberry.field(default_factory=list)


@strawberry.input(
    description="A step: channel and template at a day offset from the due date, or on an event."
)
class StepInput:
    offset_days: int | None = strawberry.field(
        default=None, description="Days from the due date; required unless `trigger` is given."
    )
    channel: StepChannel  # type: ignore[valid-type]
    template_id: strawberry.ID
    fallback_channel: StepChannel | None = None  # type: ignore[valid-type]
    fallback_template_id: strawberry.ID | None = None
    send_time: str | None = strawberry.field(default=None, description="Local HH:MM in the debtor's zone.")
    id: str | None = strawberry.field(default=None, description="Keep a step's id across updates.")
    trigger: StepTrigger | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Fire on this event instead of a day offset (one step per trigger)."
    )


@strawberry.input
class CampaignCreateInput:
    name: str
    priority: int = 0
    description: str | None = None
    segment: SegmentInput | None = None
    steps: list[StepInput] = strawberry.field(default_factory=list)
    locales: list[str] | None = strawberry.field(default=None, description="Default: the tenant's locale.")
    default_send_time: str | None = strawberry.field(default=None, description="Local HH:MM (default 09:00).")
    staleness_days: int | None = None
    payment_link: str | None = None
    payment_instructions: str | None = None


@strawberry.input(description="Omitted fields keep their value; `steps` replaces every step.")
class CampaignUpdateInput:
    id: strawberry.ID
    name: str | None = None
    priority: int | None = None
    description: str | None = None
    segment: SegmentInput | None = None
    steps: list[StepInput] | None = None
    locales: list[str] | None = None
    default_send_time: str | None = None
    staleness_days: int | None = None
    payment_link: str | None = None
    payment_instructions: str | None = None


@strawberry.input
class CampaignIdInput:
    id: strawberry.ID


@strawberry.input(description="One locale's text; the parts a channel needs are checked at save.")
class TemplateVariantInput:
    locale: str
    subject: str | None = None
    html: str | None = None
    text: str | None = None
    whatsapp_template: str | None = None
    whatsapp_language: str | None = None
    whatsapp_params: list[str] = strawberry.field(default_factory=list)
    preview_text: str | None = None


@strawberry.input
class TemplateCreateInput:
    name: str
    channel: StepChannel  # type: ignore[valid-type]
    variants: list[TemplateVariantInput]
    description: str | None = None


@strawberry.input(description="Omitted fields keep their value; `variants` replaces every variant.")
class TemplateUpdateInput:
    id: strawberry.ID
    name: str | None = None
    description: str | None = None
    variants: list[TemplateVariantInput] | None = None


@strawberry.input
class TemplatePreviewInput:
    template_id: strawberry.ID
    debt_id: strawberry.ID
    locale: str | None = None


@strawberry.input(description="May this debtor be contacted on this channel at this instant (default now)?")
class ContactCheckInput:
    debtor_id: strawberry.ID
    channel: Channel  # type: ignore[valid-type]
    at: datetime | None = None


@strawberry.input
class CampaignSimulateInput:
    campaign_id: strawberry.ID
    at: datetime
    first: int = 50


@strawberry.input
class MessageFilter:
    status: MessageStatus | None = None  # type: ignore[valid-type]
    channel: StepChannel | None = None  # type: ignore[valid-type]
    campaign_id: strawberry.ID | None = None
    debtor_id: strawberry.ID | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


OptOutScope = strawberry.enum(
    feedback.OptOutScope,
    description="ADDRESS (one e-mail or number), CHANNEL (a whole medium) or ALL contact.",
)


@strawberry.input
class DebtorOptOutInput:
    debtor_id: strawberry.ID
    scope: OptOutScope  # type: ignore[valid-type]
    channel: Channel | None = None  # type: ignore[valid-type]
    address: str | None = None


@strawberry.input
class AgentDeviceRegisterInput:
    token: str
    platform: str = strawberry.field(description="ANDROID or IOS.")
    agent_id: str | None = strawberry.field(default=None, description="Supervisors register for an agent.")


@strawberry.input(description="Send the daily campaign digest to an e-mail (SNS asks to confirm) or a phone.")
class CampaignDigestSubscribeInput:
    protocol: str = strawberry.field(description="EMAIL or SMS.")
    endpoint: str = strawberry.field(description="The e-mail address or phone number.")
