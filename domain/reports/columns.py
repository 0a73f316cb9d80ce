"""Column definitions per report kind, with English and Spanish headers."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode
from domain.reports.model import Column, ColumnType, ReportKind

LOCALES = ("en", "es")

_T, _I, _D, _DT, _M = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.DATE,
    ColumnType.DATETIME,
    ColumnType.MONEY,
)

# key: (English, Spanish, type, width)
_HEADERS: dict[str, tuple[str, str, ColumnType, int]] = {
    "debtor": ("Debtor", "Deudor", _T, 30),
    "document": ("Document", "Documento", _T, 16),
    "debtor_ref": ("Debtor reference", "Referencia del deudor", _T, 18),
    "debt": ("Debt", "Deuda", _T, 18),
    "debt_kind": ("Kind", "Tipo", _T, 12),
    "portfolio": ("Portfolio", "Cartera", _T, 22),
    "agent": ("Agent", "Gestor", _T, 14),
    "currency": ("Currency", "Moneda", _T, 9),
    "issue_date": ("Issue date", "Fecha de emisión", _D, 12),
    "due_date": ("Due date", "Fecha de vencimiento", _D, 12),
    "days_past_due": ("Days past due", "Días de atraso", _I, 10),
    "bucket": ("Aging bucket", "Tramo de antigüedad", _T, 16),
    "status": ("Status", "Estado", _T, 13),
    "original": ("Original amount", "Monto original", _M, 16),
    "paid": ("Paid", "Pagado", _M, 16),
    "credits": ("Credits", "Abonos", _M, 14),
    "fees": ("Fees", "Cargos", _M, 14),
    "balance": ("Balance", "Saldo", _M, 16),
    "paid_at": ("Paid at", "Fecha de pago", _DT, 18),
    "amount": ("Amount", "Monto", _M, 16),
    "applied": ("Applied", "Aplicado", _M, 16),
    "unapplied": ("Unapplied", "No aplicado", _M, 14),
    "method": ("Method", "Medio de pago", _T, 12),
    "reference": ("Reference", "Referencia", _T, 18),
    "debts": ("Debts", "Deudas", _T, 24),
    "reversed_at": ("Reversed at", "Anulado el", _DT, 18),
    "recorded_by": ("Recorded by", "Registrado por", _T, 14),
    "time": ("Time", "Hora", _DT, 18),
    "time_zone": ("Time zone", "Zona horaria", _T, 18),
    "interaction": ("Type", "Tipo", _T, 12),
    "channel": ("Channel", "Canal", _T, 11),
    "campaign": ("Campaign", "Campaña", _T, 22),
    "step": ("Step", "Paso", _T, 10),
    "recipient": ("Recipient", "Destinatario", _T, 24),
    "subject": ("Subject", "Asunto", _T, 30),
    "detail": ("Detail", "Detalle", _T, 30),
    "promised_amount": ("Promised amount", "Monto prometido", _M, 16),
    "promised_date": ("Promised date", "Fecha prometida", _D, 12),
    "created_at": ("Created at", "Creado el", _DT, 18),
    "count": ("Debts", "Deudas", _I, 10),
    "payments": ("Payments", "Pagos", _I, 10),
    "rows": ("Rows", "Filas", _I, 10),
    "collected": ("Collected", "Recaudado", _M, 16),
    "reversed": ("Reversed", "Anulados", _I, 10),
    "share": ("Share of balance", "Participación", _T, 12),
}

_KIND_COLUMNS: dict[ReportKind, tuple[str, ...]] = {
    ReportKind.AGING: (
        "debtor", "document", "debt", "portfolio", "agent", "currency", "due_date", "days_past_due",
        "bucket", "status", "original", "balance",
    ),
    ReportKind.DEBTS: (
        "debtor", "document", "debtor_ref", "debt", "debt_kind", "portfolio", "agent", "currency",
        "issue_date", "due_date", "status", "days_past_due", "original", "paid", "credits", "fees", "balance",
    ),
    ReportKind.PAYMENTS: (
        "paid_at", "debtor", "document", "currency", "amount", "applied", "unapplied", "method",
        "reference", "debts", "status", "reversed_at", "recorded_by",
    ),
    ReportKind.INTERACTIONS: (
        "time", "time_zone", "interaction", "channel", "status", "debtor", "document", "campaign", "step",
        "recipient", "subject", "currency", "amount", "detail",
    ),
    ReportKind.PROMISES: (
        "debtor", "document", "debt", "currency", "promised_amount", "promised_date", "status", "agent",
        "created_at",
    ),
}  # fmt: skip


def check_locale(locale: str) -> str:
    code = (locale or "en").split("-")[0].split("_")[0].lower()
    if code not in LOCALES:
        raise DomainError(ErrorCode.INVALID_LOCALE, f"reports are in {' or '.join(LOCALES)}", "locale")
    return code


def column(key: str, locale: str = "en") -> Column:
    en, es, kind, width = _HEADERS[key]
    return Column(
        key=key,
        header=es if locale == "es" else en,
        type=kind,
        width=width,
        currency_column="currency" if kind is ColumnType.MONEY else None,
    )


def columns_of(kind: ReportKind, locale: str = "en") -> list[Column]:
    return [column(key, locale) for key in _KIND_COLUMNS[kind]]


_TEXT: dict[str, tuple[str, str]] = {
    ReportKind.AGING: ("Aging report", "Reporte de antigüedad de saldos"),
    ReportKind.DEBTS: ("Debts", "Deudas"),
    ReportKind.PAYMENTS: ("Payments", "Pagos"),
    ReportKind.INTERACTIONS: ("Interactions", "Gestiones"),
    ReportKind.PROMISES: ("Promises to pay", "Promesas de pago"),
    "summary": ("Summary", "Resumen"),
    "total": ("Total", "Total"),
    "tenant": ("Tenant", "Empresa"),
    "as_of": ("As of", "Fecha de corte"),
    "time_zone": ("Time zone", "Zona horaria"),
    "generated_at": ("Generated at (UTC)", "Generado el (UTC)"),
    "filters": ("Filters", "Filtros"),
    "none": ("none", "ninguno"),
    "balance_by_bucket": ("Balance by aging bucket", "Saldo por tramo de antigüedad"),
    "totals_by_currency": ("Totals by currency", "Totales por moneda"),
    "MESSAGE": ("Message", "Mensaje"),
    "CALL_TASK": ("Call task", "Tarea de llamada"),
}


def text(key: str, locale: str = "en") -> str:
    en, es = _TEXT[key]
    return es if locale == "es" else en
