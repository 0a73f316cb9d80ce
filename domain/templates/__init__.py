"""Message templates: sandboxed Jinja2 per channel and locale, locale formatting, SMS encoding."""

from domain.templates.defaults import default_templates
from domain.templates.formatting import format_date, format_money
from domain.templates.model import (
    DebtLine,
    MessageContext,
    RenderedMessage,
    TemplateBody,
    TemplateChannel,
    TemplateProblem,
)
from domain.templates.render import VARIABLES, check_template, render, sample_context, variables
from domain.templates.sms import sms_info

__all__ = [
    "VARIABLES",
    "DebtLine",
    "MessageContext",
    "RenderedMessage",
    "TemplateBody",
    "TemplateChannel",
    "TemplateProblem",
    "check_template",
    "default_templates",
    "format_date",
    "format_money",
    "render",
    "sample_context",
    "sms_info",
    "variables",
]
