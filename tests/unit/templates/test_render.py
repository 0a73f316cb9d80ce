"""Rendering: escaping, creditor identification, opt-out notices, List-Unsubscribe, consolidation."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.templates import (
    DebtLine,
    MessageContext,
    TemplateBody,
    TemplateChannel,
    render,
    sample_context,
    variables,
)

TODAY = date(2026, 12, 1)
SMS = TemplateChannel.SMS
EMAIL = TemplateChannel.EMAIL


def pe(**changes: object) -> MessageContext:
    return dataclasses.replace(sample_context("es-PE", "PEN", TODAY), **changes)  # type: ignore[arg-type]


def one_debt(ctx: MessageContext) -> MessageContext:
    return dataclasses.replace(ctx, debts=ctx.debts[:1])


def email(html: str = "<p>{{ creditor_name }}</p>", text: str = "{{ creditor_name }}") -> TemplateBody:
    return TemplateBody(EMAIL, "es-PE", subject="{{ creditor_name }}: aviso", html=html, text=text)


def test_the_variables_of_a_consolidated_message() -> None:
    values = variables(pe())
    assert values["amount"] == values["balance"] == "S/ 1,484.50"
    assert values["currency"] == "PEN"
    assert values["due_date"] == "24 de noviembre de 2026"  # the earliest
    assert values["days_past_due"] == 7  # the most overdue
    assert values["debt_number"] == "F001-000123"
    assert values["debt_count"] == 2
    assert values["today"] == "1 de diciembre de 2026"
    assert values["debts"][1] == {
        "number": "F001-000145",
        "description": "Cuota 4/6",
        "amount": "S/ 250.00",
        "balance": "S/ 250.00",
        "due_date": "6 de diciembre de 2026",
        "days_past_due": -5,
    }


def test_amount_and_balance_differ_after_partial_payments() -> None:
    debt = DebtLine("d", "F-1", None, "COP", Decimal("1500000"), Decimal("1000000.50"), TODAY, 3)
    values = variables(dataclasses.replace(sample_context("es-CO", "COP", TODAY), debts=(debt,)))
    assert (values["amount"], values["balance"]) == ("$ 1.500.000", "$ 1.000.000,50")


def test_optional_facts_are_empty_strings() -> None:
    values = variables(pe(payment_link=None, payment_instructions=None, agent_name=None))
    assert values["payment_link"] == values["payment_instructions"] == values["agent_name"] == ""


def test_html_is_escaped_and_text_is_not() -> None:
    body = TemplateBody(
        EMAIL, "es-PE", subject="{{ debtor_name }}", html="<p>{{ debtor_name }}</p>", text="{{ debtor_name }}"
    )
    out = render(body, pe(debtor_name="<b>Ana</b>"))
    assert out.html is not None and out.html.startswith("<p>&lt;b&gt;Ana&lt;/b&gt;</p>")
    assert out.text is not None and out.text.startswith("<b>Ana</b>")
    assert out.subject == "<b>Ana</b>"


def test_the_subject_is_one_line() -> None:
    out = render(email(), pe(creditor_name="Acme\r\nBcc: x@y.z"))
    assert out.subject == "Acme Bcc: x@y.z: aviso"


def test_sms_names_the_creditor_when_the_template_does_not() -> None:
    body = TemplateBody(SMS, "es-PE", text="Hola {{ debtor_name }}, debe {{ balance }}.")
    out = render(body, pe(debtor_name="Jose"))
    assert out.text == "Comercial Andina SAC: Hola Jose, debe S/ 1,484.50."
    assert (out.sms_encoding, out.sms_segments) == ("GSM-7", 1)
    named = TemplateBody(SMS, "es-PE", text="Hola, le escribe {{ creditor_name }}.")
    assert render(named, pe()).text == "Hola, le escribe Comercial Andina SAC."


def test_email_and_call_scripts_name_the_creditor_in_the_locale() -> None:
    out = render(email(html="<p>Hola</p>", text="Hola"), pe(creditor_name="A & B SAC"))
    assert out.text == "Hola\n\nEste mensaje le fue enviado por A & B SAC."
    assert out.html == "<p>Hola</p>\n<p>Este mensaje le fue enviado por A &amp; B SAC.</p>"
    us = TemplateBody(EMAIL, "en-US", subject="s", html="<p>Hi</p>", text="Hi")
    out = render(us, sample_context("en-US", "USD", TODAY))
    assert out.text == "Hi\n\nThis message was sent by Acme Supplies Inc."
    call = TemplateBody(TemplateChannel.CALL_TASK, "es-PE", text="Llamar a {{ debtor_name }}.")
    assert render(call, pe()).text == "Acreedor: Comercial Andina SAC\nLlamar a María Quispe."
    html_named = render(email(html="<p>{{ creditor_name }}</p>"), pe(creditor_name="A & B SAC"))
    assert html_named.html == "<p>A &amp; B SAC</p>"


def test_sms_opt_out_notice_is_localized_and_keeps_gsm7_when_it_can() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}: debe {{ balance }}.")
    plain = render(body, pe(), opt_out_notice=True)
    assert plain.text == "Comercial Andina SAC: debe S/ 1,484.50. Responda BAJA para no recibir mas mensajes."
    assert plain.sms_encoding == "GSM-7"
    accented = render(body, pe(creditor_name="Panadería Lúcuma"), opt_out_notice=True)
    assert accented.text is not None and accented.text.endswith("Responda BAJA para no recibir más mensajes.")
    assert accented.sms_encoding == "UCS-2"
    custom = render(body, pe(), opt_out_notice=True, opt_out_keyword="salir")
    assert custom.text is not None and custom.text.endswith("Responda SALIR para no recibir mas mensajes.")
    english = TemplateBody(SMS, "en-US", text="{{ creditor_name }} {{ balance }}")
    us = render(english, sample_context("en-US", "USD", TODAY), opt_out_notice=True)
    assert us.text == "Acme Supplies Inc. $1,484.50 Reply STOP to opt out."
    assert render(body, pe()).text == "Comercial Andina SAC: debe S/ 1,484.50."


def test_email_opt_out_footer_in_both_parts() -> None:
    with_link = render(email(), pe(), opt_out_notice=True, unsubscribe_url="https://acme.pe/baja?x=1&y=2")
    assert with_link.text is not None and with_link.text.endswith(
        "Si no desea recibir más recordatorios por correo, puede darse de baja aquí: https://acme.pe/baja?x=1&y=2"
    )
    assert with_link.html is not None
    assert '<a href="https://acme.pe/baja?x=1&amp;y=2">' in with_link.html.splitlines()[-1]
    by_reply = render(email(), pe(), opt_out_notice=True)
    assert by_reply.text is not None and by_reply.text.endswith("con la palabra BAJA.")
    assert by_reply.html is not None and "con la palabra BAJA." in by_reply.html
    us = TemplateBody(
        EMAIL, "en-US", subject="s", html="<p>{{ creditor_name }}</p>", text="{{ creditor_name }}"
    )
    out = render(us, sample_context("en-US", "USD", TODAY), opt_out_notice=True)
    assert out.text is not None and out.text.endswith("reply to this message with the word STOP.")
    assert render(email(), pe()).text == "Comercial Andina SAC"


def test_whatsapp_and_call_scripts_get_no_opt_out_notice() -> None:
    whatsapp = TemplateBody(
        TemplateChannel.WHATSAPP, "es-PE", whatsapp_template="t", whatsapp_params=("creditor_name",)
    )
    assert render(whatsapp, pe(), opt_out_notice=True).preview == "Comercial Andina SAC"
    call = TemplateBody(TemplateChannel.CALL_TASK, "es-PE", text="{{ creditor_name }}")
    assert render(call, pe(), opt_out_notice=True).text == "Comercial Andina SAC"


@pytest.mark.parametrize(
    ("mailto", "url", "expected"),
    [
        (
            "baja@acme.pe",
            "https://acme.pe/baja/x",
            {
                "List-Unsubscribe": "<mailto:baja@acme.pe>, <https://acme.pe/baja/x>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        ),
        ("baja@acme.pe", None, {"List-Unsubscribe": "<mailto:baja@acme.pe>"}),
        (None, "http://acme.pe/baja", {"List-Unsubscribe": "<http://acme.pe/baja>"}),  # no one-click
        (None, None, {}),
    ],
)
def test_email_carries_list_unsubscribe(
    mailto: str | None, url: str | None, expected: dict[str, str]
) -> None:
    out = render(email(), pe(), unsubscribe_mailto=mailto, unsubscribe_url=url)
    assert dict(out.headers) == expected


def test_unsubscribe_targets_cannot_inject_headers() -> None:
    with pytest.raises(DomainError) as err:
        render(email(), pe(), unsubscribe_mailto="a@b.c>\r\nBcc: x@y.z")
    assert err.value.code is ErrorCode.INVALID


def test_only_email_has_headers() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}")
    assert render(body, pe(), unsubscribe_mailto="baja@acme.pe").headers == {}


def test_a_consolidated_message_lists_every_debt() -> None:
    body = TemplateBody(
        SMS,
        "es-PE",
        text="{{ creditor_name }}: {% for d in debts %}{{ d.number }} {{ d.balance }}; {% endfor %}",
    )
    out = render(body, pe())
    assert out.text == "Comercial Andina SAC: F001-000123 S/ 1,234.50; F001-000145 S/ 250.00;"


def test_totals_never_add_across_currencies() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }} {{ balance }}")
    mixed = pe(
        debts=(
            DebtLine("a", "1", None, "PEN", Decimal("1.00"), Decimal("1.00"), TODAY, 0),
            DebtLine("b", "2", None, "USD", Decimal("1.00"), Decimal("1.00"), TODAY, 0),
        )
    )
    with pytest.raises(DomainError) as err:
        render(body, mixed)
    assert err.value.code is ErrorCode.CURRENCY_MISMATCH and "PEN, USD" in str(err.value)
    with pytest.raises(DomainError) as err:
        render(body, pe(debts=()))
    assert err.value.code is ErrorCode.INVALID


def test_whatsapp_renders_parameters_a_preview_and_the_language() -> None:
    body = TemplateBody(
        TemplateChannel.WHATSAPP,
        "es-CO",
        whatsapp_template="payment_overdue",
        whatsapp_params=(
            "debtor_name",
            "balance",
            "payment_link",
            "debts|map(attribute='number')|join(', ')",
        ),
        preview_text="Hola {{1}}, su saldo es {{2}}. {{3}} {{ 4 }}",
    )
    ctx = dataclasses.replace(sample_context("es-CO", "COP", TODAY), payment_link=None)
    out = render(body, ctx, opt_out_notice=True)
    assert out.whatsapp_params == ("Juan Camilo Rodríguez", "$ 1.484.567", "-", "FE-10234, FE-10261")
    assert out.preview == "Hola Juan Camilo Rodríguez, su saldo es $ 1.484.567. - FE-10234, FE-10261"
    assert (out.whatsapp_template, out.whatsapp_language) == ("payment_overdue", "es")
    assert out.text is None and out.sms_encoding is None
    mx = dataclasses.replace(body, locale="es-MX")
    assert render(mx, sample_context("es-MX", None, TODAY)).whatsapp_language == "es_MX"
    explicit = dataclasses.replace(body, whatsapp_language="es_CO")
    assert render(explicit, ctx).whatsapp_language == "es_CO"


def test_whatsapp_parameters_have_no_line_breaks() -> None:
    body = TemplateBody(
        TemplateChannel.WHATSAPP, "es-PE", whatsapp_template="t", whatsapp_params=("payment_instructions",)
    )
    out = render(body, pe(payment_instructions="Cuenta BCP\n\t193-1234567    0-12"))
    assert out.whatsapp_params == ("Cuenta BCP 193-1234567 0-12",)


def test_blank_lines_left_by_optional_blocks_are_collapsed() -> None:
    text = (
        "{{ creditor_name }}\n{% if agent_name %}{{ agent_name }}{% endif %}\n\n\n{% if 0 %}x{% endif %}\nFin"
    )
    out = render(TemplateBody(TemplateChannel.CALL_TASK, "es-PE", text=text), pe(agent_name=None))
    assert out.text == "Comercial Andina SAC\n\nFin"


def test_a_missing_part_fails_at_render_too() -> None:
    with pytest.raises(DomainError) as err:
        render(TemplateBody(SMS, "es-PE"), pe())
    assert err.value.code is ErrorCode.TEMPLATE_MISSING_PART


def test_undefined_values_fail_with_the_part_named() -> None:
    body = TemplateBody(EMAIL, "es-PE", subject="ok", html="<p>{{ nope }}</p>", text="t")
    with pytest.raises(DomainError) as err:
        render(body, pe())
    assert err.value.code is ErrorCode.TEMPLATE_RENDER_FAILED
    assert err.value.errors[0].field == "html" and "nope" in str(err.value)


@pytest.mark.parametrize("locale", ["es-PE", "es-CO", "es-MX", "es-CL", "en-US"])
def test_sample_facts_use_the_locale_currency_and_two_debts(locale: str) -> None:
    ctx = sample_context(locale, None, TODAY)
    currencies = {"es-PE": "PEN", "es-CO": "COP", "es-MX": "MXN", "es-CL": "CLP", "en-US": "USD"}
    assert {d.currency for d in ctx.debts} == {currencies[locale]}
    assert len(ctx.debts) == 2 and ctx.debts[0].days_past_due == 7 and ctx.debts[1].days_past_due == -5
    assert ctx.today == TODAY and ctx.creditor_name and ctx.debtor_name and ctx.payment_link
    assert variables(ctx)["balance"]
