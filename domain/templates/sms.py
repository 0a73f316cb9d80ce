"""SMS encoding and segment count (GSM 03.38 default alphabet and its extension table)."""

from __future__ import annotations

from typing import Final

GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION: Final = frozenset("^{}\\[~]|€\f")
"""Each of these takes two septets (an escape and the character)."""


def sms_info(text: str) -> tuple[str, int]:
    """("GSM-7" | "UCS-2", segments). GSM-7: 160 septets in one SMS, 153 per part when split;
    UCS-2 (any character outside GSM 03.38, e.g. á í ó ú): 70 characters, 67 per part."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        septets = sum(2 if c in GSM_EXTENSION else 1 for c in text)
        return "GSM-7", 1 if septets <= 160 else -(-septets // 153)
    units = len(text.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else -(-units // 67)
