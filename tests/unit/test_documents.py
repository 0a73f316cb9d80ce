"""Identity document validation: real valid numbers, check-digit tampering and format errors."""

from __future__ import annotations

import pytest

from domain.documents import (
    DOCUMENT_TYPES,
    document_types,
    nit_check_digit,
    ruc_check_digit,
    rut_check_digit,
    validate_document,
)
from domain.errors import DomainError, ErrorCode

# --- independent reference implementations of the check digits (to double-check the examples) ---


def _ref_ruc_ok(ruc: str) -> bool:
    total = sum(int(d) * w for d, w in zip(ruc[:10], [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True))
    return (11 - total % 11) % 10 == int(ruc[10])  # 10 -> 0, 11 -> 1


def _ref_nit_dv(body: str) -> int:
    weights = [71, 67, 59, 53, 47, 43, 41, 37, 29, 23, 19, 17, 13, 7, 3][-len(body) :]
    r = sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11
    return r if r < 2 else 11 - r


def _ref_rut_dv(body: str) -> str:
    total, factor = 0, 2
    for d in reversed(body):
        total += int(d) * factor
        factor = 2 if factor == 7 else factor + 1
    return "0123456789K0"[11 - total % 11]


REAL_RUCS = ["20100047218", "20131312955", "20100130204"]  # BCP, SUNAT, BBVA Perú
REAL_NITS = [("890903938", "8"), ("860034313", "7"), ("800197268", "4")]  # Bancolombia, Davivienda, DIAN
REAL_RUTS = [("76354771", "K"), ("97004000", "5"), ("60803000", "K"), ("12345678", "5")]  # ..., B. Chile, SII


@pytest.mark.parametrize("ruc", REAL_RUCS)
def test_reference_ruc_examples_are_really_valid(ruc: str) -> None:
    assert _ref_ruc_ok(ruc)
    assert ruc_check_digit(ruc[:10]) == int(ruc[10])


@pytest.mark.parametrize(("body", "dv"), REAL_NITS)
def test_reference_nit_examples_are_really_valid(body: str, dv: str) -> None:
    assert str(_ref_nit_dv(body)) == dv
    assert str(nit_check_digit(body)) == dv


@pytest.mark.parametrize(("body", "dv"), REAL_RUTS)
def test_reference_rut_examples_are_really_valid(body: str, dv: str) -> None:
    assert _ref_rut_dv(body) == dv
    assert rut_check_digit(body) == dv


@pytest.mark.parametrize(
    ("country", "doc_type", "number", "expected"),
    [
        ("PE", "DNI", "12345678", ("DNI", "12345678")),
        ("pe", " dni ", "12.345.678", ("DNI", "12345678")),
        ("PE", "RUC", "20100047218", ("RUC", "20100047218")),
        ("PE", "RUC", "20131312955", ("RUC", "20131312955")),
        ("PE", "RUC", "20-100130204", ("RUC", "20100130204")),
        ("PE", "CE", "001234567", ("CE", "001234567")),
        ("PE", "PASSPORT", "ab 123456", ("PASSPORT", "AB123456")),
        ("CO", "NIT", "890903938-8", ("NIT", "8909039388")),
        ("CO", "NIT", "890.903.938-8", ("NIT", "8909039388")),
        ("CO", "NIT", "8909039388", ("NIT", "8909039388")),
        ("CO", "NIT", "860034313", ("NIT", "8600343137")),  # dv omitted: computed
        ("CO", "NIT", "860 034 313 - 7", ("NIT", "8600343137")),
        ("CO", "CC", "1.020.304.050", ("CC", "1020304050")),
        ("CO", "CE", "e12345", ("CE", "E12345")),
        ("CL", "RUT", "76.354.771-K", ("RUT", "76354771K")),
        ("CL", "RUT", "76354771k", ("RUT", "76354771K")),
        ("CL", "RUT", "12.345.678-5", ("RUT", "123456785")),
        ("CL", "RUT", "123456785", ("RUT", "123456785")),
        ("CL", "RUT", "60803000-K", ("RUT", "60803000K")),
        ("MX", "RFC", "SAT970701NN3", ("RFC", "SAT970701NN3")),  # persona moral (SAT)
        ("MX", "RFC", "xaxx-010101-000", ("RFC", "XAXX010101000")),  # persona física (público general)
        ("MX", "RFC", "ñ&a000229ab1", ("RFC", "Ñ&A000229AB1")),  # Ñ and &; 29 Feb 2000
        ("MX", "CURP", "badd110313hcmlns09", ("CURP", "BADD110313HCMLNS09")),
        ("US", "SSN", "123-45-6789", ("SSN", "123456789")),
        ("AR", "CUIT", "20 12345678 6", ("CUIT", "20123456786")),
    ],
)
def test_valid_documents_are_normalised(
    country: str, doc_type: str, number: str, expected: tuple[str, str]
) -> None:
    assert validate_document(country, doc_type, number) == expected


@pytest.mark.parametrize(
    ("country", "doc_type", "number"),
    [
        ("PE", "DNI", "1234567"),  # 7 digits
        ("PE", "DNI", "123456789"),
        ("PE", "DNI", "1234567A"),
        ("PE", "RUC", "20100047219"),  # BCP with a changed check digit
        ("PE", "RUC", "20131312950"),  # SUNAT with a changed check digit
        ("PE", "RUC", "30100047218"),  # bad prefix
        ("PE", "RUC", "2010004721"),
        ("PE", "CE", "12345678"),  # too short
        ("PE", "PASSPORT", "12345"),
        ("PE", "PASSPORT", "AB#12345"),
        ("CO", "NIT", "890903938-9"),  # Bancolombia with a changed check digit
        ("CO", "NIT", "8600343130"),  # Davivienda with a changed check digit
        ("CO", "NIT", "89090393-8"),  # 8-digit body
        ("CO", "NIT", "890903938-88"),
        ("CO", "NIT", "89090393A-8"),
        ("CO", "CC", "12345"),
        ("CO", "CC", "12345678901"),
        ("CO", "CE", "E12"),
        ("CL", "RUT", "76.354.771-0"),  # changed check digit
        ("CL", "RUT", "12.345.678-K"),
        ("CL", "RUT", "12345"),
        ("CL", "RUT", "12.345.678-X"),
        ("MX", "RFC", "SAT971301NN3"),  # month 13
        ("MX", "RFC", "XAXX010230000"),  # 30 February
        ("MX", "RFC", "SA970701NN3"),  # two letters
        ("MX", "RFC", "SAT970701NN"),  # short homoclave
        ("MX", "CURP", "BADD110313HCMLNS0"),  # 17 chars
        ("MX", "CURP", "BADD110313HZZLNS09"),  # unknown state
        ("MX", "CURP", "BADD111313HCMLNS09"),  # month 13
        ("US", "SSN", "123"),
        ("US", "SSN", "1234567890123456789012"),
        ("US", "SSN", "12@45678"),
    ],
)
def test_invalid_documents_raise_invalid_document(country: str, doc_type: str, number: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_document(country, doc_type, number, field="customer.documentNumber")
    assert exc.value.code is ErrorCode.INVALID_DOCUMENT
    assert exc.value.errors[0].field == "customer.documentNumber"
    assert number.strip() in str(exc.value)


@pytest.mark.parametrize("number", ["", "   "])
def test_missing_number_is_invalid(number: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_document("PE", "DNI", number)
    assert exc.value.code is ErrorCode.INVALID_DOCUMENT
    assert exc.value.errors[0].field == "documentNumber"


def test_unknown_type_for_known_country_names_the_allowed_types() -> None:
    with pytest.raises(DomainError) as exc:
        validate_document("PE", "NIT", "8909039388")
    assert exc.value.code is ErrorCode.INVALID_DOCUMENT
    for allowed in ("DNI", "RUC", "CE", "PASSPORT"):
        assert allowed in str(exc.value)


@pytest.mark.parametrize("doc_type", ["", "   ", "#?"])
def test_blank_or_garbage_type_for_other_country_is_invalid(doc_type: str) -> None:
    with pytest.raises(DomainError) as exc:
        validate_document("US", doc_type, "123456789")
    assert exc.value.code is ErrorCode.INVALID_DOCUMENT


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("PE", ["DNI", "RUC", "CE", "PASSPORT"]),
        ("co", ["NIT", "CC", "CE", "PASSPORT"]),
        ("CL", ["RUT", "PASSPORT"]),
        ("MX", ["RFC", "CURP", "PASSPORT"]),
        ("US", []),
    ],
)
def test_document_types(country: str, expected: list[str]) -> None:
    assert document_types(country) == expected


def test_every_listed_type_has_a_rule() -> None:
    # A listed type without a dedicated rule would silently fall back to the generic rule.
    from domain import documents

    rules = documents._RULES
    for country, types in DOCUMENT_TYPES.items():
        for doc_type in types:
            assert (country, doc_type) in rules
