"""The rows of a bulk import and what it reports back: the import's data model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from domain.entities import Channel, ContactKind, Debt, DebtKind, PartyKind
from domain.errors import ErrorCode, FieldError
from domain.services.debtors import ContactInput, DebtorInput

MAX_ROWS = 500


@dataclass
class ImportRow:
    debtor_external_id: str
    debtor_name: str
    external_id: str
    original_amount: Decimal | str
    due_date: date
    debtor_kind: PartyKind = PartyKind.PERSON
    document_type: str | None = None
    document_number: str | None = None
    email: str | None = None
    phone: str | None = None
    whatsapp: str | None = None
    jurisdiction: str | None = None
    preferred_channel: Channel | None = None
    kind: DebtKind = DebtKind.INVOICE
    currency: str | None = None
    issue_date: date | None = None
    number: str | None = None
    description: str | None = None
    assigned_agent_id: str | None = None
    tags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    code: ErrorCode
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    debts: list[Debt] = field(default_factory=list)
    changes: list[tuple[Debt | None, Debt]] = field(default_factory=list)
    """Each written debt with what it was before (None when created): the deltas for aggregates."""


def debtor_input(row: ImportRow) -> DebtorInput:
    contacts: list[ContactInput] = []
    if row.email:
        contacts.append(ContactInput(ContactKind.EMAIL, row.email, consent=True))
    if row.phone:
        contacts.append(ContactInput(ContactKind.PHONE, row.phone, consent=True))
    if row.whatsapp:
        contacts.append(ContactInput(ContactKind.WHATSAPP, row.whatsapp, consent=True))
    return DebtorInput(
        name=row.debtor_name,
        kind=row.debtor_kind,
        external_id=row.debtor_external_id,
        document_type=row.document_type,
        document_number=row.document_number,
        jurisdiction=row.jurisdiction,
        preferred_channel=row.preferred_channel,
        contacts=contacts,
        assigned_agent_id=row.assigned_agent_id,
    )


def field_errors(result: ImportResult) -> list[FieldError]:
    return [
        FieldError(e.code, e.message, f"rows[{e.row}].{e.field}" if e.field else f"rows[{e.row}]")
        for e in result.errors
    ]
