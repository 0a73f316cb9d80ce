"""SMS encoding (GSM 03.38 or UCS-2) and segment counts."""

from __future__ import annotations

import pytest

from domain.templates import sms_info

GSM_LATIN = "éñÑüÜàòùìèÉäöÄÖÅåÆæßØøÇ"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("GSM-7", 0)),
        ("a", ("GSM-7", 1)),
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("€" * 80, ("GSM-7", 1)),  # extension characters take two septets
        ("€" * 81, ("GSM-7", 2)),
        ("a" * 159 + "€", ("GSM-7", 2)),  # 161 septets
        ("a" * 152 + "€" + "a" * 152, ("GSM-7", 3)),  # an escape pair is not split between parts
        ("[]{}^~|\\", ("GSM-7", 1)),
        (GSM_LATIN + "a" * (160 - len(GSM_LATIN)), ("GSM-7", 1)),
        ("á" * 70, ("UCS-2", 1)),
        ("á" * 71, ("UCS-2", 2)),
        ("á" * 134, ("UCS-2", 2)),
        ("á" * 135, ("UCS-2", 3)),
        ("í" + "a" * 69, ("UCS-2", 1)),
        ("í" + "a" * 70, ("UCS-2", 2)),
        ("😀" * 35, ("UCS-2", 1)),  # each emoji is two UTF-16 code units
        ("😀" * 36, ("UCS-2", 2)),
    ],
)
def test_sms_encoding_and_segments(text: str, expected: tuple[str, int]) -> None:
    assert sms_info(text) == expected


@pytest.mark.parametrize("char", ["á", "í", "ó", "ú", "Á", "ç", "¢", "\xa0"])
def test_these_are_not_in_the_gsm_alphabet(char: str) -> None:
    assert sms_info(char)[0] == "UCS-2"


@pytest.mark.parametrize("char", list(GSM_LATIN) + ["@", "£", "¥", "¿", "¡", "§", "_", "\n"])
def test_these_are_in_the_gsm_alphabet(char: str) -> None:
    assert sms_info(char) == ("GSM-7", 1)
