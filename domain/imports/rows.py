"""One file row → an `ImportRow` for the ledger, or the row's problems (row, column, code, message)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.entities import DebtKind, PartyKind
from domain.errors import DomainError, ErrorCode
from domain.imports.columns import FALLBACKS, ColumnMap, ImportField
from domain.imports.values import NumberFormat, parse_amount, parse_date
from domain.services.imports import ImportRow

F = ImportField


@dataclass(frozen=True)
class RowIssue:
    """Why a row was not imported: its row number in the file (header = 1), column, code, message."""

    row: int
    column: str | None
    code: ErrorCode
    message: str


_KINDS: dict[str, DebtKind] = {
    "invoice": DebtKind.INVOICE,
    "factura": DebtKind.INVOICE,
    "instalment": DebtKind.INSTALMENT,
    "installment": DebtKind.INSTALMENT,
    "cuota": DebtKind.INSTALMENT,
    "loan": DebtKind.LOAN,
    "prestamo": DebtKind.LOAN,
    "préstamo": DebtKind.LOAN,
    "credito": DebtKind.LOAN,
    "other": DebtKind.OTHER,
    "otro": DebtKind.OTHER,
}
_PARTIES: dict[str, PartyKind] = {
    "person": PartyKind.PERSON,
    "persona": PartyKind.PERSON,
    "natural": PartyKind.PERSON,
    "company": PartyKind.COMPANY,
    "empresa": PartyKind.COMPANY,
    "juridica": PartyKind.COMPANY,
    "jurídica": PartyKind.COMPANY,
}

# Ledger field names (as use cases report them) → the import field whose column to blame.
_LEDGER_FIELDS: dict[str, ImportField] = {
    "debtorExternalId": F.DEBTOR_EXTERNAL_ID,
    "externalId": F.EXTERNAL_ID,
    "name": F.DEBTOR_NAME,
    "documentType": F.DOCUMENT_TYPE,
    "documentNumber": F.DOCUMENT_NUMBER,
    "jurisdiction": F.JURISDICTION,
    "originalAmount": F.AMOUNT,
    "currency": F.CURRENCY,
    "issueDate": F.ISSUE_DATE,
    "dueDate": F.DUE_DATE,
    "number": F.NUMBER,
    "description": F.DESCRIPTION,
    "assignedAgentId": F.AGENT,
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed into a number cell: 1001.0 → "1001"
    text = str(value).strip()
    return text or None


def _choice(value: str | None, table: dict[str, Any], field: str, default: Any) -> Any:
    if not value:
        return default
    key = value.strip().casefold()
    if key in table:
        return table[key]
    upper = value.strip().upper()
    if upper in {str(v) for v in table.values()}:
        return table[next(k for k, v in table.items() if str(v) == upper)]
    known = ", ".join(sorted({str(v) for v in table.values()}))
    raise DomainError(ErrorCode.INVALID, f"'{value}' is not one of {known}", field)


class RowParser:
    """Turns cells into ledger rows with the file's column map and number/date format."""

    def __init__(self, columns: ColumnMap, fmt: NumberFormat) -> None:
        self.columns, self.fmt = columns, fmt

    def cell(self, cells: list[Any], field: ImportField) -> Any:
        index = self.columns.column_of(field)
        return cells[index] if index is not None and index < len(cells) else None

    def column(self, field: ImportField) -> str:
        """The header to blame for a field (its fallback's when the file has no column of its own)."""
        if self.columns.column_of(field) is None and field in FALLBACKS:
            return self.columns.header_of(FALLBACKS[field])
        return self.columns.header_of(field)

    def parse(self, row: int, cells: list[Any]) -> ImportRow | list[RowIssue]:
        issues: list[RowIssue] = []

        def get(field: ImportField, conv: Callable[[Any, NumberFormat, str], Any]) -> Any:
            try:
                return conv(self.cell(cells, field), self.fmt, field.value)
            except DomainError as err:
                issues.extend(RowIssue(row, self.column(field), e.code, e.message) for e in err.errors)
                return None

        def text(field: ImportField) -> str | None:
            return _text(self.cell(cells, field))

        amount: Decimal | None = get(F.AMOUNT, parse_amount)
        due = get(F.DUE_DATE, parse_date)
        issue = get(F.ISSUE_DATE, parse_date)
        kind = get(F.KIND, lambda v, _f, n: _choice(_text(v), _KINDS, n, DebtKind.INVOICE))
        party = get(F.DEBTOR_KIND, lambda v, _f, n: _choice(_text(v), _PARTIES, n, None))
        document = text(F.DOCUMENT_NUMBER)
        doc_type = text(F.DOCUMENT_TYPE) or (self.columns.implied_document_type if document else None)
        debtor_ext = text(F.DEBTOR_EXTERNAL_ID) or document
        debt_ext = text(F.EXTERNAL_ID) or text(F.NUMBER)
        for field, value in (
            (F.DEBTOR_EXTERNAL_ID, debtor_ext),
            (F.DEBTOR_NAME, text(F.DEBTOR_NAME)),
            (F.EXTERNAL_ID, debt_ext),
        ):
            if not value:
                message = f"{field.value} is empty"
                issues.append(RowIssue(row, self.column(field), ErrorCode.REQUIRED, message))
        if amount is None and not any(i.column == self.column(F.AMOUNT) for i in issues):
            issues.append(RowIssue(row, self.column(F.AMOUNT), ErrorCode.REQUIRED, "amount is empty"))
        if due is None and not any(i.column == self.column(F.DUE_DATE) for i in issues):
            issues.append(RowIssue(row, self.column(F.DUE_DATE), ErrorCode.REQUIRED, "dueDate is empty"))
        if issues:
            return issues
        if party is None:
            # A Peruvian RUC starting with 20 belongs to a company; anything else defaults to a person.
            company = (doc_type or "").upper() == "RUC" and (document or "").startswith("20")
            party = PartyKind.COMPANY if company else PartyKind.PERSON
        tags = [t for t in (text(F.TAGS) or "").replace(";", ",").split(",") if t.strip()]
        return ImportRow(
            debtor_external_id=debtor_ext or "",
            debtor_name=text(F.DEBTOR_NAME) or "",
            external_id=debt_ext or "",
            original_amount=amount if amount is not None else Decimal(0),
            due_date=due,
            debtor_kind=party,
            document_type=doc_type,
            document_number=document,
            email=text(F.EMAIL),
            phone=text(F.PHONE),
            whatsapp=text(F.WHATSAPP),
            jurisdiction=text(F.JURISDICTION),
            kind=kind,
            currency=text(F.CURRENCY),
            issue_date=issue,
            number=text(F.NUMBER),
            description=text(F.DESCRIPTION),
            assigned_agent_id=text(F.AGENT),
            tags=tags,
        )

    def blame(self, row: ImportRow, ledger_field: str | None) -> str | None:
        """The file column behind a field the ledger refused (`contacts[1].value` → the phone column)."""
        if not ledger_field:
            return None
        if ledger_field.startswith("contacts["):
            given = ((F.EMAIL, row.email), (F.PHONE, row.phone), (F.WHATSAPP, row.whatsapp))
            present = [f for f, v in given if v]
            index = int(ledger_field[len("contacts[") : ledger_field.index("]")])
            return self.column(present[index]) if index < len(present) else ledger_field
        field = _LEDGER_FIELDS.get(ledger_field)
        return self.column(field) if field else ledger_field
