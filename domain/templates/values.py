"""The closed set of template variables, their values for one message, and sample facts for previews."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from babel.numbers import get_territory_currencies

from domain.errors import DomainError, ErrorCode
from domain.money import minor_units, validate_currency
from domain.templates.facts import EVENT_VARIABLES, event_values, sample_facts
from domain.templates.formatting import NO_CENTS_BY_CUSTOM, babel_locale, format_date, format_money
from domain.templates.model import DebtLine, MessageContext

VARIABLES: Final[Mapping[str, str]] = {
    "debtor_name": "The debtor's name.",
    "creditor_name": "The creditor: the tenant's name.",
    "amount": "Original amount of the listed debts (their sum), formatted for the locale and currency.",
    "balance": "Outstanding balance of the listed debts (their sum), formatted for the locale and currency.",
    "currency": "ISO 4217 code of the listed debts (a message lists debts of one currency).",
    "due_date": "The earliest due date of the listed debts, formatted for the locale (long form).",
    "days_past_due": "Days past due of the most overdue listed debt (negative before the due date).",
    "debt_number": "The number (or external reference) of the first listed debt, or empty.",
    "debts": (
        "The listed debts, each with number, description, amount, balance, due_date (formatted) and"
        " days_past_due (a number)."
    ),
    "debt_count": "How many debts the message lists.",
    "payment_link": "Where to pay (the campaign's payment link), or empty.",
    "payment_instructions": "How to pay (the campaign's instructions), or empty.",
    "agent_name": "The assigned agent's name, or empty.",
    "today": "The debtor's local date, formatted for the locale (long form).",
    **EVENT_VARIABLES,
}
"""Every variable a template may use, with its description (documented for the API). The event
variables (instalment, promise, payment) are empty strings unless the message is about that event."""


def variables(ctx: MessageContext) -> dict[str, Any]:
    """The values of `VARIABLES` for one message.

    Raises `DomainError`: INVALID when `ctx.debts` is empty, CURRENCY_MISMATCH when the debts are not
    all in one currency (totals never add across currencies: callers group debts by currency), and
    INVALID_LOCALE / INVALID_CURRENCY for values babel does not know.
    """
    if not ctx.debts:
        raise DomainError(ErrorCode.INVALID, "a message lists at least one debt", "debts")
    currencies = {d.currency for d in ctx.debts}
    if len(currencies) != 1:
        listed = ", ".join(sorted(currencies))
        raise DomainError(
            ErrorCode.CURRENCY_MISMATCH,
            f"one message lists debts of one currency (got {listed}): group the debts by currency",
            "debts",
        )
    currency = validate_currency(currencies.pop())

    def money(value: Decimal) -> str:
        return format_money(value, currency, ctx.locale)

    lines = [
        {
            "number": d.number or "",
            "description": d.description or "",
            "amount": money(d.original_amount),
            "balance": money(d.balance),
            "due_date": format_date(d.due_date, ctx.locale),
            "days_past_due": d.days_past_due,
        }
        for d in ctx.debts
    ]
    return {
        "debtor_name": ctx.debtor_name,
        "creditor_name": ctx.creditor_name,
        "amount": money(sum((d.original_amount for d in ctx.debts), Decimal(0))),
        "balance": money(sum((d.balance for d in ctx.debts), Decimal(0))),
        "currency": currency,
        "due_date": format_date(min(d.due_date for d in ctx.debts), ctx.locale),
        "days_past_due": max(d.days_past_due for d in ctx.debts),
        "debt_number": ctx.debts[0].number or "",
        "debts": lines,
        "debt_count": len(ctx.debts),
        "payment_link": ctx.payment_link or "",
        "payment_instructions": ctx.payment_instructions or "",
        "agent_name": ctx.agent_name or "",
        "today": format_date(ctx.today, ctx.locale),
        **event_values(ctx.facts, ctx.locale),
    }


_SAMPLES: Final[dict[str, tuple[str, str, str, str, str]]] = {
    # territory: debtor, creditor, first debt number, second debt number, payment instructions
    "PE": ("María Quispe", "Comercial Andina SAC", "F001-000123", "F001-000145", "BCP 193-1234567-0-12"),
    "CO": ("Juan Camilo Rodríguez", "Distribuidora del Valle", "FE-10234", "FE-10261", "Nequi 3001234567"),
    "MX": ("Guadalupe Hernández", "Comercializadora del Norte SA de CV", "A-4512", "A-4533", "CLABE 002180"),
    "CL": ("Francisca Muñoz", "Comercial Austral SpA", "33-1021", "33-1049", "BancoEstado 12345678"),
    "US": ("Jordan Smith", "Acme Supplies Inc.", "INV-1023", "INV-1047", "ACH routing 021000021"),
}


def _locale_currency(locale: str) -> str:
    territory = babel_locale(locale).territory or "US"
    found = get_territory_currencies(territory, tender=True)
    return str(found[0]) if found else "USD"


def sample_context(locale: str, currency: str | None, today: date) -> MessageContext:
    """Realistic fake facts to test-render a template at activation time and for previews without a
    debt: two debts in `currency` (the locale's own currency when None), one 7 days past due and one due
    in 5 days, with a payment link, payment instructions, an agent and sample event facts (`sample_facts`)."""
    loc = babel_locale(locale)
    code = validate_currency(currency or _locale_currency(locale))
    debtor, creditor, first, second, instructions = _SAMPLES.get(loc.territory or "US", _SAMPLES["PE"])
    whole = minor_units(code) == 0 or code in NO_CENTS_BY_CUSTOM
    big, small = (Decimal(1234567), Decimal(250000)) if whole else (Decimal("1234.50"), Decimal("250.00"))
    label = "Installment {} of 6" if loc.language == "en" else "Cuota {}/6"
    lines = (
        DebtLine("sample-1", first, label.format(3), code, big, big, today - timedelta(days=7), 7),
        DebtLine("sample-2", second, label.format(4), code, small, small, today + timedelta(days=5), -5),
    )
    return MessageContext(
        locale=locale,
        debtor_name=debtor,
        creditor_name=creditor,
        debts=lines,
        today=today,
        payment_link="https://pagos.example.com/p/abc123",
        payment_instructions=instructions,
        agent_name="Lucía Torres",
        facts=sample_facts(code, today),
    )
