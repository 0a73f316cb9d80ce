"""Identity / tax document validation per country (PE, CO, CL, MX; generic rule elsewhere).

`validate_document` returns the normalised (upper-case) document type and number: separators
(spaces, dots, dashes, slashes) are removed and letters upper-cased; any other character is invalid.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Final

from domain.errors import DomainError, ErrorCode

# Allowed document types per ISO 3166 country. Countries not listed accept any type (generic rule).
DOCUMENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "PE": ("DNI", "RUC", "CE", "PASSPORT"),
    "CO": ("NIT", "CC", "CE", "PASSPORT"),
    "CL": ("RUT", "PASSPORT"),
    "MX": ("RFC", "CURP", "PASSPORT"),
}

_SEPARATORS: Final = re.compile(r"[\s.\-/]+")
_TYPE_RE: Final = re.compile(r"^[A-Z][A-Z0-9_]{0,19}$")
_GENERIC_RE: Final = re.compile(r"^[A-Z0-9]{4,20}$")
_RUC_PREFIXES: Final = ("10", "15", "16", "17", "20")
_RUC_WEIGHTS: Final = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_NIT_WEIGHTS: Final = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_DATE: Final = r"(\d{2})(\d{2})(\d{2})"
_RFC_RE: Final = re.compile(rf"^([A-ZÑ&]{{3,4}}){_DATE}([A-Z0-9]{{3}})$")
_CURP_STATES: Final = (
    "AS|BC|BS|CC|CL|CM|CS|CH|DF|DG|GT|GR|HG|JC|MC|MN|MS|NT|NL|OC|PL|QT|QR|SP|SL|SR|TC|TS|TL|VZ|YN|ZS|NE"
)
_CURP_RE: Final = re.compile(
    rf"^[A-Z][AEIOUX][A-Z]{{2}}{_DATE}[HMX](?:{_CURP_STATES})[B-DF-HJ-NP-TV-Z]{{3}}[A-Z0-9]\d$"
)


class _Invalid(ValueError):
    """Internal: the number does not satisfy the rule; the message explains why."""


def _alnum(number: str, low: int, high: int) -> str:
    if not re.fullmatch(rf"[A-Z0-9]{{{low},{high}}}", number):
        raise _Invalid(f"must be {low} to {high} letters or digits")
    return number


def _digits(number: str, low: int, high: int | None = None) -> str:
    high = low if high is None else high
    if not re.fullmatch(rf"\d{{{low},{high}}}", number):
        size = str(low) if low == high else f"{low} to {high}"
        raise _Invalid(f"must be {size} digits")
    return number


def ruc_check_digit(first_ten: str) -> int:
    """SUNAT mod-11 check digit of the first 10 digits of a Peruvian RUC."""
    digit = 11 - sum(int(d) * w for d, w in zip(first_ten, _RUC_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 1}.get(digit, digit)


def nit_check_digit(body: str) -> int:
    """DIAN check digit (dígito de verificación) of a Colombian NIT body."""
    if len(body) > len(_NIT_WEIGHTS):
        raise ValueError(f"NIT body has more than {len(_NIT_WEIGHTS)} digits")
    total = sum(int(d) * w for d, w in zip(reversed(body), _NIT_WEIGHTS, strict=False))
    remainder = total % 11
    return remainder if remainder in (0, 1) else 11 - remainder


def rut_check_digit(body: str) -> str:
    """Mod-11 check digit ('0'-'9' or 'K') of a Chilean RUT/RUN body."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body)))
    digit = 11 - total % 11
    return {11: "0", 10: "K"}.get(digit, str(digit))


def _pe_ruc(number: str) -> str:
    _digits(number, 11)
    if not number.startswith(_RUC_PREFIXES):
        raise _Invalid(f"must start with one of {', '.join(_RUC_PREFIXES)}")
    if ruc_check_digit(number[:10]) != int(number[10]):
        raise _Invalid("has a wrong check digit")
    return number


def _co_nit(number: str) -> str:
    # The check digit may come after a dash ('890903938-8'), appended ('8909039388') or be omitted.
    body, _, dv = number.rpartition("-")
    if not body:
        body, dv = (number[:9], number[9:]) if len(number) == 10 else (number, "")
    body = _SEPARATORS.sub("", body)
    if not re.fullmatch(r"\d{9}", body) or not re.fullmatch(r"\d?", dv):
        raise _Invalid("must be 9 digits plus an optional check digit")
    expected = str(nit_check_digit(body))
    if dv and dv != expected:
        raise _Invalid("has a wrong check digit")
    return body + expected


