"""Templates: locale formatting, SMS encoding, checks at save time, sandbox, rendering guarantees."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.templates import (
    DebtLine,
    TemplateBody,
    TemplateChannel,
    check_template,
    default_templates,
    format_date,
    format_money,
    render,
    sample_context,
    sms_info,
)

TODAY = date(2026, 12, 1)
CURRENCY = {"es-PE": "PEN", "es-CO": "COP", "es-MX": "MXN", "es-CL": "CLP", "en-US": "USD"}


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("1234.50", "PEN", "es-PE", "S/ 1,234.50"),
        ("1234567", "COP", "es-CO", "$ 1.234.567"),
        ("1234567.50", "COP", "es-CO", "$ 1.234.567,50"),
        ("1234.50", "MXN", "es-MX", "$1,234.50"),
        ("1234567", "CLP", "es-CL", "$1.234.567"),
        ("1234.50", "USD", "en-US", "$1,234.50"),
    ],
)
def test_money_is_written_as_in_each_country(amount: str, currency: str, locale: str, expected: str) -> None:
    assert format_money(Decimal(amount), currency, locale) == expected


def test_dates_use_the_long_local_form() -> None:
    assert format_date(date(2026, 12, 15), "es-PE") == "15 de diciembre de 2026"
    assert format_date(date(2026, 12, 15), "en-US") == "December 15, 2026"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("€" * 80, ("GSM-7", 1)),  # extension characters take two septets
        ("€" * 81, ("GSM-7", 2)),
        ("ñÑéüàÇ" + "a" * 154, ("GSM-7", 1)),
        ("á" * 70, ("UCS-2", 1)),
        ("á" * 71, ("UCS-2", 2)),
        ("í" + "a" * 133, ("UCS-2", 2)),
    ],
)
def test_sms_encoding_and_segments(text: str, expected: tuple[str, int]) -> None:
    assert sms_info(text) == expected


def test_unknown_variables_and_syntax_errors_are_refused_at_save() -> None:
    bad = TemplateBody(TemplateChannel.SMS, "es-PE", text="Hola {{ nombre }}")
    assert [(p.field, p.code) for p in check_template(bad)] == [("text", ErrorCode.TEMPLATE_UNKNOWN_VARIABLE)]
    broken = TemplateBody(TemplateChannel.SMS, "es-PE", text="Hola {{ debtor_name ")
    [problem] = check_template(broken)
    assert problem.code is ErrorCode.TEMPLATE_SYNTAX_ERROR and "line 1" in problem.message


def test_each_channel_requires_its_parts() -> None:
    email = TemplateBody(TemplateChannel.EMAIL, "es-PE", text="x {{ creditor_name }}")
    assert {p.field for p in check_template(email)} == {"subject", "html"}
    whatsapp = TemplateBody(TemplateChannel.WHATSAPP, "es-PE", whatsapp_params=("debtor_name", "nope"))
    fields = {(p.field, p.code) for p in check_template(whatsapp)}
    assert ("whatsapp_template", ErrorCode.TEMPLATE_MISSING_PART) in fields
    assert ("whatsappParams[1]", ErrorCode.TEMPLATE_UNKNOWN_VARIABLE) in fields
    assert check_template(TemplateBody(TemplateChannel.SMS, "xx-??", text="{{ balance }}"))[0].code is (
        ErrorCode.INVALID_LOCALE
    )


def test_the_sandbox_refuses_private_attributes() -> None:
    escape = TemplateBody(TemplateChannel.SMS, "es-PE", text="{{ debtor_name.__class__.__mro__ }}")
    assert check_template(escape)[0].code is ErrorCode.INVALID
    with pytest.raises(DomainError) as err:
        render(escape, sample_context("es-PE", "PEN", TODAY))
    assert err.value.code is ErrorCode.TEMPLATE_RENDER_FAILED


def test_html_is_escaped_and_text_is_not() -> None:
    body = TemplateBody(
        TemplateChannel.EMAIL,
        "es-PE",
        subject="{{ debtor_name }}",
        html="<p>{{ debtor_name }}</p>",
        text="{{ debtor_name }}",
    )
    ctx = dataclasses.replace(sample_context("es-PE", "PEN", TODAY), debtor_name="<b>Ana</b>")
    out = render(body, ctx)
    assert "&lt;b&gt;Ana&lt;/b&gt;" in (out.html or "") and "<b>Ana</b>" in (out.text or "")


def test_every_message_names_the_creditor_and_gets_the_opt_out_notice_when_asked() -> None:
    body = TemplateBody(TemplateChannel.SMS, "es-PE", text="Hola {{ debtor_name }}, debe {{ balance }}.")
    ctx = dataclasses.replace(sample_context("es-PE", "PEN", TODAY), debtor_name="Jose")
    plain = render(body, ctx)
    assert plain.text == "Comercial Andina SAC: Hola Jose, debe S/ 1,484.50."
    noticed = render(body, ctx, opt_out_notice=True)
    assert noticed.text is not None and noticed.text.endswith("Responda BAJA para no recibir mas mensajes.")
    assert noticed.sms_encoding == "GSM-7"
    english = TemplateBody(TemplateChannel.SMS, "en-US", text="{{ creditor_name }} {{ balance }}")
    us = render(english, sample_context("en-US", "USD", TODAY), opt_out_notice=True)
    assert us.text is not None and us.text.endswith("Reply STOP to opt out.")


def test_email_carries_list_unsubscribe() -> None:
    body = TemplateBody(
        TemplateChannel.EMAIL, "es-PE", subject="s", html="<p>{{ creditor_name }}</p>", text="t"
    )
    out = render(
        body,
        sample_context("es-PE", "PEN", TODAY),
        unsubscribe_mailto="baja@acme.pe",
        unsubscribe_url="https://acme.pe/baja/x",
    )
    assert out.headers == {
        "List-Unsubscribe": "<mailto:baja@acme.pe>, <https://acme.pe/baja/x>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def test_a_consolidated_message_lists_every_debt_and_refuses_mixed_currencies() -> None:
    body = TemplateBody(
        TemplateChannel.SMS,
        "es-PE",
        text="{{ creditor_name }}: {% for d in debts %}{{ d.number }} {{ d.balance }}; {% endfor %}",
    )
    out = render(body, sample_context("es-PE", "PEN", TODAY))
    assert out.text == "Comercial Andina SAC: F001-000123 S/ 1,234.50; F001-000145 S/ 250.00;"
    mixed = dataclasses.replace(
        sample_context("es-PE", "PEN", TODAY),
        debts=(
            DebtLine("a", "1", None, "PEN", Decimal("1.00"), Decimal("1.00"), TODAY, 0),
            DebtLine("b", "2", None, "USD", Decimal("1.00"), Decimal("1.00"), TODAY, 0),
        ),
    )
    with pytest.raises(DomainError) as err:
        render(body, mixed)
    assert err.value.code is ErrorCode.CURRENCY_MISMATCH


def test_whatsapp_renders_parameters_and_a_preview() -> None:
    body = TemplateBody(
        TemplateChannel.WHATSAPP,
        "es-CO",
        whatsapp_template="saldo_vencido",
        whatsapp_params=("debtor_name", "balance"),
        preview_text="Hola {{1}}, su saldo es {{2}}.",
    )
    out = render(body, sample_context("es-CO", "COP", TODAY), opt_out_notice=True)
    assert out.whatsapp_params == ("María Quispe", "$ 1.484.567")
    assert out.preview == "Hola María Quispe, su saldo es $ 1.484.567."
    assert out.whatsapp_language == "es_CO"


def test_every_starter_template_checks_and_renders_in_its_locale() -> None:
    templates = default_templates()
    assert {b.locale for _, b in templates} == set(CURRENCY)
    for name, body in templates:
        assert check_template(body) == [], (name, body.locale)
        out = render(body, sample_context(body.locale, CURRENCY[body.locale], TODAY), opt_out_notice=True)
        shown = out.preview if body.channel is TemplateChannel.WHATSAPP else (out.text or "")
        assert "Comercial Andina SAC" in shown or body.channel is TemplateChannel.WHATSAPP, (
            name,
            body.locale,
        )
        assert shown
