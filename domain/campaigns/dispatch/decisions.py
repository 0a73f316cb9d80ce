"""Step 3: the contact policy, asked with the debtor's history as it is now, and the address it is
about."""

from __future__ import annotations

from dataclasses import replace

from domain.campaigns.contact_points import POLICY_CHANNEL
from domain.campaigns.deps import EngineDeps
from domain.campaigns.dispatch.batch import Batch
from domain.campaigns.dispatch.job import NO_CONTACT_POINT, LoadedJob
from domain.entities import Channel, ContactKind, ContactPoint, ContactStatus, Debtor
from domain.policy import ContactRequest, Decision, Outcome
from domain.policy.engine import PRODUCT_INVALID_RULE
from domain.templates import TemplateChannel

_KINDS: dict[Channel, tuple[ContactKind, ...]] = {
    Channel.EMAIL: (ContactKind.EMAIL,),
    Channel.SMS: (ContactKind.PHONE,),
    Channel.CALL: (ContactKind.PHONE,),
    Channel.WHATSAPP: (ContactKind.WHATSAPP, ContactKind.PHONE),
}


def pick_contact_point(debtor: Debtor, channel: Channel) -> ContactPoint | None:
    """The address a channel uses: the first VALID one of the channel's kinds in order (WhatsApp: a
    WhatsApp number, else a phone), primary first; else the best unusable one, so the policy reports
    why (opted out, invalid); None when the debtor has no address of those kinds at all."""
    ordered = [
        point
        for kind in _KINDS.get(channel, ())
        for point in sorted((c for c in debtor.contacts if c.kind is kind), key=lambda c: not c.primary)
    ]
    return next((c for c in ordered if c.status is ContactStatus.VALID), ordered[0] if ordered else None)


def decide(
    deps: EngineDeps, batch: Batch, j: LoadedJob, channel: TemplateChannel
) -> tuple[Decision, ContactPoint | None]:
    now = deps.clock.now()
    policy_channel = POLICY_CHANNEL[channel]
    point = pick_contact_point(j.debtor, policy_channel)
    request = ContactRequest(
        channel=policy_channel,
        at=now,
        jurisdiction=j.debtor.jurisdiction,
        time_zones=(j.debtor.time_zone,),
        consent=point.consent if point is not None else False,
        contact_status=point.status if point is not None else ContactStatus.INVALID,
        opted_out_channels=frozenset(j.debtor.opted_out_channels),
        opted_out_all=j.debtor.opted_out_all,
        debt_ids=tuple(d.id for d in j.debts),
        address=point.value if point is not None else None,
    )
    policies = deps.policies_for(j.tenant.id)
    lookback = policies.lookback(j.debtor.jurisdiction)
    history = batch.history(j.tenant.id, j.debtor.id, now - lookback)
    decision = policies.evaluate(request, history)
    no_address = point is None and (
        decision.outcome is not Outcome.BLOCK or decision.rule_ids == (PRODUCT_INVALID_RULE,)
    )
    if no_address:
        reason = f"the debtor has no address for {policy_channel}"
        decision = replace(
            decision, outcome=Outcome.BLOCK, until=None, rule_ids=(NO_CONTACT_POINT,), reason=reason
        )
    return decision, point


def about_the_address(deps: EngineDeps, j: LoadedJob, decision: Decision) -> bool:
    """The block is about this channel or address (none, invalid, opted out, no consent, channel
    banned), not about the calendar or the caps: another channel may lawfully go instead."""
    policy = deps.policies_for(j.tenant.id).policy_for(j.debtor.jurisdiction, deps.clock.now())
    rules = {NO_CONTACT_POINT, PRODUCT_INVALID_RULE, policy.opt_out.id, policy.consent.id}
    rules.update(ban.id for ban in policy.channel_bans)
    return bool(decision.rule_ids) and set(decision.rule_ids) <= rules
