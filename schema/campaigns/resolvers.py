"""Queries and mutations of the reminder engine (composed into the root schema)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal, InvalidOperation

import strawberry

from domain.campaigns import ports
from domain.campaigns.campaigns import CampaignInput
from domain.campaigns.campaigns import StepInput as DomainStep
from domain.campaigns.engine import Reminders
from domain.campaigns.model import Segment as DomainSegment
from domain.campaigns.templates import TemplateInput
from domain.errors import DomainError, ErrorCode
from domain.templates import TemplateBody, TemplateChannel
from schema.campaigns import inputs as i
from schema.campaigns import types as t
from schema.common import (
    Connection,
    UserError,
    configured,
    decode_one,
    decode_two,
    encode_id,
    page_request,
    to_connection,
)
from schema.errors import attempt, query
from schema.types import DebtorNode


def reminders(info: strawberry.Info) -> Reminders:
    service: Reminders | None = getattr(info.context, "reminders", None)
    return configured(service, "the reminder engine is")


def _time(value: str | None, field: str) -> time | None:
    if value is None:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise DomainError(ErrorCode.INVALID, "a local time is HH:MM", field) from None


def _decimal(value: str | None, field: str) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise DomainError(ErrorCode.INVALID_AMOUNT, f"'{value}' is not a decimal amount", field) from None


def _segment(s: i.SegmentInput | None) -> DomainSegment | None:
    if s is None:
        return None
    return DomainSegment(
        portfolio_ids=tuple(decode_one(p, "Portfolio", "segment.portfolioIds") for p in s.portfolio_ids),
        currency=s.currency,
        min_balance=_decimal(s.min_balance, "segment.minBalance"),
        max_balance=_decimal(s.max_balance, "segment.maxBalance"),
        min_days_past_due=s.min_days_past_due,
        max_days_past_due=s.max_days_past_due,
        risk_bands=tuple(s.risk_bands),
        tags=tuple(s.tags),
    )


def _offset(s: i.StepInput, n: int) -> int:
    if s.offset_days is None and s.trigger is None:
        raise DomainError(
            ErrorCode.REQUIRED, "a step needs offsetDays or a trigger", f"steps[{n}].offsetDays"
        )
    return s.offset_days or 0


def _steps(steps: list[i.StepInput] | None) -> list[DomainStep] | None:
    if steps is None:
        return None
    return [
        DomainStep(
            offset_days=_offset(s, n),
            trigger=s.trigger,
            channel=s.channel,
            template_id=decode_one(s.template_id, "Template", f"steps[{n}].templateId"),
            fallback_channel=s.fallback_channel,
            fallback_template_id=(
                decode_one(s.fallback_template_id, "Template", f"steps[{n}].fallbackTemplateId")
                if s.fallback_template_id
                else None
            ),
            send_time=_time(s.send_time, f"steps[{n}].sendTime"),
            id=s.id,
        )
        for n, s in enumerate(steps)
    ]


def _campaign_input(x: i.CampaignCreateInput | i.CampaignUpdateInput) -> CampaignInput:
    return CampaignInput(
        name=x.name,
        priority=x.priority,
        description=x.description,
        segment=_segment(x.segment),
        steps=_steps(x.steps),
        locales=list(x.locales) if x.locales is not None else None,
        default_send_time=_time(x.default_send_time, "defaultSendTime"),
        staleness_days=x.staleness_days,
        payment_link=x.payment_link,
        payment_instructions=x.payment_instructions,
    )


def _variants(
    channel: TemplateChannel, variants: list[i.TemplateVariantInput] | None
) -> list[TemplateBody] | None:
    if variants is None:
        return None
    return [
        TemplateBody(
            channel=channel,
            locale=v.locale,
            subject=v.subject,
            html=v.html,
            text=v.text,
            whatsapp_template=v.whatsapp_template,
            whatsapp_language=v.whatsapp_language,
            whatsapp_params=tuple(v.whatsapp_params),
            preview_text=v.preview_text,
        )
        for v in variants
    ]


@strawberry.type
class CampaignPayload:
    campaign: t.Campaign | None
    errors: list[UserError]


@strawberry.type
class TemplatePayload:
    template: t.Template | None
    errors: list[UserError]


@strawberry.type
class TemplatePreviewPayload:
    preview: t.TemplatePreview | None
    errors: list[UserError]


@strawberry.type
class CampaignSimulatePayload:
    entries: list[t.SimulationEntry]
    errors: list[UserError]


@strawberry.type
class DebtorOptOutPayload:
    debtor: DebtorNode | None
    errors: list[UserError]


@strawberry.type
class CampaignDigestSubscribePayload:
    subscription_arn: str | None
    errors: list[UserError]


@strawberry.type
class AgentDeviceRegisterPayload:
    device: t.AgentDevice | None
    errors: list[UserError]


def _campaign_payload(result: object, errors: list[UserError]) -> CampaignPayload:
    from domain.campaigns.model import Campaign

    return CampaignPayload(
        campaign=t.Campaign.of(result) if isinstance(result, Campaign) else None, errors=errors
    )


def _message_filter(f: i.MessageFilter | None) -> ports.MessageFilter:
    if f is None:
        return ports.MessageFilter()
    return ports.MessageFilter(
        status=f.status,
        channel=f.channel,
        campaign_id=decode_one(f.campaign_id, "Campaign", "filter.campaignId") if f.campaign_id else None,
        debtor_id=decode_one(f.debtor_id, "Debtor", "filter.debtorId") if f.debtor_id else None,
        created_from=f.created_from,
        created_to=f.created_to,
    )


@strawberry.type
class CampaignQueries:
    @strawberry.field(description="The tenant's campaigns, highest priority first (ADMIN, SUPERVISOR).")
    def campaigns(self, info: strawberry.Info, status: t.CampaignStatus | None = None) -> list[t.Campaign]:  # type: ignore[valid-type]
        found = query(lambda: reminders(info).campaigns.list(info.context.principal, status))
        return [t.Campaign.of(c) for c in found]

    @strawberry.field(description="One campaign.")
    def campaign(self, info: strawberry.Info, id: strawberry.ID) -> t.Campaign | None:
        found = query(
            lambda: reminders(info).campaigns.get(info.context.principal, decode_one(id, "Campaign"))
        )
        return t.Campaign.of(found) if found else None

    @strawberry.field(description="The tenant's templates, optionally for one channel.")
    def templates(self, info: strawberry.Info, channel: t.StepChannel | None = None) -> list[t.Template]:  # type: ignore[valid-type]
        found = query(lambda: reminders(info).templates.list(info.context.principal, channel))
        return [t.Template.of(x) for x in found]

    @strawberry.field(description="One template.")
    def template(self, info: strawberry.Info, id: strawberry.ID) -> t.Template | None:
        found = query(
            lambda: reminders(info).templates.get(info.context.principal, decode_one(id, "Template"))
        )
        return t.Template.of(found) if found else None

    @strawberry.field(description="The statutory contact policies in force (PE, CO, MX, CL, US …).")
    def contact_policies(self, info: strawberry.Info) -> list[t.ContactPolicy]:
        return query(
            lambda: [t.ContactPolicy.of(p) for p in reminders(info).contact.policies(info.context.principal)]
        )

    @strawberry.field(description="The contact policy in force for one jurisdiction (ISO country code).")
    def contact_policy(self, info: strawberry.Info, jurisdiction: str) -> t.ContactPolicy | None:
        found = query(lambda: reminders(info).contact.policy(info.context.principal, jurisdiction))
        return t.ContactPolicy.of(found) if found else None

    @strawberry.field(
        description="May this debtor be contacted on this channel now (or at `at`)? SEND, DEFER or BLOCK."
    )
    def contact_check(self, info: strawberry.Info, input: i.ContactCheckInput) -> t.ContactDecision:
        def run() -> t.ContactDecision:
            debtor = decode_one(input.debtor_id, "Debtor", "debtorId")
            return t.ContactDecision.of(
                reminders(info).contact.check(info.context.principal, debtor, input.channel, input.at)
            )

        return query(run)

    @strawberry.field(description="Messages sent, blocked, skipped …, newest first.")
    def messages(
        self,
        info: strawberry.Info,
        filter: i.MessageFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.Message]:
        def run() -> Connection[t.Message]:
            page = reminders(info).messages.list(
                info.context.principal, _message_filter(filter), page_request(first, after)
            )
            return to_connection(page, t.Message.of)

        return query(run)

    @strawberry.field(description="Call tasks, for an agent (an AGENT sees its own).")
    def tasks(
        self,
        info: strawberry.Info,
        agent_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.CallTask]:
        def run() -> Connection[t.CallTask]:
            page = reminders(info).devices.tasks(info.context.principal, agent_id, page_request(first, after))
            return to_connection(page, t.CallTask.of)

        return query(run)


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(description="Create a campaign (DRAFT).")
    def campaign_create(self, info: strawberry.Info, input: i.CampaignCreateInput) -> CampaignPayload:
        result, errors = attempt(
            lambda: reminders(info).campaigns.create(info.context.principal, _campaign_input(input))
        )
        return _campaign_payload(result, errors)

    @strawberry.mutation(description="Change a campaign; an active one is re-checked as on activation.")
    def campaign_update(self, info: strawberry.Info, input: i.CampaignUpdateInput) -> CampaignPayload:
        result, errors = attempt(
            lambda: reminders(info).campaigns.update(
                info.context.principal, decode_one(input.id, "Campaign"), _campaign_input(input)
            )
        )
        return _campaign_payload(result, errors)

    @strawberry.mutation(description="Start a campaign: every template must render in every campaign locale.")
    def campaign_activate(self, info: strawberry.Info, input: i.CampaignIdInput) -> CampaignPayload:
        result, errors = attempt(
            lambda: reminders(info).campaigns.activate(
                info.context.principal, decode_one(input.id, "Campaign")
            )
        )
        return _campaign_payload(result, errors)

    @strawberry.mutation(description="Stop sending until activated again.")
    def campaign_pause(self, info: strawberry.Info, input: i.CampaignIdInput) -> CampaignPayload:
        result, errors = attempt(
            lambda: reminders(info).campaigns.pause(info.context.principal, decode_one(input.id, "Campaign"))
        )
        return _campaign_payload(result, errors)

    @strawberry.mutation(description="Retire a campaign for good.")
    def campaign_archive(self, info: strawberry.Info, input: i.CampaignIdInput) -> CampaignPayload:
        result, errors = attempt(
            lambda: reminders(info).campaigns.archive(
                info.context.principal, decode_one(input.id, "Campaign")
            )
        )
        return _campaign_payload(result, errors)

    @strawberry.mutation(
        description="A dry run at an instant: who would get what, deferred or blocked by which rule."
    )
    def campaign_simulate(
        self, info: strawberry.Info, input: i.CampaignSimulateInput
    ) -> CampaignSimulatePayload:
        def run() -> list[t.SimulationEntry]:
            rows = reminders(info).simulator.simulate(
                info.context.principal,
                decode_one(input.campaign_id, "Campaign", "campaignId"),
                input.at,
                min(input.first, 200),
            )
            return [
                t.SimulationEntry(
                    debtor_id=encode_id("Debtor", r.debtor.id),
                    debtor_name=r.debtor.name,
                    debt_ids=[encode_id("Debt", r.debtor.id, d.id) for d in r.debts],
                    step_id=r.step.id,
                    offset_days=r.step.offset_days,
                    channel=r.channel,
                    to=r.to,
                    send_at=r.send_at,
                    decision=t.ContactDecision.of(r.decision),
                )
                for r in rows
            ]

        result, errors = attempt(run)
        return CampaignSimulatePayload(entries=result or [], errors=errors)

    @strawberry.mutation(
        description="Create a template; unknown variables and syntax errors are refused here."
    )
    def template_create(self, info: strawberry.Info, input: i.TemplateCreateInput) -> TemplatePayload:
        data = TemplateInput(
            input.name, input.channel, input.description, _variants(input.channel, input.variants)
        )
        result, errors = attempt(lambda: reminders(info).templates.create(info.context.principal, data))
        return TemplatePayload(template=t.Template.of(result) if result else None, errors=errors)

    @strawberry.mutation(description="Change a template (checked as on creation).")
    def template_update(self, info: strawberry.Info, input: i.TemplateUpdateInput) -> TemplatePayload:
        def run() -> object:
            service = reminders(info).templates
            tid = decode_one(input.id, "Template")
            current = service.get(info.context.principal, tid)
            channel = current.channel if current else TemplateChannel.SMS
            data = TemplateInput(input.name, None, input.description, _variants(channel, input.variants))
            return service.update(info.context.principal, tid, data)

        result, errors = attempt(run)
        from domain.campaigns.model import MessageTemplate

        template = t.Template.of(result) if isinstance(result, MessageTemplate) else None
        return TemplatePayload(template=template, errors=errors)

    @strawberry.mutation(
        description="Render a template with a real debt (the debtor's locale by default). Sends nothing."
    )
    def template_preview(
        self, info: strawberry.Info, input: i.TemplatePreviewInput
    ) -> TemplatePreviewPayload:
        def run() -> t.TemplatePreview:
            debtor_id, debt_id = decode_two(input.debt_id, "Debt", "debtId")
            rendered = reminders(info).templates.preview(
                info.context.principal,
                decode_one(input.template_id, "Template", "templateId"),
                debtor_id,
                debt_id,
                input.locale,
            )
            return t.TemplatePreview.of(rendered)

        result, errors = attempt(run)
        return TemplatePreviewPayload(preview=result, errors=errors)

    @strawberry.mutation(
        description="Stop contacting a debtor at one address, on a whole channel, or at all."
    )
    def debtor_opt_out(self, info: strawberry.Info, input: i.DebtorOptOutInput) -> DebtorOptOutPayload:
        def run() -> DebtorNode:
            debtor = reminders(info).feedback.opt_out(
                info.context.principal,
                decode_one(input.debtor_id, "Debtor", "debtorId"),
                input.scope,
                input.channel,
                input.address,
            )
            return DebtorNode.of(debtor)

        result, errors = attempt(run)
        return DebtorOptOutPayload(debtor=result, errors=errors)

    @strawberry.mutation(description="Register an agent's phone for push notifications of new call tasks.")
    def agent_device_register(
        self, info: strawberry.Info, input: i.AgentDeviceRegisterInput
    ) -> AgentDeviceRegisterPayload:
        result, errors = attempt(
            lambda: reminders(info).devices.register(
                info.context.principal, input.token, input.platform, input.agent_id
            )
        )
        device = (
            t.AgentDevice(
                agent_id=result.agent_id,
                platform=result.platform,
                endpoint_arn=result.endpoint_arn,
                registered_at=result.created_at,
            )
            if result
            else None
        )
        return AgentDeviceRegisterPayload(device=device, errors=errors)

    @strawberry.mutation(description="Subscribe an e-mail or phone to the tenant's daily campaign digest.")
    def campaign_digest_subscribe(
        self, info: strawberry.Info, input: i.CampaignDigestSubscribeInput
    ) -> CampaignDigestSubscribePayload:
        result, errors = attempt(
            lambda: reminders(info).digests.subscribe(info.context.principal, input.protocol, input.endpoint)
        )
        return CampaignDigestSubscribePayload(subscription_arn=result, errors=errors)
