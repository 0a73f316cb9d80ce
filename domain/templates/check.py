"""Checking a template when it is saved: everything wrong with it, as problems with a field and a code.

Variables are a closed set (`VARIABLES`): a template that names anything else is refused when it is
saved, not when a reminder goes out. A template without static problems is also test-rendered with
sample facts (one debt and two debts, with sample event facts, and one debt without them), so
expressions that fail at run time are caught here too.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Final

from jinja2 import TemplateSyntaxError, meta, nodes

from domain.errors import DomainError, ErrorCode
from domain.templates.formatting import babel_locale
from domain.templates.model import TemplateBody, TemplateChannel, TemplateProblem
from domain.templates.render import REQUIRED_PARTS, render
from domain.templates.sandbox import MAX_PART_BYTES, env_for, param_source, private_names
from domain.templates.values import VARIABLES, sample_context

_WHATSAPP_ONLY: Final = ("whatsapp_template", "whatsapp_language", "preview_text")
_API_NAMES: Final = {
    "whatsapp_template": "whatsappTemplate",
    "whatsapp_language": "whatsappLanguage",
    "preview_text": "previewText",
}
_WHATSAPP_NAME: Final = re.compile(r"^[a-z0-9_]{1,512}$")
_WHATSAPP_LANGUAGE: Final = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")
_PLACEHOLDER: Final = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_SAMPLE_DAY: Final = date(2026, 6, 15)


def _api(name: str) -> str:
    return _API_NAMES.get(name, name)


def _part(body: TemplateBody, name: str) -> str | None:
    value = getattr(body, name)
    return value if isinstance(value, str) else None


def check_template(body: TemplateBody) -> list[TemplateProblem]:
    """Everything wrong with `body`: an invalid locale, parts its channel requires that are missing,
    parts its channel does not use, syntax errors (with the line), unknown variables, private attributes,
    parts over 20 KB, WhatsApp name/language/placeholder mistakes, and failures when rendering sample
    facts. An empty list means the template can be saved."""
    problems: list[TemplateProblem] = []
    locale_ok = True
    try:
        babel_locale(body.locale)
    except DomainError as err:
        locale_ok = False
        problems.append(TemplateProblem("locale", ErrorCode.INVALID_LOCALE, str(err)))
    required = REQUIRED_PARTS[body.channel]
    for name in required:
        if not (_part(body, name) or "").strip():
            problems.append(
                TemplateProblem(_api(name), ErrorCode.TEMPLATE_MISSING_PART, f"{body.channel} needs a {name}")
            )
    unused = [n for n in ("subject", "html", "text") if n not in required]
    unused += list(_WHATSAPP_ONLY) if body.channel is not TemplateChannel.WHATSAPP else []
    for name in unused:
        if (_part(body, name) or "").strip():
            problems.append(
                TemplateProblem(
                    _api(name),
                    ErrorCode.TEMPLATE_CHANNEL_MISMATCH,
                    f"{body.channel} templates have no {name}",
                )
            )
    if body.whatsapp_params and body.channel is not TemplateChannel.WHATSAPP:
        problems.append(
            TemplateProblem(
                "whatsappParams",
                ErrorCode.TEMPLATE_CHANNEL_MISMATCH,
                f"{body.channel} templates have no params",
            )
        )
    if body.channel is TemplateChannel.WHATSAPP:
        problems.extend(_check_whatsapp(body))
    for name in ("subject", "html", "text"):
        source = _part(body, name)
        if name in required and source:
            problems.extend(_check_source(name, source, html=name == "html"))
    if body.channel is TemplateChannel.WHATSAPP:
        for i, expression in enumerate(body.whatsapp_params):
            problems.extend(_check_source(f"whatsappParams[{i}]", expression, html=False, expression=True))
    if not problems and locale_ok:
        problems.extend(_trial_render(body))
    return problems


def _check_whatsapp(body: TemplateBody) -> list[TemplateProblem]:
    problems: list[TemplateProblem] = []
    name = (body.whatsapp_template or "").strip()
    if name and not _WHATSAPP_NAME.fullmatch(name):
        problems.append(
            TemplateProblem(
                "whatsappTemplate", ErrorCode.INVALID, "a WhatsApp template name has only a-z, 0-9 and _"
            )
        )
    language = body.whatsapp_language
    if language is not None and not _WHATSAPP_LANGUAGE.fullmatch(language):
        problems.append(
            TemplateProblem("whatsappLanguage", ErrorCode.INVALID, f"'{language}' is not like es or es_MX")
        )
    if body.preview_text is not None:
        if len(body.preview_text.encode()) > MAX_PART_BYTES:
            problems.append(TemplateProblem("previewText", ErrorCode.INVALID, "previewText is over 20 KB"))
        used = {int(n) for n in _PLACEHOLDER.findall(body.preview_text)}
        expected = set(range(1, len(body.whatsapp_params) + 1))
        if used != expected:
            problems.append(
                TemplateProblem(
                    "previewText",
                    ErrorCode.INVALID,
                    f"previewText must use {{{{1}}}}..{{{{{len(body.whatsapp_params)}}}}}, one per parameter"
                    if expected
                    else "previewText has placeholders but there are no whatsappParams",
                )
            )
    return problems


def _check_source(field: str, source: str, html: bool, expression: bool = False) -> list[TemplateProblem]:
    if len(source.encode()) > MAX_PART_BYTES:
        return [TemplateProblem(field, ErrorCode.INVALID, f"{field} is longer than {MAX_PART_BYTES} bytes")]
    env = env_for(html)
    try:
        ast = env.parse(param_source(source) if expression else source)
    except TemplateSyntaxError as err:
        return [TemplateProblem(field, ErrorCode.TEMPLATE_SYNTAX_ERROR, f"line {err.lineno}: {err.message}")]
    if expression and not _single_expression(ast):
        return [TemplateProblem(field, ErrorCode.TEMPLATE_SYNTAX_ERROR, "a parameter is one expression")]
    unknown = sorted(meta.find_undeclared_variables(ast) - VARIABLES.keys())
    if unknown:
        names = ", ".join(unknown)
        return [TemplateProblem(field, ErrorCode.TEMPLATE_UNKNOWN_VARIABLE, f"unknown variable(s): {names}")]
    private = private_names(ast)
    if private:
        line, name = private[0]
        message = f"line {line}: '{name}' is not available in templates (names starting with '_' are private)"
        return [TemplateProblem(field, ErrorCode.INVALID, message)]
    return []


def _single_expression(ast: nodes.Template) -> bool:
    if len(ast.body) != 1 or not isinstance(ast.body[0], nodes.Output):
        return False
    parts = ast.body[0].nodes
    return len(parts) == 1 and not isinstance(parts[0], nodes.TemplateData)


def _trial_render(body: TemplateBody) -> list[TemplateProblem]:
    sample = sample_context(body.locale, None, _SAMPLE_DAY)
    one = replace(sample, debts=sample.debts[:1])
    # Also without event facts: their variables are then empty strings (a cadence message).
    for ctx in (one, sample, replace(one, facts=None)):
        try:
            render(body, ctx, opt_out_notice=True)
        except DomainError as err:
            failure = err.errors[0]
            field = _api(failure.field or "text")
            message = f"{failure.message} (with sample data)"
            return [TemplateProblem(field, ErrorCode.TEMPLATE_RENDER_FAILED, message)]
    return []
