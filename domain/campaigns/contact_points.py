"""Which address of a debtor a channel uses, and the contact-policy question for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.contacts import default_locale
from domain.entities import Channel, ContactKind, ContactPoint, ContactStatus, Debtor
from domain.policy import ContactRequest
from domain.templates import TemplateChannel

POLICY_CHANNEL: dict[TemplateChannel, Channel] = {
    TemplateChannel.EMAIL: Channel.EMAIL,
    TemplateChannel.SMS: Channel.SMS,
    TemplateChannel.WHATSAPP: Channel.WHATSAPP,
    TemplateChannel.CALL_TASK: Channel.CALL,
}

_KINDS: dict[Channel, tuple[ContactKind, ...]] = {
    Channel.EMAIL: (ContactKind.EMAIL,),
    Channel.SMS: (ContactKind.PHONE,),
    Channel.CALL: (ContactKind.PHONE,),
    Channel.WHATSAPP: (ContactKind.WHATSAPP, ContactKind.PHONE),
    Channel.VISIT: (ContactKind.ADDRESS,),
    Channel.LETTER: (ContactKind.ADDRESS,),
}


@dataclass(frozen=True)
class Target:
    channel: Channel
    point: ContactPoint | None
    """None when the debtor has no address for the channel (the policy question still gets asked so
    opt-outs and stops are reported first; the caller blocks with NO_CONTACT_POINT)."""


def debtor_locale(debtor: Debtor, tenant_locale: str) -> str:
    """The debtor's own locale, else its jurisdiction's (a Colombian debtor of a Peruvian creditor reads
    `$ 1.234.567`, not `COP 1,234,567`), else the tenant's."""
    if debtor.locale:
        return debtor.locale
    return default_locale(debtor.jurisdiction) if debtor.jurisdiction else tenant_locale


def contact_point(debtor: Debtor, channel: Channel) -> ContactPoint | None:
    """The address to use: a VALID one of the channel's kinds (primary first), else the best other."""
    for kind in _KINDS.get(channel, ()):
        points = [c for c in debtor.contacts if c.kind is kind]
        points.sort(key=lambda c: (c.status is not ContactStatus.VALID, not c.primary))
        if points:
            return points[0]
    return None


def contact_request(
    debtor: Debtor, channel: Channel, at: datetime, debt_ids: tuple[str, ...] = ()
) -> ContactRequest:
    point = contact_point(debtor, channel)
    return ContactRequest(
        channel=channel,
        at=at,
        jurisdiction=debtor.jurisdiction,
        time_zones=(debtor.time_zone,),
        consent=point.consent if point is not None else False,
        contact_status=point.status if point is not None else ContactStatus.INVALID,
        opted_out_channels=frozenset(debtor.opted_out_channels),
        opted_out_all=debtor.opted_out_all,
        debt_ids=debt_ids,
        address=point.value if point is not None else None,
    )
