"""Template management: one template per name and channel, one body per locale; checked at save."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field

from domain.campaigns.contact_points import debtor_locale
from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import MessageTemplate
from domain.clock import local_date
from domain.errors import DomainError, ErrorCode, FieldError, NotFound
from domain.principal import Action, Principal
from domain.services.base import clean_text
from domain.templates import (
    DebtLine,
    MessageContext,
    RenderedMessage,
    TemplateBody,
    TemplateChannel,
    check_template,
    default_templates,
    filled,
    render,
    sample_facts,
)

MAX_VARIANTS = 20


@dataclass
class TemplateInput:
    name: str | None = None
    channel: TemplateChannel | None = None
    description: str | None = None
    variants: builtins.list[TemplateBody] | None = None
    tags: builtins.list[str] = field(default_factory=builtins.list)


class Templates:
    def __init__(self, deps: EngineDeps) -> None:
        self.deps = deps

    def get(self, principal: Principal, template_id: str) -> MessageTemplate | None:
        principal.require(Action.CAMPAIGN_READ)
        return self.deps.campaigns.get_template(principal.tenant, template_id)

    def list(
        self, principal: Principal, channel: TemplateChannel | None = None
    ) -> builtins.list[MessageTemplate]:
        principal.require(Action.CAMPAIGN_READ)
        found = self.deps.campaigns.list_templates(principal.tenant, channel)
        return sorted(found, key=lambda t: (t.name.casefold(), t.channel.value))

    def create(self, principal: Principal, data: TemplateInput) -> MessageTemplate:
        principal.require(Action.CAMPAIGN_MANAGE)
        if data.channel is None:
            raise DomainError(ErrorCode.REQUIRED, "channel is required", "channel")
        now = self.deps.clock.now()
        template = MessageTemplate(
            principal.tenant, self.deps.ids.new_id(), "", data.channel, [], created_at=now, updated_at=now
        )
        self._apply(template, data, creating=True)
        self.deps.campaigns.save_template(template, 0)
        return template

    def update(self, principal: Principal, template_id: str, data: TemplateInput) -> MessageTemplate:
        principal.require(Action.CAMPAIGN_MANAGE)
        template = self.deps.campaigns.get_template(principal.tenant, template_id)
        if template is None:
            raise NotFound("template")
        if data.channel is not None and data.channel is not template.channel:
            raise DomainError(ErrorCode.TEMPLATE_CHANNEL_MISMATCH, "a template keeps its channel", "channel")
        version = template.version
        self._apply(template, data, creating=False)
        template.updated_at = self.deps.clock.now()
        self.deps.campaigns.save_template(template, version)
        return template

    def _apply(self, t: MessageTemplate, data: TemplateInput, creating: bool) -> None:
        if data.name is not None or creating:
            t.name = clean_text(data.name, "name", required=True, max_len=100) or ""
        if data.description is not None:
            t.description = clean_text(data.description, "description", max_len=1000)
        if data.variants is not None or creating:
            variants = data.variants or []
            if not variants:
                raise DomainError(ErrorCode.REQUIRED, "at least one locale variant", "variants")
            if len(variants) > MAX_VARIANTS:
                raise DomainError(ErrorCode.INVALID, f"at most {MAX_VARIANTS} variants", "variants")
            errors: builtins.list[FieldError] = []
            seen: set[str] = set()
            for i, v in enumerate(variants):
                if v.channel is not t.channel:
                    errors.append(
                        FieldError(
                            ErrorCode.TEMPLATE_CHANNEL_MISMATCH,
                            "variants share the channel",
                            f"variants[{i}]",
                        )
                    )
                if v.locale.lower() in seen:
                    errors.append(
                        FieldError(ErrorCode.DUPLICATE, "one variant per locale", f"variants[{i}].locale")
                    )
                seen.add(v.locale.lower())
                errors.extend(
                    FieldError(p.code, p.message, f"variants[{i}].{p.field}") for p in check_template(v)
                )
            if errors:
                raise DomainError.many(errors)
            t.variants = builtins.list(variants)

    def preview(
        self, principal: Principal, template_id: str, debtor_id: str, debt_id: str, locale: str | None = None
    ) -> RenderedMessage:
        """The template rendered with a real debt, its debtor and the tenant (creditor); the event
        variables show the debt's plan instalment and pending promise when it has them, else samples."""
        principal.require(Action.DEBT_READ)
        template = self.deps.campaigns.get_template(principal.tenant, template_id)
        if template is None:
            raise NotFound("template", "templateId")
        debt = self.deps.ledger.get_debt(principal.tenant, debtor_id, debt_id)
        debtor = self.deps.ledger.get_debtor(principal.tenant, debtor_id)
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        if (
            debt is None
            or debtor is None
            or tenant is None
            or not principal.sees_agent(debt.assigned_agent_id)
        ):
            raise NotFound("debt", "debtId")
        wanted = locale or debtor_locale(debtor, tenant.locale)
        body = template.variant(wanted, tenant.locale)
        if body is None:
            raise DomainError(ErrorCode.TEMPLATE_MISSING_PART, f"no variant for {wanted}", "locale")
        today = local_date(self.deps.clock.now(), debtor.time_zone)
        line = DebtLine(
            debt.id,
            debt.number or debt.external_id,
            debt.description,
            debt.currency,
            debt.original_amount,
            debt.balance,
            debt.due_date,
            (today - debt.due_date).days,
        )
        reader = self.deps.event_facts
        facts = reader.current(debtor, [debt], today) if reader is not None else None
        facts = filled(facts, sample_facts(debt.currency, today))
        ctx = MessageContext(body.locale, debtor.name, tenant.name, (line,), today, facts=facts)
        policy = self.deps.policies_for(principal.tenant).policy_for(
            debtor.jurisdiction, self.deps.clock.now()
        )
        from domain.campaigns.contact_points import POLICY_CHANNEL

        return render(
            body,
            ctx,
            opt_out_notice=policy.requires_opt_out_notice(POLICY_CHANNEL[body.channel]),
            unsubscribe_mailto=tenant.sender_email,
        )

    def install_defaults(self, principal: Principal) -> builtins.list[MessageTemplate]:
        """The starter templates (every locale), skipping names the tenant already has for a channel."""
        principal.require(Action.CAMPAIGN_MANAGE)
        have = {(t.name, t.channel) for t in self.deps.campaigns.list_templates(principal.tenant)}
        grouped: dict[tuple[str, TemplateChannel], builtins.list[TemplateBody]] = {}
        for name, body in default_templates():
            grouped.setdefault((name, body.channel), []).append(body)
        created = []
        for (name, channel), bodies in grouped.items():
            if (name, channel) not in have:
                created.append(
                    self.create(principal, TemplateInput(name=name, channel=channel, variants=bodies))
                )
        return created
