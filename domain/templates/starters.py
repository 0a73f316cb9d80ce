"""The starter templates every tenant can install, read from `defaults/*.yaml`.

Each file holds one language's set and the locales it is installed for (Spanish for es-PE, es-CO, es-MX
and es-CL; English for en-US), with per-locale settings such as the WhatsApp language code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Final

import yaml

from domain.templates.model import TemplateBody, TemplateChannel

_TEMPLATE_KEYS: Final = frozenset(
    {"name", "channel", "subject", "html", "text", "whatsapp_template", "whatsapp_params", "preview_text"}
)
_LOCALE_KEYS: Final = frozenset({"whatsapp_language"})


def _body(entry: dict[str, Any], locale: str, settings: dict[str, Any]) -> TemplateBody:
    unknown = set(entry) - _TEMPLATE_KEYS
    if unknown:
        raise ValueError(f"starter template {entry.get('name')!r}: unknown keys {sorted(unknown)}")
    channel = TemplateChannel(entry["channel"])
    whatsapp = channel is TemplateChannel.WHATSAPP
    return TemplateBody(
        channel=channel,
        locale=locale,
        subject=entry.get("subject"),
        html=entry.get("html"),
        text=entry.get("text"),
        whatsapp_template=entry.get("whatsapp_template"),
        whatsapp_language=settings.get("whatsapp_language") if whatsapp else None,
        whatsapp_params=tuple(str(p) for p in entry.get("whatsapp_params", ())),
        preview_text=entry.get("preview_text"),
    )


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[str, TemplateBody], ...]:
    out: list[tuple[str, TemplateBody]] = []
    folder = resources.files("domain.templates").joinpath("defaults")
    for item in sorted(folder.iterdir(), key=lambda f: f.name):
        if not item.name.endswith(".yaml"):
            continue
        data = yaml.safe_load(item.read_text(encoding="utf-8"))
        locales: dict[str, dict[str, Any]] = data["locales"]
        for locale, settings in locales.items():
            if set(settings or {}) - _LOCALE_KEYS:
                raise ValueError(f"{item.name}: unknown settings for {locale}")
            out.extend((e["name"], _body(e, locale, settings or {})) for e in data["templates"])
    return tuple(out)


def default_templates() -> list[tuple[str, TemplateBody]]:
    """(name, body) for every starter template and locale; a name and a channel make one template, with
    one body per locale. Names: before-due, due-today, overdue, final-notice, consolidated (EMAIL, SMS,
    WHATSAPP each), call-script (CALL_TASK), and for event-triggered steps instalment-due
    (INSTALMENT_DUE) and promise-due (PROMISE_DUE_TOMORROW), EMAIL and SMS, which state the event's
    amount and date. Every body passes `check_template` and renders."""
    return list(_load())
