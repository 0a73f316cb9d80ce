"""GraphQL inputs of debt extensions and discount offers."""

from __future__ import annotations

from datetime import date

import strawberry

from schema.common import DecimalInput


@strawberry.input(description="Extend an open debt's due date; an agent only for its own debtors.")
class DebtExtendInput:
    debt_id: strawberry.ID
    new_due_date: date = strawberry.field(
        description="Later than the current due date, within the tenant's maxDaysPerExtension."
    )
    reason: str


@strawberry.input(description="Only the given fields change.")
class DebtExtensionSettingsUpdateInput:
    max_extensions_per_debt: int | None = None
    max_days_per_extension: int | None = None


@strawberry.input(description="An early-payment discount on open debts of one debtor: percent or amount.")
class DiscountOfferInput:
    debt_ids: list[strawberry.ID] = strawberry.field(description="At most 10 open debts of one debtor.")
    percent: DecimalInput | None = strawberry.field(
        default=None, description='Percent off each currency\'s balance, e.g. `"15"` (rounded down).'
    )
    amount: DecimalInput | None = strawberry.field(
        default=None, description="A fixed discount in the debts' one currency (not the amount to pay)."
    )
    valid_until: date = strawberry.field(
        description="The last day (debtor-local, to its end) the offer holds; today to 90 days ahead."
    )
    note: str | None = None


@strawberry.input
class DiscountOfferCancelInput:
    id: strawberry.ID
    reason: str | None = None
