"""Contact-point normalisation: phones, e-mails, countries, time zones and locales."""

from __future__ import annotations

import pytest

from domain.contacts import (
    default_locale,
    default_time_zone,
    normalize_email,
    normalize_phone,
    validate_country,
    validate_locale,
    validate_time_zone,
)
from domain.errors import DomainError, ErrorCode


def _assert_error(exc: pytest.ExceptionInfo[DomainError], code: ErrorCode, field: str) -> None:
    assert exc.value.code is code
    assert exc.value.errors[0].field == field


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("987 654 321", "PE", "+51987654321"),  # Peruvian mobile
        ("987-654-321", "pe", "+51987654321"),
        ("(01) 311-9898", "PE", "+5113119898"),  # Lima landline
        ("300 123 4567", "CO", "+573001234567"),  # Colombian mobile
        ("55 1234 5678", "MX", "+525512345678"),  # Mexico City
        ("9 6123 4567", "CL", "+56961234567"),  # Chilean mobile
        ("+57 300 123 4567", "PE", "+573001234567"),  # international form ignores the region
        ("  +51 987 654 321  ", "", "+51987654321"),
        ("(201) 555-0123", "US", "+12015550123"),
    ],
)
def test_normalize_phone_returns_e164(raw: str, region: str, expected: str) -> None:
    assert normalize_phone(raw, region, "phone") == expected


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("12345", "PE"),  # too short
        ("987 654 32", "PE"),  # one digit missing
        ("300 123 4567", "PE"),  # Colombian number read as Peruvian
        ("abc", "PE"),
        ("", "PE"),
        ("987654321", ""),  # national number without a region
        ("987654321", "ZZ"),
        ("+51 12", "CO"),
    ],
)
def test_normalize_phone_rejects_invalid_numbers(raw: str, region: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalize_phone(raw, region, "contacts[0].phone")
    _assert_error(exc, ErrorCode.INVALID_PHONE, "contacts[0].phone")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ana.perez@bcp.com.pe", "ana.perez@bcp.com.pe"),
        ("Ana.Perez@Example.COM", "Ana.Perez@example.com"),  # domain lower-cased, local part kept
        ("  cobranzas@empresa.co  ", "cobranzas@empresa.co"),
        ("josé@correo.pe", "josé@correo.pe"),
    ],
)
def test_normalize_email(raw: str, expected: str) -> None:
    assert normalize_email(raw, "email") == expected


@pytest.mark.parametrize(
    "raw", ["", "ana", "ana@", "@bcp.com.pe", "ana@bcp", "ana perez@bcp.com.pe", "ana@@bcp.com.pe"]
)
def test_normalize_email_rejects_invalid(raw: str) -> None:
    with pytest.raises(DomainError) as exc:
        normalize_email(raw, "email")
    _assert_error(exc, ErrorCode.INVALID_EMAIL, "email")


@pytest.mark.parametrize(("code", "expected"), [("PE", "PE"), ("co", "CO"), (" mx ", "MX"), ("US", "US")])
def test_validate_country(code: str, expected: str) -> None:
    assert validate_country(code, "country") == expected


@pytest.mark.parametrize("code", ["", "P", "PER", "ZZ", "EU", "UN", "XX", "419", "12"])
def test_validate_country_rejects_non_iso_codes(code: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_country(code, "country")
    _assert_error(exc, ErrorCode.INVALID_COUNTRY, "country")


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("PE", "America/Lima"),
        ("CO", "America/Bogota"),
        ("MX", "America/Mexico_City"),
        ("CL", "America/Santiago"),
        ("US", "America/New_York"),
        ("AR", "America/Argentina/Buenos_Aires"),
        ("BR", "America/Sao_Paulo"),
        ("EC", "America/Guayaquil"),
        ("ES", "Europe/Madrid"),
        ("pe", "America/Lima"),
        ("BO", "America/La_Paz"),  # from CLDR territory data
        ("FR", "Europe/Paris"),
        ("ZZ", "UTC"),
        ("", "UTC"),
    ],
)
def test_default_time_zone(country: str, expected: str) -> None:
    assert default_time_zone(country) == expected
    validate_time_zone(expected, "timeZone")  # always a zone the platform accepts


@pytest.mark.parametrize("tz", ["America/Lima", "Europe/Madrid", "UTC", " America/Bogota "])
def test_validate_time_zone(tz: str) -> None:
    assert validate_time_zone(tz, "timeZone") == tz.strip()


@pytest.mark.parametrize("tz", ["", "Lima", "America/Lim", "america/lima", "GMT-5:00", "../etc/passwd"])
def test_validate_time_zone_rejects_unknown(tz: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_time_zone(tz, "timeZone")
    _assert_error(exc, ErrorCode.INVALID_TIME_ZONE, "timeZone")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("es-PE", "es-PE"),
        ("es_PE", "es-PE"),
        ("ES-pe", "es-PE"),
        ("es", "es"),
        ("en-US", "en-US"),
        ("pt_br", "pt-BR"),
        ("es-419", "es-419"),
        ("zh-Hant-TW", "zh-Hant-TW"),
    ],
)
def test_validate_locale(code: str, expected: str) -> None:
    assert validate_locale(code, "locale") == expected


@pytest.mark.parametrize("code", ["", "e", "xx-YY", "es-XX", "es-PE-x", "es@euro", "es PE", "español"])
def test_validate_locale_rejects_unknown(code: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_locale(code, "locale")
    _assert_error(exc, ErrorCode.INVALID_LOCALE, "locale")


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("PE", "es-PE"),
        ("CO", "es-CO"),
        ("MX", "es-MX"),
        ("CL", "es-CL"),
        ("US", "en-US"),
        ("ar", "es-AR"),  # babel knows es_AR
        ("EC", "es-EC"),
        ("BR", "pt-BR"),
        ("JP", "en-US"),  # babel has no es_JP
        ("ZZ", "en-US"),
        ("", "en-US"),
    ],
)
def test_default_locale(country: str, expected: str) -> None:
    assert default_locale(country) == expected
    assert validate_locale(expected, "locale") == expected
