"""SMS encoding and segment count (3GPP TS 23.038: GSM 7-bit default alphabet and extension table)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The default alphabet: one septet each. Note that á, í, ó, ú (and lower-case ç) are not in it."""

GSM_EXTENSION: Final = frozenset("^{}\\[~]|€\f")
"""Reached through the escape code: two septets each."""

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"


def is_gsm7(text: str) -> bool:
    """Whether `text` can be sent in the GSM 7-bit alphabet (basic set plus extension table)."""
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def _segments(units: Iterable[int], single: int, per_part: int) -> int:
    sizes = list(units)
    total = sum(sizes)
    if total <= single:
        return 1 if total else 0
    count, used = 1, 0
    for size in sizes:  # an escape pair or a surrogate pair is never split between two parts
        if used + size > per_part:
            count, used = count + 1, 0
        used += size
    return count


def sms_info(text: str) -> tuple[str, int]:
    """(`"GSM-7"` | `"UCS-2"`, segments) for an SMS body.

    GSM-7: 160 septets fit one SMS; a longer text is split in parts of 153 (extension characters such as
    `€ [ ] { }` take two septets). Any character outside GSM 03.38 (e.g. `á í ó ú`, emoji) makes the whole
    message UCS-2: 70 UTF-16 code units in one SMS, 67 per part. An empty text is 0 segments.
    """
    if is_gsm7(text):
        return GSM7, _segments((2 if c in GSM_EXTENSION else 1 for c in text), 160, 153)
    return UCS2, _segments((2 if ord(c) > 0xFFFF else 1 for c in text), 70, 67)
