"""Rendering one message: strict, sandboxed, with the HTML part alone autoescaped.

The engine, not the template author, guarantees two things on every message:

* it identifies the creditor: when the rendered SMS does not name `creditor_name` it is prefixed with
  `"<creditor>: "`; an e-mail gets a localized "sent by <creditor>" line at the end of its plain and HTML
  parts; a call script starts with "Acreedor: <creditor>" / "Creditor: <creditor>";
* when `opt_out_notice` is set (the debtor's contact policy asks for it), a localized opt-out notice:
  SMS `Responda BAJA para no recibir más mensajes.` / `Reply STOP to opt out.`; EMAIL a footer in both
  parts (an unsubscribe link when a URL is given, else "reply with the keyword").

WhatsApp messages are provider-approved templates sent as they are: nothing can be appended, so the
approved text itself must name the creditor and carry any opt-out wording. Call scripts get no opt-out
notice (they are read by an agent, not sent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from markupsafe import escape

from domain.errors import DomainError, ErrorCode
from domain.templates.formatting import babel_locale
from domain.templates.model import MessageContext, RenderedMessage, TemplateBody, TemplateChannel
from domain.templates.sandbox import param_source, render_source
from domain.templates.sms import is_gsm7, sms_info
from domain.templates.values import variables


@dataclass(frozen=True)
class _Words:
    keyword: str
    sms_opt_out: tuple[str, str]  # (GSM-7 spelling, accented spelling)
    email_opt_out_reply: str
    email_opt_out_link: str
    sent_by: str
    creditor: str


_WORDS: Final[dict[str, _Words]] = {
    "es": _Words(
        "BAJA",
        (
            "Responda {keyword} para no recibir mas mensajes.",
            "Responda {keyword} para no recibir más mensajes.",
        ),
        "Si no desea recibir más recordatorios por correo, responda a este mensaje con la palabra {keyword}.",
        "Si no desea recibir más recordatorios por correo, puede darse de baja aquí: {link}",
        "Este mensaje le fue enviado por {creditor}.",
        "Acreedor",
    ),
    "en": _Words(
        "STOP",
        ("Reply {keyword} to opt out.", "Reply {keyword} to opt out."),
        "To stop these reminders by e-mail, reply to this message with the word {keyword}.",
        "To stop these reminders by e-mail, unsubscribe here: {link}",
        "This message was sent by {creditor}.",
        "Creditor",
    ),
    "pt": _Words(
        "SAIR",
        (
            "Responda {keyword} para nao receber mais mensagens.",
            "Responda {keyword} para não receber mais mensagens.",
        ),
        "Para não receber mais lembretes por e-mail, responda a esta mensagem com a palavra {keyword}.",
        "Para não receber mais lembretes por e-mail, cancele aqui: {link}",
        "Esta mensagem foi enviada por {creditor}.",
        "Credor",
    ),
}

_WHATSAPP_REGIONAL: Final = frozenset({"es_AR", "es_ES", "es_MX", "en_GB", "en_US", "pt_BR", "pt_PT"})
"""Regional codes in WhatsApp's list of template languages; other regions use the bare language."""

_PLACEHOLDER: Final = re.compile(r"\{\{\s*(\d+)\s*\}\}")
REQUIRED_PARTS: Final[dict[TemplateChannel, tuple[str, ...]]] = {
    TemplateChannel.EMAIL: ("subject", "html", "text"),
    TemplateChannel.SMS: ("text",),
    TemplateChannel.WHATSAPP: ("whatsapp_template",),
    TemplateChannel.CALL_TASK: ("text",),
}
"""The parts (TemplateBody attributes) each channel requires."""


def whatsapp_language_for(locale: str) -> str:
    """The WhatsApp template language for a locale: `es_MX`, `en_US`…, or the bare language (`es` for
    es-PE, es-CO and es-CL, which WhatsApp does not list as regions)."""
    loc = babel_locale(locale)
    regional = f"{loc.language}_{loc.territory}"
    return regional if regional in _WHATSAPP_REGIONAL else str(loc.language)


def _words(locale: str) -> _Words:
    try:
        language = str(babel_locale(locale).language)
    except DomainError:
        language = "en"
    return _WORDS.get(language, _WORDS["en"])


def _tidy(text: str) -> str:
    # Optional blocks that rendered empty leave blank lines behind: drop trailing spaces, keep at most one.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return "\n".join(line for i, line in enumerate(lines) if line or (i and lines[i - 1]))


def _render(field: str, source: str, values: dict[str, Any], html: bool = False) -> str:
    try:
        return _tidy(render_source(source, values, html))
    except Exception as err:  # undefined values, sandbox refusals, errors inside expressions, limits
        detail = str(err) or type(err).__name__
        raise DomainError(ErrorCode.TEMPLATE_RENDER_FAILED, f"{field}: {detail}", field) from None


def _names(text: str, creditor: str) -> bool:
    return creditor.casefold() in text.casefold()


def _header_value(value: str, what: str) -> str:
    if any(c in value for c in "\r\n<>,") or not value.strip():
        raise DomainError(ErrorCode.INVALID, f"'{value}' is not a valid {what}", what)
    return value.strip()


