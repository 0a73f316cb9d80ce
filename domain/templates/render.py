"""Checking and rendering templates in a sandboxed Jinja2 (no attribute access beyond plain data).

Variables are a closed set (`VARIABLES`): a template that names anything else is refused when it is
saved, not when a reminder goes out. Rendering is strict (an undefined value is an error) and the
HTML part alone is autoescaped. The engine, not the author, guarantees two things on every message:
that it names the creditor, and — where the debtor's contact policy asks for it — an opt-out notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Final

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from domain.contacts import validate_locale
from domain.errors import DomainError, ErrorCode
from domain.templates.formatting import format_date, format_money
from domain.templates.model import (
    DebtLine,
    MessageContext,
    RenderedMessage,
    TemplateBody,
    TemplateChannel,
    TemplateProblem,
)
from domain.templates.sms import sms_info

MAX_PART = 20_000
"""Characters per template part."""

VARIABLES: Final[Mapping[str, str]] = {
    "debtor_name": "The debtor's name.",
    "creditor_name": "The creditor (the tenant's name).",
    "amount": "Original amount of the listed debts, formatted for the locale and currency.",
    "balance": "Outstanding balance of the listed debts, formatted.",
    "currency": "ISO 4217 code of the listed debts.",
    "due_date": "The earliest due date of the listed debts, formatted for the locale.",
    "days_past_due": "Days past due of the most overdue listed debt (0 or negative before the due date).",
    "debt_number": "The number (or external reference) of the first listed debt.",
    "debts": "The listed debts: each has number, description, amount, balance, due_date, days_past_due.",
    "debt_count": "How many debts the message lists.",
    "payment_link": "Where to pay (the campaign's payment link), or empty.",
    "payment_instructions": "How to pay (the campaign's instructions), or empty.",
    "agent_name": "The assigned agent's name, or empty.",
}

_REQUIRED: Final[dict[TemplateChannel, tuple[str, ...]]] = {
    TemplateChannel.EMAIL: ("subject", "html", "text"),
    TemplateChannel.SMS: ("text",),
    TemplateChannel.WHATSAPP: ("whatsapp_template",),
    TemplateChannel.CALL_TASK: ("text",),
}

_OPT_OUT: Final[dict[str, dict[str, str]]] = {
    "es": {
        "sms": "Responda {keyword} para no recibir mas mensajes.",
        "email": (
            "Si no desea recibir más recordatorios por este medio, responda {keyword} o use el enlace"
            " de baja."
        ),
    },
    "en": {
        "sms": "Reply {keyword} to opt out.",
        "email": "To stop these reminders by e-mail, reply {keyword} or use the unsubscribe link.",
    },
}
_DEFAULT_KEYWORD: Final = {"es": "BAJA", "en": "STOP"}


def _env(autoescape: bool) -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape)


_TEXT_ENV: Final = _env(False)
_HTML_ENV: Final = _env(True)


def _parts(body: TemplateBody) -> dict[str, str | None]:
    return {
        "subject": body.subject,
        "html": body.html,
        "text": body.text,
        "whatsapp_template": body.whatsapp_template,
    }


def check_template(body: TemplateBody) -> list[TemplateProblem]:
    """Everything wrong with a template, as problems with a field and a code; empty means it is fine."""
    problems: list[TemplateProblem] = []
    try:
        validate_locale(body.locale, "locale")
    except DomainError as err:
        problems.append(TemplateProblem("locale", ErrorCode.INVALID_LOCALE, str(err)))
    for name in _REQUIRED[body.channel]:
        if not (_parts(body)[name] or "").strip():
            problems.append(
                TemplateProblem(name, ErrorCode.TEMPLATE_MISSING_PART, f"{body.channel.value} needs a {name}")
            )
    sources = {k: v for k, v in _parts(body).items() if k != "whatsapp_template" and v}
    for i, expression in enumerate(body.whatsapp_params):
        sources[f"whatsappParams[{i}]"] = "{{ " + expression + " }}"
    for name, source in sources.items():
        problems.extend(_check_source(name, source, name == "html"))
    return problems


def _check_source(field: str, source: str, html: bool) -> list[TemplateProblem]:
    if len(source) > MAX_PART:
        return [TemplateProblem(field, ErrorCode.INVALID, f"{field} is longer than {MAX_PART} characters")]
    env = _HTML_ENV if html else _TEXT_ENV
    try:
        ast = env.parse(source)
    except TemplateSyntaxError as err:
        return [TemplateProblem(field, ErrorCode.TEMPLATE_SYNTAX_ERROR, f"line {err.lineno}: {err.message}")]
    unknown = sorted(meta.find_undeclared_variables(ast) - VARIABLES.keys())
    if unknown:
        names = ", ".join(unknown)
        return [TemplateProblem(field, ErrorCode.TEMPLATE_UNKNOWN_VARIABLE, f"unknown variable(s): {names}")]
    if "__" in source or "._" in source:
        # The sandbox would refuse it at render time anyway; say so when the template is saved.
        return [
            TemplateProblem(field, ErrorCode.INVALID, "private attributes are not available in templates")
        ]
    return []


def variables(ctx: MessageContext) -> dict[str, Any]:
    """The values of `VARIABLES` for one message."""
    if not ctx.debts:
        raise DomainError(ErrorCode.INVALID, "a message lists at least one debt", "debts")
    currencies = {d.currency for d in ctx.debts}
    if len(currencies) != 1:
        raise DomainError(ErrorCode.CURRENCY_MISMATCH, "one message lists debts of one currency", "debts")
    currency = currencies.pop()

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
    first: DebtLine = ctx.debts[0]
    return {
        "debtor_name": ctx.debtor_name,
        "creditor_name": ctx.creditor_name,
        "amount": money(sum((d.original_amount for d in ctx.debts), Decimal(0))),
        "balance": money(sum((d.balance for d in ctx.debts), Decimal(0))),
        "currency": currency,
        "due_date": format_date(min(d.due_date for d in ctx.debts), ctx.locale),
        "days_past_due": max(d.days_past_due for d in ctx.debts),
        "debt_number": first.number or "",
        "debts": lines,
        "debt_count": len(ctx.debts),
        "payment_link": ctx.payment_link or "",
        "payment_instructions": ctx.payment_instructions or "",
        "agent_name": ctx.agent_name or "",
    }


def _render(field: str, source: str | None, values: dict[str, Any], html: bool = False) -> str | None:
    if source is None:
        return None
    try:
        rendered = (_HTML_ENV if html else _TEXT_ENV).from_string(source).render(values)
    except Exception as err:  # undefined values, sandbox refusals, type errors inside expressions
        raise DomainError(ErrorCode.TEMPLATE_RENDER_FAILED, f"{field}: {err}", field) from None
    # Optional blocks that rendered empty leave blank lines behind: keep at most one.
    lines = [line.rstrip() for line in rendered.strip().splitlines()]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))


def _language(locale: str) -> str:
    language = locale.split("-")[0].lower()
    return language if language in _OPT_OUT else "en"


def render(
    body: TemplateBody,
    ctx: MessageContext,
    *,
    opt_out_notice: bool = False,
    unsubscribe_mailto: str | None = None,
    unsubscribe_url: str | None = None,
    opt_out_keyword: str | None = None,
) -> RenderedMessage:
    """Render one message. WhatsApp templates are approved by the provider as they are, so nothing is
    appended to them; their creditor and opt-out wording are part of the approved text."""
    values = variables(ctx)
    language = _language(ctx.locale)
    keyword = opt_out_keyword or _DEFAULT_KEYWORD[language]
    subject = _render("subject", body.subject, values)
    html = _render("html", body.html, values, html=True)
    text = _render("text", body.text, values)
    headers: dict[str, str] = {}
    names_creditor = text is None or ctx.creditor_name.casefold() in text.casefold()
    if body.channel is not TemplateChannel.WHATSAPP and not names_creditor:
        text = f"{ctx.creditor_name}: {text}"
    if body.channel is TemplateChannel.SMS and text is not None and opt_out_notice:
        text = f"{text} {_OPT_OUT[language]['sms'].format(keyword=keyword)}"
    if body.channel is TemplateChannel.EMAIL:
        if html is not None and ctx.creditor_name.casefold() not in html.casefold():
            html = f"<p>{_HTML_ENV.from_string('{{ n }}').render(n=ctx.creditor_name)}</p>\n{html}"
        if opt_out_notice:
            notice = _OPT_OUT[language]["email"].format(keyword=keyword)
            text = f"{text}\n\n{notice}"
            html = (
                f'{html}\n<p style="font-size:small">{_HTML_ENV.from_string("{{ n }}").render(n=notice)}</p>'
            )
        targets = [
            f"<{t}>" for t in (unsubscribe_mailto and f"mailto:{unsubscribe_mailto}", unsubscribe_url) if t
        ]
        if targets:
            headers["List-Unsubscribe"] = ", ".join(targets)
            if unsubscribe_url and unsubscribe_url.startswith("https://"):
                headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    params = tuple(
        _render(f"whatsappParams[{i}]", "{{ " + p + " }}", values) or ""
        for i, p in enumerate(body.whatsapp_params)
    )
    encoding, segments = (
        sms_info(text) if body.channel is TemplateChannel.SMS and text is not None else (None, None)
    )
    preview = _preview(body, subject, text, params)
    return RenderedMessage(
        channel=body.channel,
        subject=subject,
        html=html,
        text=text,
        whatsapp_template=body.whatsapp_template,
        whatsapp_language=body.whatsapp_language or ctx.locale.replace("-", "_"),
        whatsapp_params=params,
        headers=headers,
        sms_encoding=encoding,
        sms_segments=segments,
        preview=preview,
    )


def _preview(body: TemplateBody, subject: str | None, text: str | None, params: tuple[str, ...]) -> str:
    if body.channel is TemplateChannel.WHATSAPP:
        shown = body.preview_text or " | ".join(params)
        for i, value in enumerate(params, 1):
            shown = shown.replace("{{" + str(i) + "}}", value)
        return shown
    if body.channel is TemplateChannel.EMAIL:
        return f"{subject}\n\n{text}"
    return text or ""


@lru_cache(maxsize=8)
def _sample_lines(currency: str, today: date) -> tuple[DebtLine, ...]:
    big = Decimal("1234567") if currency in ("COP", "CLP") else Decimal("1234.50")
    small = Decimal("250000") if currency in ("COP", "CLP") else Decimal("250.00")
    return (
        DebtLine("sample-1", "F001-000123", "Cuota 3/6", currency, big, big, today - timedelta(days=7), 7),
        DebtLine(
            "sample-2", "F001-000145", "Cuota 4/6", currency, small, small, today + timedelta(days=5), -5
        ),
    )


def sample_context(locale: str, currency: str, today: date) -> MessageContext:
    """Realistic fake facts (two debts) to test-render a template at activation and in previews."""
    return MessageContext(
        locale=locale,
        debtor_name="María Quispe",
        creditor_name="Comercial Andina SAC",
        debts=_sample_lines(currency, today),
        today=today,
        payment_link="https://pagos.example.com/p/abc123",
        payment_instructions="BCP 193-1234567-0-12",
        agent_name="Lucía Torres",
    )