def _cl_rut(compact: str) -> str:
    if not re.fullmatch(r"\d{7,8}[0-9K]", compact):
        raise _Invalid("must be 7 or 8 digits followed by a check digit (0-9 or K)")
    body, dv = compact[:-1], compact[-1]
    if rut_check_digit(body) != dv:
        raise _Invalid("has a wrong check digit")
    return compact


def _valid_date(yy: str, mm: str, dd: str) -> bool:
    try:
        date(2000 + int(yy), int(mm), int(dd))  # 2000-2099 has the same leap years as 1901-1999
    except ValueError:
        return False
    return True


def _mx_rfc(number: str) -> str:
    match = _RFC_RE.fullmatch(number)
    if match is None:
        raise _Invalid("must be 3 (company) or 4 (person) letters, a YYMMDD date and a 3-character homoclave")
    if not _valid_date(*match.group(2, 3, 4)):
        raise _Invalid("contains an invalid date")
    return number


def _mx_curp(number: str) -> str:
    match = _CURP_RE.fullmatch(number)
    if match is None:
        raise _Invalid("does not match the 18-character CURP format")
    if not _valid_date(*match.group(1, 2, 3)):
        raise _Invalid("contains an invalid date of birth")
    return number


_Rule = Callable[[str], str]

# Rules receive the upper-cased number without separators (NIT keeps its dashes to locate the check digit).
_RULES: Final[dict[tuple[str, str], _Rule]] = {
    ("PE", "DNI"): lambda n: _digits(n, 8),
    ("PE", "RUC"): _pe_ruc,
    ("PE", "CE"): lambda n: _alnum(n, 9, 12),
    ("PE", "PASSPORT"): lambda n: _alnum(n, 6, 12),
    ("CO", "NIT"): _co_nit,
    ("CO", "CC"): lambda n: _digits(n, 6, 10),
    ("CO", "CE"): lambda n: _alnum(n, 6, 10),
    ("CO", "PASSPORT"): lambda n: _alnum(n, 6, 12),
    ("CL", "RUT"): _cl_rut,
    ("CL", "PASSPORT"): lambda n: _alnum(n, 6, 12),
    ("MX", "RFC"): _mx_rfc,
    ("MX", "CURP"): _mx_curp,
    ("MX", "PASSPORT"): lambda n: _alnum(n, 6, 12),
}


def document_types(country: str) -> list[str]:
    """Document types allowed for `country` (ISO alpha-2); empty list means any type is accepted."""
    return list(DOCUMENT_TYPES.get((country or "").strip().upper(), ()))


def validate_document(
    country: str, document_type: str, number: str, field: str = "documentNumber"
) -> tuple[str, str]:
    """Validate a document number for `country` and return `(document_type, number)` normalised.

    The type is upper-cased; the number loses its separators (spaces, dots, dashes, slashes)
    and is upper-cased (NIT and RUT keep their check digit at the end, e.g. '8909039388').
    Raises `DomainError(ErrorCode.INVALID_DOCUMENT, ..., field)` when invalid.
    """
    country = (country or "").strip().upper()
    doc_type = re.sub(r"[\s.\-]+", "", document_type or "").upper()
    raw = (number or "").strip()
    allowed = DOCUMENT_TYPES.get(country)
    if allowed is not None and doc_type not in allowed:
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT,
            f"Document type '{document_type}' is not accepted for {country}; "
            f"use one of: {', '.join(allowed)}",
            field,
        )
    if allowed is None and not _TYPE_RE.fullmatch(doc_type):
        raise DomainError(ErrorCode.INVALID_DOCUMENT, f"Invalid document type '{document_type}'", field)
    if not raw:
        raise DomainError(ErrorCode.INVALID_DOCUMENT, f"{doc_type} number is required", field)
    cleaned = re.sub(r"[\s.]+", "", raw).upper()
    rule = _RULES.get((country, doc_type))
    try:
        if rule is None:
            normalized = _GENERIC_RE.fullmatch(_SEPARATORS.sub("", cleaned))
            if normalized is None:
                raise _Invalid("must be 4 to 20 letters or digits")
            return doc_type, normalized.group()
        if doc_type == "NIT":
            return doc_type, rule(cleaned)
        return doc_type, rule(_SEPARATORS.sub("", cleaned))
    except _Invalid as exc:
        where = f" {country}" if allowed is not None else ""
        raise DomainError(
            ErrorCode.INVALID_DOCUMENT, f"'{raw}' is not a valid{where} {doc_type}: {exc}", field
        ) from None
