"""GraphQL types of debt extensions and discount offers."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain.terms import model as tm
from schema.common import Money, Node, UserError, encode_id
from schema.types import DebtNode, DebtorNode, debts_of, visible_debtor

DiscountOfferStatus = strawberry.enum(
    tm.OfferStatus,
    name="DiscountOfferStatus",
    description="ACTIVE until paid (SETTLED), past validUntil (EXPIRED) or CANCELLED.",
)


@strawberry.type(name="DebtExtension", description="One extension of a debt's due date (prórroga).")
class DebtExtensionNode:
    id: strawberry.ID
    previous_due_date: date = strawberry.field(description="The due date before this extension.")
    new_due_date: date = strawberry.field(description="The due date it set.")
    days: int = strawberry.field(description="Days the due date moved.")
    reason: str
    created_by: str = strawberry.field(description="Who granted it.")
    created_at: datetime

    @classmethod
    def of(cls, x: tm.DebtExtension) -> DebtExtensionNode:
        return cls(
            id=encode_id("DebtExtension", x.debtor_id, x.id),
            previous_due_date=x.previous_due_date,
            new_due_date=x.new_due_date,
            days=x.days,
            reason=x.reason,
            created_by=x.created_by,
            created_at=x.created_at,
        )


@strawberry.type(description="A tenant's extension caps.")
class DebtExtensionSettings:
    max_extensions_per_debt: int = strawberry.field(description="Extensions one debt may get (0: none).")
    max_days_per_extension: int = strawberry.field(
        description="Days one extension may add, from the later of the due date and today (debtor-local)."
    )
    version: int

    @classmethod
    def of(cls, s: tm.ExtensionSettings) -> DebtExtensionSettings:
        return cls(
            max_extensions_per_debt=s.max_extensions_per_debt,
            max_days_per_extension=s.max_days_per_extension,
            version=s.version,
        )


@strawberry.type(description="A discount offer in one currency.")
class DiscountOfferLine:
    currency: str
    balance: Money = strawberry.field(description="What the offered debts owed when it was made.")
    discount: Money = strawberry.field(
        description="The discount: a percent of the balance rounded down to the currency's minor units."
    )
    discounted_amount: Money = strawberry.field(description="What the debtor pays: balance − discount.")
    credited: Money = strawberry.field(
        description="Credited when settled (less than the discount when the debtor paid more)."
    )

    @classmethod
    def of(cls, x: tm.OfferLine) -> DiscountOfferLine:
        return cls(
            currency=x.currency,
            balance=Money.of(x.balance, x.currency),
            discount=Money.of(x.discount, x.currency),
            discounted_amount=Money.of(x.to_pay, x.currency),
            credited=Money.of(x.credited, x.currency),
        )


def offer_gid(o: tm.DiscountOffer) -> strawberry.ID:
    return encode_id("DiscountOffer", o.debtor_id, o.id)


@strawberry.type(
    name="DiscountOffer",
    description="An early-payment discount: paying the discounted amount by validUntil settles the debts.",
)
class DiscountOfferNode(Node):
    percent: str | None = strawberry.field(description="The percent off, when offered as a percent.")
    amount: Money | None = strawberry.field(description="The fixed discount, when offered as an amount.")
    lines: list[DiscountOfferLine] = strawberry.field(description="Per currency, in currency order.")
    discounted_amounts: list[Money] = strawberry.field(description="What to pay, per currency.")
    valid_until: date = strawberry.field(description="The last day (debtor-local) the offer holds.")
    expires_at: datetime = strawberry.field(description="The end of validUntil in the debtor's zone (UTC).")
    note: str | None
    created_by: str
    created_at: datetime | None
    closed_at: datetime | None = strawberry.field(description="When it was settled, cancelled or expired.")
    payment_id: str | None = strawberry.field(description="The payment that settled it.")
    cancel_reason: str | None
    version: int
    _entity: strawberry.Private[tm.DiscountOffer]

    @classmethod
    def of(cls, o: tm.DiscountOffer) -> DiscountOfferNode:
        currency = o.lines[0].currency if o.lines else ""
        return cls(
            id=offer_gid(o),
            percent=None if o.percent is None else str(o.percent),
            amount=None if o.amount is None else Money.of(o.amount, currency),
            lines=[DiscountOfferLine.of(x) for x in o.lines],
            discounted_amounts=[Money.of(x.to_pay, x.currency) for x in o.lines],
            valid_until=o.valid_until,
            expires_at=o.expires_at,
            note=o.note,
            created_by=o.created_by,
            created_at=o.created_at,
            closed_at=o.closed_at,
            payment_id=o.payment_id,
            cancel_reason=o.cancel_reason,
            version=o.version,
            _entity=o,
        )

    @strawberry.field(description="The status now (an ACTIVE offer past its end reads EXPIRED).")
    def status(self, info: strawberry.Info) -> DiscountOfferStatus:  # type: ignore[valid-type]
        return self._entity.status_at(info.context.ledger.deps.clock.now())

    @strawberry.field(description="The debtor it was offered to.")
    async def debtor(self, info: strawberry.Info) -> DebtorNode | None:
        return await visible_debtor(info, self._entity.debtor_id)

    @strawberry.field(description="The offered debts.")
    async def debts(self, info: strawberry.Info) -> list[DebtNode]:
        return await debts_of(info, self._entity.debtor_id, self._entity.debt_ids)


@strawberry.type
class DebtExtendPayload:
    debt: DebtNode | None
    extension: DebtExtensionNode | None
    replayed: bool = strawberry.field(description="True when this extension was already granted.")
    errors: list[UserError]


@strawberry.type
class DebtExtensionSettingsUpdatePayload:
    settings: DebtExtensionSettings | None
    errors: list[UserError]


@strawberry.type
class DiscountOfferPayload:
    offer: DiscountOfferNode | None
    replayed: bool = strawberry.field(description="True when the same offer was already active.")
    errors: list[UserError]


@strawberry.type
class DiscountOfferCancelPayload:
    offer: DiscountOfferNode | None
    errors: list[UserError]
