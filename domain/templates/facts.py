"""The event variables: what an event-triggered message is about (an instalment falling due, a promise
due tomorrow or broken, a payment received), beside the debts' own variables.

They are empty strings in every other message (a cadence reminder, or an event whose facts could not
be found), so one template may mention them under `{% if instalment_amount %}` and still serve both.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from domain.money import minor_units, validate_currency
from domain.templates.formatting import NO_CENTS_BY_CUSTOM, format_date, format_money
from domain.templates.model import EventFacts

EVENT_VARIABLES: Final[dict[str, str]] = {
    "instalment_amount": (
        "INSTALMENT_DUE: what is still owed on the payment plan instalment falling due (its amount less"
        " what was paid toward it), formatted for the locale and currency; empty in other messages."
    ),
    "instalment_due_date": (
        "INSTALMENT_DUE: the instalment's due date, formatted for the locale (long form); empty in other"
        " messages."
    ),
    "instalment_number": "INSTALMENT_DUE: the instalment's number in its plan (1, 2, …); empty otherwise.",
    "instalment_count": "INSTALMENT_DUE: how many instalments the plan has; empty in other messages.",
    "plan_remaining": (
        "INSTALMENT_DUE: what is left to pay on the whole plan, formatted; empty in other messages."
    ),
    "promise_amount": (
        "PROMISE_DUE_TOMORROW and PROMISE_BROKEN: the amount the debtor promised, formatted; empty in"
        " other messages."
    ),
    "promise_date": (
        "PROMISE_DUE_TOMORROW and PROMISE_BROKEN: the date the debtor promised to pay by, formatted for"
        " the locale (long form); empty in other messages."
    ),
    "promise_kept_amount": (
        "PROMISE_DUE_TOMORROW and PROMISE_BROKEN: what was paid toward the promise, formatted; empty in"
        " other messages."
    ),
    "payment_amount": (
        "PAYMENT_RECEIVED: the amount received that day in payments to the listed debts, formatted;"
        " empty in other messages."
    ),
}
"""Documented with the other variables in `domain.templates.values.VARIABLES`."""

_MONEY: Final = (
    "instalment_amount",
    "plan_remaining",
    "promise_amount",
    "promise_kept_amount",
    "payment_amount",
)
_DATES: Final = ("instalment_due_date", "promise_date")


def event_values(facts: EventFacts | None, locale: str) -> dict[str, Any]:
    """Every event variable: formatted from `facts` when set, else an empty string."""
    values: dict[str, Any] = dict.fromkeys(EVENT_VARIABLES, "")
    if facts is None:
        return values
    currency = validate_currency(facts.currency)
    for name in _MONEY:
        amount = getattr(facts, name)
        if amount is not None:
            values[name] = format_money(amount, currency, locale)
    for name in _DATES:
        day = getattr(facts, name)
        if day is not None:
            values[name] = format_date(day, locale)
    for name in ("instalment_number", "instalment_count"):
        number = getattr(facts, name)
        if number is not None:
            values[name] = number
    return values


def sample_facts(currency: str, today: date) -> EventFacts:
    """Sample facts for previews and save-time checks: instalment 4 of 6 due tomorrow, a promise due
    tomorrow partly paid, a payment today (whole amounts for currencies written without cents)."""
    currency = validate_currency(currency)
    whole = minor_units(currency) == 0 or currency in NO_CENTS_BY_CUSTOM

    def money(cents: str, units: int) -> Decimal:
        return Decimal(units) if whole else Decimal(cents)

    tomorrow = today + timedelta(days=1)
    return EventFacts(
        currency=currency,
        instalment_amount=money("205.75", 205750),
        instalment_due_date=tomorrow,
        instalment_number=4,
        instalment_count=6,
        plan_remaining=money("617.25", 617250),
        promise_amount=money("500.00", 500000),
        promise_date=tomorrow,
        promise_kept_amount=money("100.00", 100000),
        payment_amount=money("150.00", 150000),
    )


def filled(facts: EventFacts | None, samples: EventFacts) -> EventFacts:
    """`facts` with what it lacks taken from `samples` (a preview shows a debt's real plan or promise,
    and sample values for the rest)."""
    if facts is None:
        return samples
    missing = {
        f.name: getattr(samples, f.name)
        for f in fields(EventFacts)
        if f.name != "currency" and getattr(facts, f.name) is None
    }
    return replace(facts, **missing)
