"""Contact-point normalisation: phones (E.164), e-mails, countries, time zones and locales.

Backed by `phonenumbers`, `email_validator`, babel's CLDR data and the stdlib `zoneinfo` database.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from functools import lru_cache
from typing import Final

import phonenumbers
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from email_validator import EmailNotValidError, validate_email

from domain.errors import DomainError, ErrorCode

# CLDR region codes that are not ISO 3166-1 alpha-2 country codes.
_NON_ISO_REGIONS: Final = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)

# Main IANA zone of countries spanning several zones (or where CLDR's first zone is not the main one).
DEFAULT_TIME_ZONES: Final[dict[str, str]] = {
    "PE": "America/Lima",
    "CO": "America/Bogota",
    "MX": "America/Mexico_City",
    "CL": "America/Santiago",
    "US": "America/New_York",
    "AR": "America/Argentina/Buenos_Aires",
    "BR": "America/Sao_Paulo",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "RU": "Europe/Moscow",
    "PT": "Europe/Lisbon",
}

DEFAULT_LOCALES: Final[dict[str, str]] = {
    "PE": "es-PE",
    "CO": "es-CO",
    "MX": "es-MX",
    "CL": "es-CL",
    "US": "en-US",
    "BR": "pt-BR",
}

_LOCALE_RE: Final = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    codes = (code for code in Locale("en").territories if isinstance(code, str))
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha() and c not in _NON_ISO_REGIONS)


@lru_cache(maxsize=1)
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def normalize_phone(raw: str, default_region: str, field: str) -> str:
    """Parse `raw` (national format for `default_region`, or international '+..') and return E.164.

    Raises `DomainError(ErrorCode.INVALID_PHONE)` if it cannot be parsed or is not a valid number.
    """
    text = (raw or "").strip()
    region = (default_region or "").strip().upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise DomainError(ErrorCode.INVALID_PHONE, f"'{text}' is not a phone number", field) from None
    if not phonenumbers.is_valid_number(number):
        where = f" for region {region}" if region and not text.startswith("+") else ""
        raise DomainError(ErrorCode.INVALID_PHONE, f"'{text}' is not a valid phone number{where}", field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str, field: str) -> str:
    """Return the normalised form of e-mail `raw` (domain lower-cased); no DNS lookups are made.

    Raises `DomainError(ErrorCode.INVALID_EMAIL)` with the validator's explanation when invalid.
    """
    text = (raw or "").strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise DomainError(ErrorCode.INVALID_EMAIL, f"'{text}' is not a valid e-mail: {exc}", field) from None
    return str(result.normalized)


def validate_country(code: str, field: str) -> str:
    """Return `code` upper-cased if it is an ISO 3166-1 alpha-2 country, else raise INVALID_COUNTRY."""
    country = (code or "").strip().upper()
    if country not in _countries():
        raise DomainError(
            ErrorCode.INVALID_COUNTRY, f"'{code}' is not an ISO 3166-1 alpha-2 country code", field
        )
    return country


def default_time_zone(country: str) -> str:
    """Main IANA time zone of `country`: explicit table, then CLDR's first zone for it, else 'UTC'."""
    country = (country or "").strip().upper()
    if country in DEFAULT_TIME_ZONES:
        return DEFAULT_TIME_ZONES[country]
    territory_zones: Mapping[str, list[str]] = get_global("territory_zones")
    for zone in territory_zones.get(country, []) if country in _countries() else []:
        if zone in _time_zones():
            return zone
    return "UTC"


def validate_time_zone(tz: str, field: str) -> str:
    """Return `tz` if it is an IANA zone known to `zoneinfo` (case-sensitive); else INVALID_TIME_ZONE."""
    zone = (tz or "").strip()
    if zone not in _time_zones():
        raise DomainError(ErrorCode.INVALID_TIME_ZONE, f"'{tz}' is not an IANA time zone", field)
    return zone


def _parse_locale(code: str) -> Locale | None:
    text = (code or "").strip()
    if not _LOCALE_RE.fullmatch(text):
        return None
    try:
        return Locale.parse(text.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def validate_locale(code: str, field: str) -> str:
    """Validate a BCP-47 style locale ('es-PE' or 'es_PE') with babel and return it as 'es-PE'.

    Raises `DomainError(ErrorCode.INVALID_LOCALE)` when babel has no data for it.
    """
    locale = _parse_locale(code)
    if locale is None:
        raise DomainError(ErrorCode.INVALID_LOCALE, f"'{code}' is not a supported locale", field)
    return str(locale).replace("_", "-")


def default_locale(country: str) -> str:
    """Default locale for `country`: explicit table, else 'es-<country>' if babel knows it, else 'en-US'."""
    country = (country or "").strip().upper()
    if country in DEFAULT_LOCALES:
        return DEFAULT_LOCALES[country]
    if country in _countries() and _parse_locale(f"es-{country}") is not None:
        return f"es-{country}"
    return "en-US"
