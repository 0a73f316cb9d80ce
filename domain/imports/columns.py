"""Which file column feeds which import field: header normalisation, ES/EN synonyms, overrides."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import DomainError, ErrorCode, FieldError


class ImportField(StrEnum):
    """The fields a row may carry (the names `columnMapping` and `--mapping` accept)."""

    DEBTOR_EXTERNAL_ID = "debtorExternalId"
    DEBTOR_NAME = "debtorName"
    DEBTOR_KIND = "debtorKind"
    DOCUMENT_TYPE = "documentType"
    DOCUMENT_NUMBER = "documentNumber"
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    JURISDICTION = "jurisdiction"
    EXTERNAL_ID = "externalId"
    NUMBER = "number"
    KIND = "kind"
    AMOUNT = "amount"
    CURRENCY = "currency"
    ISSUE_DATE = "issueDate"
    DUE_DATE = "dueDate"
    DESCRIPTION = "description"
    AGENT = "assignedAgentId"
    TAGS = "tags"


REQUIRED = (
    ImportField.DEBTOR_EXTERNAL_ID,
    ImportField.DEBTOR_NAME,
    ImportField.EXTERNAL_ID,
    ImportField.AMOUNT,
    ImportField.DUE_DATE,
)

# Header forms after `normalize_header`. A header naming a document type (RUC, DNI …) maps to the
# document number and implies the type, unless the file also has a document type column.
_SYNONYMS: dict[ImportField, tuple[str, ...]] = {
    ImportField.DEBTOR_EXTERNAL_ID: (
        "debtor external id",
        "debtor id",
        "customer id",
        "customer code",
        "client id",
        "client code",
        "account",
        "account number",
        "codigo cliente",
        "cod cliente",
        "id cliente",
        "cliente id",
        "codigo deudor",
        "id deudor",
        "cuenta",
    ),
    ImportField.DEBTOR_NAME: (
        "name",
        "debtor name",
        "customer name",
        "customer",
        "client",
        "company name",
        "full name",
        "nombre",
        "nombres",
        "cliente",
        "deudor",
        "razon social",
        "nombre cliente",
        "nombre completo",
    ),
    ImportField.DEBTOR_KIND: ("debtor kind", "party kind", "tipo persona", "tipo de persona"),
    ImportField.DOCUMENT_TYPE: (
        "document type",
        "doc type",
        "id type",
        "tipo documento",
        "tipo doc",
        "tipo de documento",
    ),
    ImportField.DOCUMENT_NUMBER: (
        "document",
        "document number",
        "doc number",
        "tax id",
        "documento",
        "numero documento",
        "nro documento",
        "num documento",
        "numero de documento",
        "identificacion",
    ),
    ImportField.EMAIL: ("email", "e mail", "mail", "email address", "correo", "correo electronico"),
    ImportField.PHONE: (
        "phone",
        "phone number",
        "mobile",
        "cell",
        "cellphone",
        "telefono",
        "celular",
        "movil",
        "numero telefono",
    ),
    ImportField.WHATSAPP: ("whatsapp", "whatsapp number", "numero whatsapp"),
    ImportField.JURISDICTION: ("country", "jurisdiction", "pais"),
    ImportField.EXTERNAL_ID: (
        "external id",
        "debt external id",
        "debt id",
        "invoice id",
        "invoice",
        "reference",
        "id deuda",
        "codigo deuda",
        "factura",
        "referencia",
        "documento de pago",
    ),
    ImportField.NUMBER: (
        "number",
        "invoice number",
        "document no",
        "numero",
        "numero factura",
        "nro factura",
        "serie numero",
        "comprobante",
    ),
    ImportField.KIND: ("debt kind", "debt type", "tipo deuda", "tipo de deuda"),
    ImportField.AMOUNT: (
        "amount",
        "original amount",
        "total",
        "amount due",
        "monto",
        "importe",
        "monto original",
        "importe total",
        "saldo",
        "valor",
    ),
    ImportField.CURRENCY: ("currency", "moneda", "divisa"),
    ImportField.ISSUE_DATE: (
        "issue date",
        "issued",
        "invoice date",
        "date",
        "fecha emision",
        "fecha de emision",
        "emision",
        "fecha",
    ),
    ImportField.DUE_DATE: (
        "due date",
        "due",
        "due on",
        "fecha vencimiento",
        "fecha de vencimiento",
        "vencimiento",
        "vence",
        "fecha vto",
        "vto",
    ),
    ImportField.DESCRIPTION: ("description", "concept", "detail", "descripcion", "concepto", "detalle"),
    ImportField.AGENT: ("agent", "agent id", "assigned agent", "gestor", "agente", "asesor"),
    ImportField.TAGS: ("tags", "labels", "etiquetas"),
}

FALLBACKS = {
    # A file without a customer code identifies debtors by document; without a debt id, by number.
    ImportField.DEBTOR_EXTERNAL_ID: ImportField.DOCUMENT_NUMBER,
    ImportField.EXTERNAL_ID: ImportField.NUMBER,
}

DOCUMENT_TYPE_HEADERS = ("ruc", "dni", "nit", "rfc", "rut", "curp", "cc", "ce")

_BY_HEADER: dict[str, ImportField] = {h: f for f, hs in _SYNONYMS.items() for h in hs}
_FIELD_NAMES: dict[str, ImportField] = {
    normalize: f for f in ImportField for normalize in (f.value.lower(), f.name.lower().replace("_", " "))
}


def normalize_header(text: object) -> str:
    """`Fecha_de Vencimiento ` → `fecha de vencimiento`: casefold, accents off, `_-.` as spaces."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = re.sub(r"[_\-./#°º:]+", " ", plain)
    return " ".join(plain.split())


def parse_field(name: str) -> ImportField:
    """A mapping target: a field name (`dueDate`) or any default header (`fecha_vencimiento`)."""
    key = normalize_header(name)
    found = _FIELD_NAMES.get(name.strip().lower()) or _FIELD_NAMES.get(key) or _BY_HEADER.get(key)
    if found is None:
        raise DomainError(
            ErrorCode.INVALID,
            f"unknown import field '{name}'; known: {', '.join(f.value for f in ImportField)}",
            "columnMapping",
        )
    return found


@dataclass(frozen=True)
class ColumnMap:
    """Column index → field, plus the document type implied by a `RUC`/`DNI`… header."""

    fields: dict[int, ImportField]
    headers: list[str]
    implied_document_type: str | None = None

    def column_of(self, field: ImportField) -> int | None:
        return next((i for i, f in self.fields.items() if f is field), None)

    def header_of(self, field: ImportField) -> str:
        index = self.column_of(field)
        return self.headers[index] if index is not None else field.value


def resolve_columns(headers: list[object], overrides: dict[str, str] | None = None) -> ColumnMap:
    """Match headers to fields; `overrides` (header → field, or header → "" to ignore) win.

    Raises one DomainError listing every problem: an override naming a missing header, two
    columns for one field, a required field without a column.
    """
    texts = [str(h or "").strip() for h in headers]
    norm = [normalize_header(h) for h in texts]
    wanted = {normalize_header(k): v for k, v in (overrides or {}).items()}
    problems: list[FieldError] = []
    for key in wanted:
        if key not in norm:
            problems.append(
                FieldError(ErrorCode.NOT_FOUND, f"no column '{key}' in the file", "columnMapping")
            )
    fields: dict[int, ImportField] = {}
    implied: str | None = None
    for i, key in enumerate(norm):
        if not key:
            continue
        if key in wanted:
            target = wanted[key].strip()
            if not target:
                continue  # explicitly ignored
            try:
                fields[i] = parse_field(target)
            except DomainError as err:
                problems.extend(err.errors)
            continue
        if key in _BY_HEADER:
            fields[i] = _BY_HEADER[key]
        elif key in DOCUMENT_TYPE_HEADERS:
            fields[i], implied = ImportField.DOCUMENT_NUMBER, key.upper()
    seen: dict[ImportField, int] = {}
    for i, field in sorted(fields.items()):
        if field in seen:
            problems.append(
                FieldError(
                    ErrorCode.DUPLICATE,
                    f"columns '{texts[seen[field]]}' and '{texts[i]}' both map to {field.value}",
                    "columnMapping",
                )
            )
        seen.setdefault(field, i)
    for field in REQUIRED:
        if field not in seen and FALLBACKS.get(field) not in seen:
            problems.append(FieldError(ErrorCode.REQUIRED, f"no column for {field.value}", "columnMapping"))
    if problems:
        raise DomainError.many(problems)
    if ImportField.DOCUMENT_TYPE in seen:
        implied = None
    return ColumnMap(fields=fields, headers=texts, implied_document_type=implied)
