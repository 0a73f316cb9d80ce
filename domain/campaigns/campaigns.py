"""Campaign management: create, update, activate, pause, archive, and their statistics.

A campaign goes DRAFT → ACTIVE ↔ PAUSED, and any → ARCHIVED (final). Activating (and updating an
active campaign) checks that every step's template, and fallback template, exists, is for the step's
channel, has a variant for each of the campaign's locales, and renders with sample data: a broken
template refuses activation with the step's field and the template problem's code. The planner
re-anchors the due index for a campaign the first cycle after it is activated or changed.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import Campaign, CampaignStats, CampaignStatus, Segment, Step, StepTrigger
from domain.clock import local_date
from domain.contacts import validate_locale
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode, FieldError, NotFound
from domain.money import validate_currency
from domain.principal import Action, Principal
from domain.services.base import clean_tags, clean_text
from domain.templates import TemplateChannel, check_template, render, sample_context

MIN_OFFSET, MAX_OFFSET = -60, 365


@dataclass
class StepInput:
    offset_days: int
    channel: TemplateChannel
    template_id: str
    fallback_channel: TemplateChannel | None = None
    fallback_template_id: str | None = None
    send_time: time | None = None
    id: str | None = None
    trigger: StepTrigger | None = None
    """An event-triggered step (its offset is ignored and stored as 0)."""


@dataclass
class CampaignInput:
    name: str | None = None
    priority: int | None = None
    description: str | None = None
    segment: Segment | None = None
    steps: list[StepInput] | None = None
    locales: list[str] | None = None
    default_send_time: time | None = None
    staleness_days: int | None = None
    payment_link: str | None = None
    payment_instructions: str | None = None
    tags: list[str] = field(default_factory=list)


class Campaigns:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def get(self, principal: Principal, campaign_id: str) -> Campaign | None:
        principal.require(Action.CAMPAIGN_READ)
        return self.deps.campaigns.get_campaign(principal.tenant, campaign_id)

    def list(self, principal: Principal, status: CampaignStatus | None = None) -> list[Campaign]:
        principal.require(Action.CAMPAIGN_READ)
        campaigns = self.deps.campaigns.list_campaigns(principal.tenant, status)
        return sorted(campaigns, key=lambda c: (-c.priority, c.name.casefold(), c.id))

    def stats(self, principal: Principal, campaign_id: str) -> CampaignStats:
        principal.require(Action.CAMPAIGN_READ)
        return self.deps.messages.get_stats(principal.tenant, campaign_id)

    def create(self, principal: Principal, data: CampaignInput) -> Campaign:
        principal.require(Action.CAMPAIGN_MANAGE)
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        if tenant is None:
            raise DomainError(ErrorCode.TENANT_NOT_CONFIGURED, "an ADMIN runs tenantUpdate first", None)
        now = self.deps.clock.now()
        campaign = Campaign(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            name="",
            priority=0,
            status=CampaignStatus.DRAFT,
            segment=Segment(),
            steps=[],
            locales=[tenant.locale],
            created_at=now,
            updated_at=now,
        )
        self._apply(principal, campaign, data, creating=True)
        self.deps.campaigns.save_campaign(campaign, 0)
        return campaign

    def update(self, principal: Principal, campaign_id: str, data: CampaignInput) -> Campaign:
        principal.require(Action.CAMPAIGN_MANAGE)

        def attempt() -> Campaign:
            campaign = self._load(principal, campaign_id)
            if campaign.status is CampaignStatus.ARCHIVED:
                raise DomainError(ErrorCode.INVALID_STATE, "an archived campaign cannot change", "id")
            version = campaign.version
            self._apply(principal, campaign, data, creating=False)
            if campaign.status is CampaignStatus.ACTIVE:
                self._check_ready(principal, campaign)
            campaign.updated_at = self.deps.clock.now()
            self.deps.campaigns.save_campaign(campaign, version)
            return campaign

        return self._retrying(attempt)

    def activate(self, principal: Principal, campaign_id: str) -> Campaign:
        return self._transition(principal, campaign_id, CampaignStatus.ACTIVE)

    def pause(self, principal: Principal, campaign_id: str) -> Campaign:
        return self._transition(principal, campaign_id, CampaignStatus.PAUSED)

    def archive(self, principal: Principal, campaign_id: str) -> Campaign:
        return self._transition(principal, campaign_id, CampaignStatus.ARCHIVED)

    # --- internals -------------------------------------------------------------------------------

    def _load(self, principal: Principal, campaign_id: str) -> Campaign:
        campaign = self.deps.campaigns.get_campaign(principal.tenant, campaign_id)
        if campaign is None:
            raise NotFound("campaign")
        return campaign

    def _retrying(self, attempt: Callable[[], Campaign]) -> Campaign:
        for _ in range(4):
            try:
                return attempt()
            except ConcurrencyConflict:
                continue
        raise DomainError(ErrorCode.CONFLICT, "the campaign kept changing concurrently; try again", None)

    def _transition(self, principal: Principal, campaign_id: str, target: CampaignStatus) -> Campaign:
        principal.require(Action.CAMPAIGN_MANAGE)
        allowed = {
            CampaignStatus.ACTIVE: {CampaignStatus.DRAFT, CampaignStatus.PAUSED, CampaignStatus.ACTIVE},
            CampaignStatus.PAUSED: {CampaignStatus.ACTIVE, CampaignStatus.PAUSED},
            CampaignStatus.ARCHIVED: {CampaignStatus.DRAFT, CampaignStatus.ACTIVE, CampaignStatus.PAUSED},
        }[target]

        def attempt() -> Campaign:
            campaign = self._load(principal, campaign_id)
            if campaign.status is target:
                return campaign
            if campaign.status not in allowed:
                raise DomainError(
                    ErrorCode.INVALID_STATE,
                    f"a {campaign.status.value} campaign cannot become {target.value}",
                    "id",
                )
            if target is CampaignStatus.ACTIVE:
                self._check_ready(principal, campaign)
                campaign.activated_at = self.deps.clock.now()
            version = campaign.version
            campaign.status, campaign.updated_at = target, self.deps.clock.now()
            self.deps.campaigns.save_campaign(campaign, version)
            return campaign

        return self._retrying(attempt)

    def _apply(self, principal: Principal, c: Campaign, data: CampaignInput, creating: bool) -> None:
        if data.name is not None or creating:
            c.name = clean_text(data.name, "name", required=True, max_len=200) or ""
        if data.priority is not None:
            if not -1000 <= data.priority <= 1000:
                raise DomainError(ErrorCode.INVALID, "priority is between -1000 and 1000", "priority")
            c.priority = data.priority
        if data.description is not None:
            c.description = clean_text(data.description, "description", max_len=2000)
        if data.locales is not None:
            if not data.locales:
                raise DomainError(ErrorCode.REQUIRED, "at least one locale", "locales")
            c.locales = list(
                dict.fromkeys(validate_locale(x, f"locales[{i}]") for i, x in enumerate(data.locales))
            )
        if data.default_send_time is not None:
            c.default_send_time = data.default_send_time
        if data.staleness_days is not None:
            if not 0 <= data.staleness_days <= 30:
                raise DomainError(ErrorCode.INVALID, "staleness is 0 to 30 days", "stalenessDays")
            c.staleness_days = data.staleness_days
        if data.payment_link is not None:
            link = clean_text(data.payment_link, "paymentLink", max_len=500)
            if link and not link.startswith("https://"):
                raise DomainError(ErrorCode.INVALID, "a payment link is an https URL", "paymentLink")
            c.payment_link = link
        if data.payment_instructions is not None:
            c.payment_instructions = clean_text(data.payment_instructions, "paymentInstructions", max_len=500)
        if data.segment is not None:
            c.segment = self._segment(principal, data.segment)
        if data.steps is not None:
            c.steps = self._steps(principal, data.steps, c.steps)

    def _segment(self, principal: Principal, s: Segment) -> Segment:
        errors: list[FieldError] = []
        for i, pf in enumerate(s.portfolio_ids):
            if self.deps.ledger.get_portfolio(principal.tenant, pf) is None:
                errors.append(
                    FieldError(ErrorCode.NOT_FOUND, "portfolio not found", f"segment.portfolioIds[{i}]")
                )
        if s.min_balance is not None and s.max_balance is not None and s.min_balance > s.max_balance:
            errors.append(
                FieldError(ErrorCode.INVALID, "minBalance is above maxBalance", "segment.minBalance")
            )
        lo, hi = s.min_days_past_due, s.max_days_past_due
        if lo is not None and hi is not None and lo > hi:
            errors.append(FieldError(ErrorCode.INVALID, "minDaysPastDue is above maxDaysPastDue", "segment"))
        if any(v is not None and v < Decimal(0) for v in (s.min_balance, s.max_balance)):
            errors.append(FieldError(ErrorCode.INVALID_AMOUNT, "balances are not negative", "segment"))
        if errors:
            raise DomainError.many(errors)
        currency = validate_currency(s.currency) if s.currency else None
        return Segment(
            portfolio_ids=tuple(dict.fromkeys(s.portfolio_ids)),
            currency=currency,
            min_balance=s.min_balance,
            max_balance=s.max_balance,
            min_days_past_due=lo,
            max_days_past_due=hi,
            risk_bands=tuple(s.risk_bands),
            tags=tuple(clean_tags(list(s.tags))),
        )

    def _steps(
        self, principal: Principal, steps: Sequence[StepInput], old: Sequence[Step]
    ) -> builtins.list[Step]:
        errors: list[FieldError] = []
        existing = {(s.offset_days, s.channel, s.trigger): s.id for s in old}
        taken = {s.id for s in old}
        out: builtins.list[Step] = []
        for i, s in enumerate(sorted(steps, key=lambda x: x.offset_days)):
            where = f"steps[{i}]"
            offset = 0 if s.trigger is not None else s.offset_days
            if not MIN_OFFSET <= offset <= MAX_OFFSET:
                errors.append(
                    FieldError(
                        ErrorCode.INVALID, f"offset is {MIN_OFFSET} to {MAX_OFFSET}", f"{where}.offsetDays"
                    )
                )
            if s.fallback_channel is not None and s.fallback_channel is s.channel:
                errors.append(
                    FieldError(
                        ErrorCode.INVALID, "the fallback is another channel", f"{where}.fallbackChannel"
                    )
                )
            if s.fallback_template_id and s.fallback_channel is None:
                errors.append(
                    FieldError(ErrorCode.REQUIRED, "a fallback template needs a fallback channel", f"{where}")
                )
            step_id = s.id or existing.get((offset, s.channel, s.trigger))
            if not step_id:
                n = 1
                while f"s{n}" in taken:
                    n += 1
                step_id = f"s{n}"
            taken.add(step_id)
            out.append(
                Step(
                    step_id,
                    offset,
                    s.channel,
                    s.template_id,
                    s.fallback_channel,
                    s.fallback_template_id,
                    s.send_time,
                    s.trigger,
                )
            )
        if len({s.id for s in out}) != len(out):
            errors.append(FieldError(ErrorCode.DUPLICATE, "step ids are unique", "steps"))
        triggers = [s.trigger for s in out if s.trigger is not None]
        if len(set(triggers)) != len(triggers):
            errors.append(FieldError(ErrorCode.DUPLICATE, "one step per trigger", "steps"))
        templates = self.deps.campaigns.get_templates(
            principal.tenant, [t for o in out for t in (o.template_id, o.fallback_template_id) if t]
        )
        for i, step in enumerate(out):
            for tid, channel, name in (
                (step.template_id, step.channel, "templateId"),
                (step.fallback_template_id, step.fallback_channel, "fallbackTemplateId"),
            ):
                if not tid:
                    continue
                t = templates.get(tid)
                if t is None:
                    errors.append(FieldError(ErrorCode.NOT_FOUND, "template not found", f"steps[{i}].{name}"))
                elif t.channel is not channel:
                    errors.append(
                        FieldError(
                            ErrorCode.TEMPLATE_CHANNEL_MISMATCH,
                            f"the template is for {t.channel.value}",
                            f"steps[{i}].{name}",
                        )
                    )
        if errors:
            raise DomainError.many(errors)
        return out

    def _check_ready(self, principal: Principal, c: Campaign) -> None:
        """Every step's templates exist for the step's channel and render in every campaign locale."""
        errors: list[FieldError] = []
        if not c.steps:
            raise DomainError(ErrorCode.REQUIRED, "a campaign needs at least one step to be active", "steps")
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        currency = c.segment.currency or (tenant.currency if tenant else "USD")
        today = local_date(self.deps.clock.now(), tenant.time_zone if tenant else "UTC")
        ids = [t for s in c.steps for t in (s.template_id, s.fallback_template_id) if t]
        templates = self.deps.campaigns.get_templates(principal.tenant, ids)
        for i, s in enumerate(c.steps):
            for tid, channel, name in (
                (s.template_id, s.channel, "templateId"),
                (s.fallback_template_id, s.fallback_channel, "fallbackTemplateId"),
            ):
                if not tid:
                    continue
                where = f"steps[{i}].{name}"
                t = templates.get(tid)
                if t is None or t.channel is not channel:
                    errors.append(
                        FieldError(
                            ErrorCode.NOT_FOUND,
                            "the step's template is missing or for another channel",
                            where,
                        )
                    )
                    continue
                for locale in c.locales:
                    body = next((v for v in t.variants if v.locale.lower() == locale.lower()), None)
                    if body is None:
                        errors.append(
                            FieldError(
                                ErrorCode.TEMPLATE_MISSING_PART,
                                f"template '{t.name}' has no {locale} variant",
                                where,
                            )
                        )
                        continue
                    problems = check_template(body)
                    if problems:
                        p = problems[0]
                        errors.append(
                            FieldError(
                                p.code, f"template '{t.name}' ({locale}) {p.field}: {p.message}", where
                            )
                        )
                        continue
                    try:
                        render(body, sample_context(locale, currency, today), opt_out_notice=True)
                    except DomainError as err:
                        errors.append(FieldError(err.code, f"template '{t.name}' ({locale}): {err}", where))
        if errors:
            raise DomainError.many(errors)
