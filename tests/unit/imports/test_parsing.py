"""Headers, values and rows of an import file: ES/EN defaults, locale decimals, date forms, bad rows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import DomainError, ErrorCode
from domain.imports.columns import _SYNONYMS, ImportField, normalize_header, resolve_columns
from domain.imports.rows import RowIssue, RowParser
from domain.imports.values import NumberFormat, parse_amount, parse_date
from domain.services.imports import ImportRow

F, E = ImportField, ErrorCode
COMMA, POINT = NumberFormat(",", True), NumberFormat(".", True)


def test_headers_normalise_case_accents_spaces_and_underscores() -> None:
    assert normalize_header("  Fecha_de  Vencimiento ") == "fecha de vencimiento"
    assert normalize_header("TELÉFONO") == "telefono"
    assert normalize_header("Razón-Social") == "razon social"


def test_no_default_header_means_two_fields() -> None:
    headers = [h for hs in _SYNONYMS.values() for h in hs]
    assert len(headers) == len(set(headers))


def test_spanish_headers_map_by_default() -> None:
    cols = resolve_columns(
        ["Código Cliente", "Razón Social", "RUC", "Correo", "Celular", "Factura", "Monto", "Moneda",
         "Fecha_Emision", "Fecha de Vencimiento"]
    )  # fmt: skip
    assert cols.fields == {
        0: F.DEBTOR_EXTERNAL_ID, 1: F.DEBTOR_NAME, 2: F.DOCUMENT_NUMBER, 3: F.EMAIL, 4: F.PHONE,
        5: F.EXTERNAL_ID, 6: F.AMOUNT, 7: F.CURRENCY, 8: F.ISSUE_DATE, 9: F.DUE_DATE,
    }  # fmt: skip
    assert cols.implied_document_type == "RUC"


def test_english_headers_and_an_explicit_mapping() -> None:
    cols = resolve_columns(
        ["Customer ID", "Name", "Invoice", "Amount", "Due Date", "Saldo Pendiente", "Notes"],
        {"saldo pendiente": "amount", "amount": "", "Notes": "description"},
    )
    assert cols.fields == {0: F.DEBTOR_EXTERNAL_ID, 1: F.DEBTOR_NAME, 2: F.EXTERNAL_ID, 4: F.DUE_DATE,
                           5: F.AMOUNT, 6: F.DESCRIPTION}  # fmt: skip


def test_a_bad_header_lists_every_problem() -> None:
    with pytest.raises(DomainError) as exc:
        resolve_columns(["Nombre", "Monto", "Importe"], {"zona": "dueDate", "Nombre": "colour"})
    assert sorted(e.code for e in exc.value.errors) == sorted(
        [E.NOT_FOUND, E.INVALID, E.DUPLICATE, *[E.REQUIRED] * 4]
    )


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("1.234,56", COMMA, "1234.56"),
        ("1234,5", COMMA, "1234.5"),
        ("S/ 1.234", COMMA, "1234"),
        ("1,234.56", POINT, "1234.56"),
        ("-12.30", POINT, "-12.30"),
        ("1 234 567.89", POINT, "1234567.89"),
        (1500, POINT, "1500"),
        (1234.56, COMMA, "1234.56"),  # a number cell: its own digits, not the locale's
    ],
)
def test_amounts_by_locale(text: object, fmt: NumberFormat, expected: str) -> None:
    assert parse_amount(text, fmt, "amount") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "fmt"), [("12,5", POINT), ("1.2.3,4", COMMA), ("12,50,1", COMMA), ("abc", POINT)]
)
def test_ambiguous_or_bad_amounts_are_refused(text: str, fmt: NumberFormat) -> None:
    with pytest.raises(DomainError) as exc:
        parse_amount(text, fmt, "amount")
    assert exc.value.code is E.INVALID_AMOUNT


def test_number_format_follows_the_locale() -> None:
    assert NumberFormat.for_locale("es-CO").decimal == ","
    assert NumberFormat.for_locale("es-PE").decimal == "."
    assert NumberFormat.for_locale("es-CL", ".").decimal == "."
    assert NumberFormat.for_locale("en-US").day_first is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-31", date(2026, 1, 31)),
        ("31/01/2026", date(2026, 1, 31)),
        ("31-01-2026", date(2026, 1, 31)),
        ("5.2.26", date(2026, 2, 5)),
        (datetime(2026, 1, 31, 0, 0), date(2026, 1, 31)),
        (46053, date(2026, 1, 31)),  # an Excel serial
        ("46053", date(2026, 1, 31)),
    ],
)
def test_dates_iso_local_and_excel(value: object, expected: date) -> None:
    assert parse_date(value, COMMA, "dueDate") == expected


def test_month_first_only_for_us_locales_and_bad_dates_refused() -> None:
    assert parse_date("01/31/2026", NumberFormat(".", False), "dueDate") == date(2026, 1, 31)
    for bad in ("31/02/2026", "mañana", "2026-13-01"):
        with pytest.raises(DomainError) as exc:
            parse_date(bad, COMMA, "dueDate")
        assert exc.value.code is E.INVALID_DATE


HEADER = ["DNI", "Nombre", "Correo", "Factura", "Importe", "Vencimiento", "Tipo Deuda"]


def parse(cells: list[object]) -> ImportRow | list[RowIssue]:
    return RowParser(resolve_columns(HEADER), COMMA).parse(7, cells)


def test_a_row_without_customer_code_is_keyed_by_its_document() -> None:
    row = parse(["12345678", "Ana Díaz", "ana@x.pe", "F001-9", "1.500,00", "15/04/2026", "cuota"])
    assert isinstance(row, ImportRow)
    assert (row.debtor_external_id, row.document_type, row.document_number) == ("12345678", "DNI", "12345678")
    assert (row.original_amount, row.due_date, row.kind.value) == (
        Decimal("1500.00"),
        date(2026, 4, 15),
        "INSTALMENT",
    )


def test_a_bad_row_reports_each_column() -> None:
    issues = parse(["", "Ana", "", "F-1", "12,5,0", "ayer", "leasing"])
    assert isinstance(issues, list)
    assert {(i.row, i.column, i.code) for i in issues} == {
        (7, "Importe", E.INVALID_AMOUNT),
        (7, "Vencimiento", E.INVALID_DATE),
        (7, "Tipo Deuda", E.INVALID),
        (7, "DNI", E.REQUIRED),
    }
