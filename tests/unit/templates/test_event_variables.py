"""The event variables (instalment, promise, payment): formatted per locale and currency, empty in a
cadence message, known to the save-time check, and stated by the event starter templates."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import ErrorCode
from domain.templates import (
    VARIABLES,
    EventFacts,
    TemplateBody,
    TemplateChannel,
    check_template,
    default_templates,
    filled,
    render,
    sample_context,
    sample_facts,
    variables,
)
from domain.templates.facts import EVENT_VARIABLES

TODAY = date(2026, 12, 14)
EVENT_NAMES = {
    "instalment_amount",
    "instalment_due_date",
    "instalment_number",
    "instalment_count",
    "plan_remaining",
    "promise_amount",
    "promise_date",
    "promise_kept_amount",
    "payment_amount",
}


def _instalment(currency: str, amount: str, remaining: str) -> EventFacts:
    return EventFacts(
        currency,
        instalment_amount=Decimal(amount),
        instalment_due_date=date(2026, 12, 15),
        instalment_number=2,
        instalment_count=3,
        plan_remaining=Decimal(remaining),
    )


def test_the_event_variables_are_documented_with_the_others() -> None:
    assert set(EVENT_VARIABLES) == EVENT_NAMES
    assert set(VARIABLES) >= EVENT_NAMES
    assert all(VARIABLES[name] and "empty" in VARIABLES[name] for name in EVENT_NAMES)


@pytest.mark.parametrize(
    ("locale", "currency", "amount", "remaining", "shown", "left", "day"),
    [
        ("es-PE", "PEN", "1234.50", "2469.00", "S/ 1,234.50", "S/ 2,469.00", "15 de diciembre de 2026"),
        ("es-CO", "COP", "1234567", "2469134", "$ 1.234.567", "$ 2.469.134", "15 de diciembre de 2026"),
        ("es-MX", "MXN", "1234.50", "2469.00", "$1,234.50", "$2,469.00", "15 de diciembre de 2026"),
        ("es-CL", "CLP", "205750", "411500", "$205.750", "$411.500", "15 de diciembre de 2026"),
        ("en-US", "JPY", "205750", "411500", "¥205,750", "¥411,500", "December 15, 2026"),
        ("en-US", "USD", "205.75", "411.50", "$205.75", "$411.50", "December 15, 2026"),
    ],
)
def test_instalment_values_are_formatted_for_the_locale_and_currency(
    locale: str, currency: str, amount: str, remaining: str, shown: str, left: str, day: str
) -> None:
    ctx = sample_context(locale, currency, TODAY)
    values = variables(dataclasses.replace(ctx, facts=_instalment(currency, amount, remaining)))
    assert values["instalment_amount"] == shown
    assert values["plan_remaining"] == left
    assert values["instalment_due_date"] == day
    assert (values["instalment_number"], values["instalment_count"]) == (2, 3)
    assert values["promise_amount"] == values["payment_amount"] == ""  # not about a promise


def test_a_cadence_message_has_every_event_variable_empty() -> None:
    ctx = dataclasses.replace(sample_context("es-PE", None, TODAY), facts=None)
    values = variables(ctx)
    assert {name: values[name] for name in EVENT_NAMES} == dict.fromkeys(EVENT_NAMES, "")


def test_promise_and_payment_values() -> None:
    facts = EventFacts(
        "PEN",
        promise_amount=Decimal("500.00"),
        promise_date=date(2026, 12, 15),
        promise_kept_amount=Decimal("0"),
        payment_amount=Decimal("150.00"),
    )
    values = variables(dataclasses.replace(sample_context("es-PE", "PEN", TODAY), facts=facts))
    assert values["promise_amount"] == "S/ 500.00"
    assert values["promise_date"] == "15 de diciembre de 2026"
    assert values["promise_kept_amount"] == "S/ 0.00"
    assert values["payment_amount"] == "S/ 150.00"
    assert values["instalment_amount"] == ""


def test_sample_facts_are_whole_for_currencies_without_cents() -> None:
    assert sample_facts("CLP", TODAY).instalment_amount == Decimal(205750)
    assert sample_facts("JPY", TODAY).instalment_amount == Decimal(205750)
    assert sample_facts("PEN", TODAY).instalment_amount == Decimal("205.75")
    assert sample_context("es-CL", None, TODAY).facts == sample_facts("CLP", TODAY)


def test_filled_keeps_the_real_facts_and_takes_the_rest_from_the_samples() -> None:
    real = _instalment("PEN", "100.00", "300.00")
    merged = filled(real, sample_facts("PEN", TODAY))
    assert merged.instalment_amount == Decimal("100.00") and merged.plan_remaining == Decimal("300.00")
    assert merged.promise_amount == Decimal("500.00")
    assert filled(None, sample_facts("PEN", TODAY)) == sample_facts("PEN", TODAY)


def test_templates_using_event_variables_save_and_unknown_ones_are_refused() -> None:
    text = (
        "{{ creditor_name }}: cuota {{ instalment_number }}/{{ instalment_count }} de {{ instalment_amount }}"
    )
    assert check_template(TemplateBody(TemplateChannel.SMS, "es-PE", text=text)) == []
    [problem] = check_template(TemplateBody(TemplateChannel.SMS, "es-PE", text="{{ instalment_amout }}"))
    assert problem.code is ErrorCode.TEMPLATE_UNKNOWN_VARIABLE


def test_a_template_that_fails_without_the_facts_is_refused_at_save() -> None:
    # instalment_number is "" in a message without the facts: arithmetic on it fails at run time
    body = TemplateBody(
        TemplateChannel.SMS, "es-PE", text="quedan {{ instalment_count - instalment_number }}"
    )
    [problem] = check_template(body)
    assert problem.code is ErrorCode.TEMPLATE_RENDER_FAILED


@pytest.mark.parametrize("locale", ["es-PE", "es-CO", "es-MX", "es-CL", "en-US"])
def test_the_instalment_starters_state_the_instalment_not_the_balance(locale: str) -> None:
    bodies = [b for n, b in default_templates() if n == "instalment-due" and b.locale == locale]
    assert {b.channel for b in bodies} == {TemplateChannel.EMAIL, TemplateChannel.SMS}
    ctx = sample_context(locale, None, TODAY)
    ctx = dataclasses.replace(ctx, debts=ctx.debts[:1])
    values = variables(ctx)
    for body in bodies:
        out = render(body, ctx, opt_out_notice=True)
        assert values["instalment_amount"] in (out.text or "")
        assert values["instalment_due_date"] in (out.text or "")
        assert values["balance"] not in (out.text or "") and values["due_date"] not in (out.text or "")
        without = render(body, dataclasses.replace(ctx, facts=None), opt_out_notice=True)
        assert "None" not in (without.text or "") and " de  " not in (without.text or "")


@pytest.mark.parametrize("locale", ["es-PE", "en-US"])
def test_the_promise_starters_state_the_promised_amount_and_date(locale: str) -> None:
    ctx = sample_context(locale, None, TODAY)
    values = variables(ctx)
    for body in (b for n, b in default_templates() if n == "promise-due" and b.locale == locale):
        text = render(body, ctx, opt_out_notice=False).text or ""
        assert values["promise_amount"] in text and values["promise_date"] in text
