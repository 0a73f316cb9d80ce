"""Checks when a template is saved: syntax, variables, parts per channel, locale, sandbox, limits."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError, ErrorCode
from domain.templates import (
    VARIABLES,
    TemplateBody,
    TemplateChannel,
    check_template,
    render,
    sample_context,
)

SMS = TemplateChannel.SMS
EMAIL = TemplateChannel.EMAIL
WHATSAPP = TemplateChannel.WHATSAPP
CALL = TemplateChannel.CALL_TASK


def problems(body: TemplateBody) -> list[tuple[str, ErrorCode]]:
    return [(p.field, p.code) for p in check_template(body)]


def test_a_good_template_has_no_problems() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}: {{ debtor_name }}, debe {{ balance }}.")
    assert check_template(body) == []


def test_every_documented_variable_can_be_used() -> None:
    text = " ".join(f"{{{{ {name} }}}}" for name in VARIABLES)
    assert check_template(TemplateBody(CALL, "en-US", text=text)) == []
    for name in ("debtor_name", "creditor_name", "amount", "balance", "currency", "due_date"):
        assert name in VARIABLES and VARIABLES[name]


def test_unknown_variables_are_refused_at_save() -> None:
    [problem] = check_template(
        TemplateBody(SMS, "es-PE", text="Hola {{ nombre }} {{ zz }} {{ debtor_name }}")
    )
    assert (problem.field, problem.code) == ("text", ErrorCode.TEMPLATE_UNKNOWN_VARIABLE)
    assert problem.message == "unknown variable(s): nombre, zz"


def test_loop_variables_and_set_names_are_not_unknown() -> None:
    text = (
        "{% set total = balance %}{% for d in debts %}{{ loop.index }} {{ d.number }}{% endfor %} {{ total }}"
    )
    assert check_template(TemplateBody(SMS, "es-PE", text=text)) == []


def test_syntax_errors_are_refused_with_their_line() -> None:
    [problem] = check_template(TemplateBody(SMS, "es-PE", text="Hola {{ debtor_name "))
    assert problem.code is ErrorCode.TEMPLATE_SYNTAX_ERROR and "line 1" in problem.message
    broken = TemplateBody(
        EMAIL, "es-PE", subject="s {{ creditor_name }}", html="<p>a</p>\n<p>{% if x %}</p>", text="t"
    )
    [problem] = check_template(broken)
    assert (problem.field, problem.code) == ("html", ErrorCode.TEMPLATE_SYNTAX_ERROR)
    assert "line 2" in problem.message


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        (TemplateBody(EMAIL, "es-PE", text="x"), {"subject", "html"}),
        (TemplateBody(EMAIL, "es-PE", subject="s", html="  ", text="t"), {"html"}),
        (TemplateBody(EMAIL, "es-PE"), {"subject", "html", "text"}),
        (TemplateBody(SMS, "es-PE"), {"text"}),
        (TemplateBody(CALL, "es-PE", text=""), {"text"}),
        (TemplateBody(WHATSAPP, "es-PE", whatsapp_params=("debtor_name",)), {"whatsappTemplate"}),
    ],
)
def test_each_channel_requires_its_parts(body: TemplateBody, missing: set[str]) -> None:
    found = check_template(body)
    assert {p.field for p in found if p.code is ErrorCode.TEMPLATE_MISSING_PART} == missing


def test_parts_of_another_channel_are_refused() -> None:
    sms = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}", subject="s", whatsapp_template="x")
    assert set(problems(sms)) == {
        ("subject", ErrorCode.TEMPLATE_CHANNEL_MISMATCH),
        ("whatsappTemplate", ErrorCode.TEMPLATE_CHANNEL_MISMATCH),
    }
    whatsapp = TemplateBody(WHATSAPP, "es-PE", whatsapp_template="x", text="hola")
    assert problems(whatsapp) == [("text", ErrorCode.TEMPLATE_CHANNEL_MISMATCH)]


def test_an_invalid_locale_is_refused() -> None:
    assert problems(TemplateBody(SMS, "xx-??", text="{{ balance }}")) == [
        ("locale", ErrorCode.INVALID_LOCALE)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "{{ ''.__class__ }}",
        "{{ debtor_name.__class__.__mro__ }}",
        "{{ debts._x }}",
        "{{ debts['__class__'] }}",
        "{{ debtor_name|attr('__class__') }}",
        "{{ debts|map(attribute='__class__')|list }}",
        "{{ debts|map(attribute='number.__class__')|list }}",
    ],
)
def test_private_attributes_are_refused_at_save_and_at_render(text: str) -> None:
    [problem] = check_template(TemplateBody(SMS, "es-PE", text=text))
    assert problem.code is ErrorCode.INVALID and "_" in problem.message and "private" in problem.message


@pytest.mark.parametrize(
    "text",
    ["{{ ''.__class__ }}", "{{ debtor_name.__class__.__mro__ }}", "{{ debtor_name|attr('__class__') }}"],
)
def test_the_sandbox_refuses_private_attributes_when_rendering_unchecked_templates(text: str) -> None:
    with pytest.raises(DomainError) as err:
        render(TemplateBody(SMS, "es-PE", text=text), sample_context("es-PE", "PEN", date(2026, 12, 1)))
    assert err.value.code is ErrorCode.TEMPLATE_RENDER_FAILED
    assert "unsafe" in str(err.value) and err.value.errors[0].field == "text"


def test_plain_text_with_underscores_is_fine() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}: ref __ABC__ ._x {{ debt_number }}")
    assert check_template(body) == []


def test_parts_over_20_kb_are_refused() -> None:
    body = TemplateBody(SMS, "es-PE", text="{{ creditor_name }}" + "a" * 20 * 1024)
    assert problems(body) == [("text", ErrorCode.INVALID)]
    assert check_template(TemplateBody(SMS, "es-PE", text="{{ creditor_name }}" + "a" * 20_000)) == []


@pytest.mark.parametrize(
    "text",
    [
        "{{ 'x' * 100000000 }}",
        "{{ 9 ** 100000 }}",
        "{% for i in range(100000) %}x{% endfor %}",
        "{{ debts[5].number }}",
        "{{ balance + 1 }}",
        "{{ days_past_due / 0 }}",
    ],
)
def test_run_time_failures_are_found_by_rendering_sample_facts(text: str) -> None:
    [problem] = check_template(TemplateBody(SMS, "es-PE", text="{{ creditor_name }} " + text))
    assert (problem.field, problem.code) == ("text", ErrorCode.TEMPLATE_RENDER_FAILED)


def test_a_consolidated_only_template_fails_the_single_debt_trial() -> None:
    [problem] = check_template(TemplateBody(SMS, "es-PE", text="{{ debts[1].number }}"))
    assert problem.code is ErrorCode.TEMPLATE_RENDER_FAILED and "sample" in problem.message


def test_whatsapp_parameters_are_single_known_expressions() -> None:
    body = TemplateBody(
        WHATSAPP,
        "es-PE",
        whatsapp_template="payment_reminder",
        whatsapp_params=(
            "debtor_name",
            "nope",
            "balance }} x {{ balance",
            "debts|map(attribute='number')|join(', ')",
        ),
        preview_text="{{1}} {{2}} {{3}} {{4}}",
    )
    assert problems(body) == [
        ("whatsappParams[1]", ErrorCode.TEMPLATE_UNKNOWN_VARIABLE),
        ("whatsappParams[2]", ErrorCode.TEMPLATE_SYNTAX_ERROR),
    ]


def test_whatsapp_names_languages_and_placeholders_are_checked() -> None:
    body = TemplateBody(
        WHATSAPP,
        "es-PE",
        whatsapp_template="Payment-Reminder",
        whatsapp_language="es-PE",
        whatsapp_params=("debtor_name", "balance"),
        preview_text="Hola {{1}}, debe {{3}}.",
    )
    assert problems(body) == [
        ("whatsappTemplate", ErrorCode.INVALID),
        ("whatsappLanguage", ErrorCode.INVALID),
        ("previewText", ErrorCode.INVALID),
    ]
    good = TemplateBody(
        WHATSAPP,
        "es-PE",
        whatsapp_template="payment_reminder",
        whatsapp_language="es",
        whatsapp_params=("debtor_name", "balance"),
        preview_text="Hola {{1}}, debe {{ 2 }}.",
    )
    assert check_template(good) == []