def _unsubscribe_headers(mailto: str | None, url: str | None) -> dict[str, str]:
    targets = []
    if mailto:
        targets.append(f"<mailto:{_header_value(mailto, 'unsubscribe_mailto')}>")
    if url:
        targets.append(f"<{_header_value(url, 'unsubscribe_url')}>")
    if not targets:
        return {}
    headers = {"List-Unsubscribe": ", ".join(targets)}
    if url and url.strip().lower().startswith("https://"):
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058 one-click
    return headers


def render(
    body: TemplateBody,
    ctx: MessageContext,
    *,
    opt_out_notice: bool = False,
    unsubscribe_mailto: str | None = None,
    unsubscribe_url: str | None = None,
    opt_out_keyword: str | None = None,
) -> RenderedMessage:
    """Render `body` with the facts of `ctx` (see the module docstring for what the engine adds).

    `unsubscribe_mailto` / `unsubscribe_url` become the e-mail's `List-Unsubscribe` header (plus
    `List-Unsubscribe-Post` for an https URL); `opt_out_keyword` defaults to BAJA / STOP / SAIR.
    Raises `DomainError(TEMPLATE_RENDER_FAILED)` when a part fails at run time (undefined value, sandbox
    refusal, size limit), TEMPLATE_MISSING_PART when the channel's required part is absent, and the
    errors of `variables` (CURRENCY_MISMATCH for debts in several currencies).
    """
    for name in REQUIRED_PARTS[body.channel]:
        if not getattr(body, name):
            raise DomainError(ErrorCode.TEMPLATE_MISSING_PART, f"{body.channel} needs a {name}", name)
    values = variables(ctx)
    words = _words(body.locale)
    keyword = (opt_out_keyword or words.keyword).strip().upper()
    creditor = ctx.creditor_name
    subject = html = text = None
    headers: dict[str, str] = {}
    params: tuple[str, ...] = ()
    if body.channel is TemplateChannel.EMAIL:
        subject = " ".join(_render("subject", body.subject or "", values).split())  # one header line
        html = _render("html", body.html or "", values, html=True)
        text = _render("text", body.text or "", values)
        sent_by = words.sent_by.format(creditor=creditor)
        sent_by = sent_by[:-1] if sent_by.endswith("..") else sent_by  # "… Acme Inc.."
        if not _names(text, creditor):
            text = f"{text}\n\n{sent_by}"
        if not (_names(html, creditor) or _names(html, str(escape(creditor)))):
            html = f"{html}\n<p>{escape(sent_by)}</p>"
        if opt_out_notice:
            text, html = _email_footer(text, html, words, keyword, unsubscribe_url)
        headers = _unsubscribe_headers(unsubscribe_mailto, unsubscribe_url)
    elif body.channel is TemplateChannel.SMS:
        text = _render("text", body.text or "", values)
        if not _names(text, creditor):
            text = f"{creditor}: {text}"
        if opt_out_notice:
            plain, accented = words.sms_opt_out
            notice = (plain if is_gsm7(text) else accented).format(keyword=keyword)
            text = f"{text} {notice}"
    elif body.channel is TemplateChannel.CALL_TASK:
        text = _render("text", body.text or "", values)
        if not _names(text, creditor):
            text = f"{words.creditor}: {creditor}\n{text}"
    else:
        params = tuple(
            _whatsapp_param(_render(f"whatsappParams[{i}]", param_source(p), values))
            for i, p in enumerate(body.whatsapp_params)
        )
    encoding, segments = sms_info(text or "") if body.channel is TemplateChannel.SMS else (None, None)
    whatsapp = body.channel is TemplateChannel.WHATSAPP
    language = (body.whatsapp_language or whatsapp_language_for(body.locale)) if whatsapp else None
    return RenderedMessage(
        channel=body.channel,
        subject=subject,
        html=html,
        text=text,
        whatsapp_template=body.whatsapp_template if whatsapp else None,
        whatsapp_language=language,
        whatsapp_params=params,
        headers=headers,
        sms_encoding=encoding,
        sms_segments=segments,
        preview=_preview(body, subject, text, params),
    )


def _email_footer(text: str, html: str, words: _Words, keyword: str, url: str | None) -> tuple[str, str]:
    if url:
        plain = words.email_opt_out_link.format(link=url)
        before, _, after = words.email_opt_out_link.partition("{link}")
        link = f'<a href="{escape(url)}">{escape(url)}</a>'
        rich = f"{escape(before)}{link}{escape(after)}"
    else:
        plain = words.email_opt_out_reply.format(keyword=keyword)
        rich = str(escape(plain))
    return f"{text}\n\n{plain}", f'{html}\n<p style="font-size:small;color:#666666">{rich}</p>'


def _whatsapp_param(value: str) -> str:
    # WhatsApp refuses parameters with new lines, tabs, more than four spaces in a row, or empty ones.
    return " ".join(value.split()) or "-"


def _preview(body: TemplateBody, subject: str | None, text: str | None, params: tuple[str, ...]) -> str:
    if body.channel is TemplateChannel.WHATSAPP:
        if not body.preview_text:
            return " | ".join(params)

        def fill(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            return params[index] if 0 <= index < len(params) else match.group(0)

        return _PLACEHOLDER.sub(fill, body.preview_text)
    if body.channel is TemplateChannel.EMAIL:
        return f"{subject}\n\n{text}"
    return text or ""
