"""The starter templates every tenant can install: Spanish for PE, CO, MX and CL, English for the US."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from domain.templates.model import TemplateBody, TemplateChannel

DEFAULT_LOCALES: dict[str, tuple[str, ...]] = {
    "es": ("es-PE", "es-CO", "es-MX", "es-CL"),
    "en": ("en-US",),
}


def _body(entry: dict[str, Any], locale: str) -> TemplateBody:
    return TemplateBody(
        channel=TemplateChannel(entry["channel"]),
        locale=locale,
        subject=entry.get("subject"),
        html=entry.get("html"),
        text=entry.get("text"),
        whatsapp_template=entry.get("whatsapp_template"),
        whatsapp_language=locale.replace("-", "_") if entry.get("whatsapp_template") else None,
        whatsapp_params=tuple(entry.get("whatsapp_params", ())),
        preview_text=entry.get("preview_text"),
    )


@lru_cache(maxsize=1)
def default_templates() -> tuple[tuple[str, TemplateBody], ...]:
    """(name, body) for every starter template and locale; one name + channel is one template."""
    out: list[tuple[str, TemplateBody]] = []
    folder = resources.files("domain.templates").joinpath("defaults")
    for language, locales in DEFAULT_LOCALES.items():
        entries = yaml.safe_load(folder.joinpath(f"{language}.yaml").read_text(encoding="utf-8"))
        for entry in entries:
            out.extend((entry["name"], _body(entry, locale)) for locale in locales)
    return tuple(out)
