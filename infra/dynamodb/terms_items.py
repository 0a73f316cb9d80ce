"""Items of debt terms on the single table (DESIGN.md): extensions, discount offers, settings.

Both live in the debtor's partition next to the debts they change, so a debtor's (or a debt's)
extensions and offers are one Query: extensions at `EXT#<debtId>#<extensionId>` (ids are
time-ordered, so a debt's history reads in order), offers at `DOF#<offerId>`. The tenant's
extension settings are one item `T#t` / `EXTENSION_SETTINGS` (versioned; absent means the defaults).
No index entries: nothing lists them across debtors.
"""

from __future__ import annotations

import json
from decimal import Decimal

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from domain.terms.model import DebtExtension, DiscountOffer, ExtensionSettings, OfferLine, OfferStatus
from infra.dynamodb import keys
from infra.dynamodb.codec import dumps, restore_scale
from infra.dynamodb.models import DateAttribute, TableItem, UTCDateTimeAttribute

EXTENSION_PREFIX = "EXT#"
OFFER_PREFIX = "DOF#"
SETTINGS_SK = "EXTENSION_SETTINGS"


def extension_sk(debt_id: str, extension_id: str) -> str:
    return f"{EXTENSION_PREFIX}{debt_id}#{extension_id}"


def offer_sk(offer_id: str) -> str:
    return f"{OFFER_PREFIX}{offer_id}"


class ExtensionItem(TableItem, discriminator="DEBT_EXTENSION"):
    """`T#t#DR#<debtorId>` / `EXT#<debtId>#<id>`: one prórroga, never changed."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_id = UnicodeAttribute(attr_name="debtId")
    previous_due_date = DateAttribute(attr_name="previousDueDate")
    new_due_date = DateAttribute(attr_name="newDueDate")
    reason = UnicodeAttribute()
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")


class DiscountOfferItem(TableItem, discriminator="DISCOUNT_OFFER"):
    """`T#t#DR#<debtorId>` / `DOF#<id>`: a discount offer (lines as JSON with exact decimal strings)."""

    id = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    debt_ids: ListAttribute[str] = ListAttribute(of=UnicodeAttribute, attr_name="debtIds")  # type: ignore[arg-type]
    lines = UnicodeAttribute()
    valid_until = DateAttribute(attr_name="validUntil")
    expires_at_utc = UTCDateTimeAttribute(attr_name="offerEndsAt")
    time_zone = UnicodeAttribute(attr_name="timeZone")
    percent = UnicodeAttribute(null=True)
    amount = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    note = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_at = UTCDateTimeAttribute(null=True, attr_name="createdAt")
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")
    closed_at = UTCDateTimeAttribute(null=True, attr_name="closedAt")
    payment_id = UnicodeAttribute(null=True, attr_name="paymentId")
    cancel_reason = UnicodeAttribute(null=True, attr_name="cancelReason")
    adjustment_ids: ListAttribute[str] = ListAttribute(
        of=UnicodeAttribute,  # type: ignore[arg-type]
        default=list,
        attr_name="adjustmentIds",
    )


class ExtensionSettingsItem(TableItem, discriminator="EXTENSION_SETTINGS"):
    """`T#t` / `EXTENSION_SETTINGS`: the tenant's extension caps."""

    max_extensions = NumberAttribute(attr_name="maxExtensionsPerDebt")
    max_days = NumberAttribute(attr_name="maxDaysPerExtension")


def extension_item(tenant: str, x: DebtExtension) -> TableItem:
    return ExtensionItem(
        keys.debtor_pk(tenant, x.debtor_id),
        extension_sk(x.debt_id, x.id),
        tenant=tenant,
        version=x.version,
        id=x.id,
        debtor_id=x.debtor_id,
        debt_id=x.debt_id,
        previous_due_date=x.previous_due_date,
        new_due_date=x.new_due_date,
        reason=x.reason,
        created_by=x.created_by,
        created_at=x.created_at,
    )


def extension_from_item(i: ExtensionItem) -> DebtExtension:
    return DebtExtension(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_id=i.debt_id,
        previous_due_date=i.previous_due_date,
        new_due_date=i.new_due_date,
        reason=i.reason,
        created_by=i.created_by,
        created_at=i.created_at,
        version=int(i.version or 0),
    )


def offer_item(tenant: str, o: DiscountOffer) -> TableItem:
    lines = [
        {"currency": x.currency, "balance": x.balance, "discount": x.discount, "credited": x.credited}
        for x in o.lines
    ]
    return DiscountOfferItem(
        keys.debtor_pk(tenant, o.debtor_id),
        offer_sk(o.id),
        tenant=tenant,
        version=o.version,
        id=o.id,
        debtor_id=o.debtor_id,
        debt_ids=list(o.debt_ids),
        lines=dumps(lines),
        valid_until=o.valid_until,
        expires_at_utc=o.expires_at,
        time_zone=o.time_zone,
        percent=None if o.percent is None else str(o.percent),
        amount=None if o.amount is None else str(o.amount),
        status=o.status.value,
        note=o.note,
        created_by=o.created_by,
        created_at=o.created_at,
        updated_at=o.updated_at,
        closed_at=o.closed_at,
        payment_id=o.payment_id,
        cancel_reason=o.cancel_reason,
        adjustment_ids=list(o.adjustment_ids),
    )


def _line(d: dict[str, str]) -> OfferLine:
    cur = d["currency"]
    return OfferLine(
        currency=cur,
        balance=restore_scale(Decimal(d["balance"]), cur),
        discount=restore_scale(Decimal(d["discount"]), cur),
        credited=restore_scale(Decimal(d["credited"]), cur),
    )


def offer_from_item(i: DiscountOfferItem) -> DiscountOffer:
    return DiscountOffer(
        tenant=i.tenant,
        id=i.id,
        debtor_id=i.debtor_id,
        debt_ids=list(i.debt_ids or []),
        lines=[_line(d) for d in json.loads(i.lines)],
        valid_until=i.valid_until,
        expires_at=i.expires_at_utc,
        time_zone=i.time_zone,
        percent=None if i.percent is None else Decimal(i.percent),
        amount=None if i.amount is None else Decimal(i.amount),
        status=OfferStatus(i.status),
        note=i.note,
        created_by=i.created_by,
        created_at=i.created_at,
        updated_at=i.updated_at,
        closed_at=i.closed_at,
        payment_id=i.payment_id,
        cancel_reason=i.cancel_reason,
        adjustment_ids=list(i.adjustment_ids or []),
        version=int(i.version or 0),
    )


def settings_item(tenant: str, s: ExtensionSettings) -> ExtensionSettingsItem:
    return ExtensionSettingsItem(
        keys.tenant_pk(tenant),
        SETTINGS_SK,
        tenant=tenant,
        max_extensions=s.max_extensions_per_debt,
        max_days=s.max_days_per_extension,
    )


def settings_from_item(i: ExtensionSettingsItem) -> ExtensionSettings:
    return ExtensionSettings(
        max_extensions_per_debt=int(i.max_extensions),
        max_days_per_extension=int(i.max_days),
        version=int(i.version or 0),
    )
