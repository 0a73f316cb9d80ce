"""Message templates: sandboxed Jinja2 per channel and locale, locale formatting, SMS encoding.

`check_template` when a template is saved, `render` when a message goes out, `sample_context` for
previews and activation checks, `default_templates` for the starter set.
"""

from domain.templates.check import check_template
from domain.templates.facts import filled, sample_facts
from domain.templates.formatting import format_date, format_money
from domain.templates.model import (
    DebtLine,
    EventFacts,
    MessageContext,
    RenderedMessage,
    TemplateBody,
    TemplateChannel,
    TemplateProblem,
)
from domain.templates.render import render, whatsapp_language_for
from domain.templates.sms import sms_info
from domain.templates.starters import default_templates
from domain.templates.values import VARIABLES, sample_context, variables

__all__ = [
    "VARIABLES",
    "DebtLine",
    "EventFacts",
    "MessageContext",
    "RenderedMessage",
    "TemplateBody",
    "TemplateChannel",
    "TemplateProblem",
    "check_template",
    "default_templates",
    "filled",
    "format_date",
    "format_money",
    "render",
    "sample_context",
    "sample_facts",
    "sms_info",
    "variables",
    "whatsapp_language_for",
]
