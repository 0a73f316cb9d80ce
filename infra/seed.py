"""Demo data for one-machine runs: tenant `demo`, two portfolios, ~50 debtors, ~300 debts, ~40 payments.

Everything is generated from `random.Random(42)` and dates relative to the clock's day in
America/Lima, and written through the ledger's own use cases, so the data obeys every domain rule.
Re-running with the same clock writes nothing: the tenant and portfolios are only written when they
differ or are missing, imports are upserts by external id and payments are idempotent by key.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from domain.clock import Clock, local_date
from domain.documents import nit_check_digit, ruc_check_digit
from domain.entities import Channel, Debt, DebtKind, PartyKind, PaymentMethod, Portfolio
from domain.errors import DomainError, ErrorCode
from domain.money import quantum
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.imports import MAX_ROWS, ImportRow
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch

TENANT = "demo"
TENANT_NAME = "Demo Cobranzas SAC"
SENDER_EMAIL = "noreply@demo.recaudo.dev"
SMS_SENDER_ID = "RECAUDO"
AGENTS = ("ag-lucia", "ag-mateo")
LIMA = ZoneInfo("America/Lima")
SEED = 42
CHUNK = 200  # rows per import call (the use case accepts up to MAX_ROWS)


@dataclass(frozen=True)
class PortfolioSpec:
    external_id: str
    name: str
    description: str
    currency: str
    country: str
    debtors: int
    debts: int


PORTFOLIOS = (
    PortfolioSpec("PF-PE", "Cartera Retail Lima", "Consumo y retail en Lima", "PEN", "PE", 30, 180),
    PortfolioSpec("PF-CO", "Cartera Pymes Bogotá", "Pequeñas y medianas empresas", "COP", "CO", 20, 120),
)

FIRST_NAMES = (
    "María", "José", "Lucía", "Carlos", "Ana", "Luis", "Rosa", "Jorge", "Carmen", "Miguel",
    "Sofía", "Andrés", "Valentina", "Juan", "Camila", "Diego", "Gabriela", "Fernando", "Isabel",
    "Ricardo", "Daniela", "Manuel", "Patricia", "Alejandro", "Elena", "Óscar", "Natalia", "Raúl",
)  # fmt: skip
LAST_NAMES = (
    "Quispe", "Flores", "Rodríguez", "García", "Mamani", "Huamán", "Sánchez", "Gómez", "Torres",
    "Ramírez", "Díaz", "Vargas", "Castillo", "Rojas", "Mendoza", "Chávez", "Muñoz", "Herrera",
    "Córdoba", "Pérez", "Martínez", "López", "Jiménez", "Ortiz", "Gutiérrez", "Salazar", "Ríos",
)  # fmt: skip
COMPANY_WORDS = (
    "Andina", "Pacífico", "Sol", "Cordillera", "Amazonas", "Caribe", "Los Andes", "Inca", "Nevado",
    "Magdalena", "Cafetera", "Altiplano", "Horizonte", "Vallenata", "Mistura",
)  # fmt: skip
COMPANY_TRADES = (
    "Inversiones", "Distribuidora", "Comercial", "Servicios", "Textiles", "Importaciones",
    "Constructora", "Agroindustrias", "Transportes", "Ferretería",
)  # fmt: skip
COMPANY_FORMS = {"PE": ("SAC", "SRL", "EIRL", "SA"), "CO": ("SAS", "Ltda.", "S.A.", "SAS")}
CO_MOBILE_PREFIXES = (
    "300",
    "301",
    "302",
    "304",
    "310",
    "311",
    "312",
    "313",
    "314",
    "315",
    "316",
    "320",
    "321",
)

# Days past due drawn for each aging bucket (negative: not yet due). The first six debts of a
# portfolio cover every bucket once; the rest follow the weights.
BUCKET_DPD = ((-45, 0), (1, 30), (31, 60), (61, 90), (91, 120), (121, 150))
BUCKET_WEIGHTS = (30, 25, 15, 12, 10, 8)


@dataclass
class SeedSummary:
    tenant: str
    portfolios: dict[str, str] = field(default_factory=dict)
    """External id → portfolio id."""
    debtors: int = 0
    debts: int = 0
    debts_created: int = 0
    debts_updated: int = 0
    debts_unchanged: int = 0
    payments: int = 0
    payments_recorded: int = 0
    payments_replayed: int = 0
    payments_skipped: int = 0
    """Payments whose key was used on another day's seed (different paid date): left as they are."""

    def describe(self) -> str:
        return (
            f"tenant {self.tenant}: {len(self.portfolios)} portfolios, {self.debtors} debtors, "
            f"{self.debts} debts ({self.debts_created} new, {self.debts_updated} updated, "
            f"{self.debts_unchanged} unchanged), {self.payments} payments "
            f"({self.payments_recorded} new, {self.payments_replayed + self.payments_skipped} already there)"
        )


@dataclass(frozen=True)
class PlannedPayment:
    key: str
    debt_external_id: str
    debtor_external_id: str
    currency: str
    amount: Decimal
    paid_on: date
    method: PaymentMethod
    whole_debtor: bool = False
    """The overpayment: everything the debtor owes plus a surplus that stays as credit."""


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def _ruc(rng: random.Random) -> str:
    first_ten = "20" + _digits(rng, 8)
    return first_ten + str(ruc_check_digit(first_ten))


def _nit(rng: random.Random) -> str:
    body = str(rng.choice((8, 9))) + _digits(rng, 8)
    return f"{body}-{nit_check_digit(body)}"


def _phone(rng: random.Random, country: str) -> str:
    if country == "PE":
        return "9" + _digits(rng, 8)
    return rng.choice(CO_MOBILE_PREFIXES) + _digits(rng, 7)


def _amount(rng: random.Random, currency: str) -> Decimal:
    if currency == "COP":
        # Pesos are quoted in whole hundreds; the stored scale still follows ISO 4217 (via babel).
        value = Decimal(rng.randrange(1_500, 60_000) * 100)
    else:
        value = Decimal(rng.randrange(5_000, 650_000)) / 100
    return value.quantize(quantum(currency))


@dataclass(frozen=True)
class DemoDebtor:
    external_id: str
    name: str
    kind: PartyKind
    document_type: str
    document_number: str
    email: str | None
    phone: str
    whatsapp: str | None
    country: str
    channel: Channel | None
    agent_id: str | None


def _company_name(rng: random.Random, country: str) -> str:
    return f"{rng.choice(COMPANY_TRADES)} {rng.choice(COMPANY_WORDS)} {rng.choice(COMPANY_FORMS[country])}"


def _debtors(rng: random.Random, spec: PortfolioSpec) -> list[DemoDebtor]:
    """A quarter companies (RUC / NIT), the rest people (DNI / CC), with valid phones and e-mails."""
    result: list[DemoDebtor] = []
    companies = spec.debtors // 4
    agents = (
        (AGENTS[0], AGENTS[0], AGENTS[1], None)
        if spec.country == "PE"
        else (AGENTS[1], AGENTS[1], AGENTS[0], None)
    )
    for n in range(1, spec.debtors + 1):
        is_company = n > spec.debtors - companies
        if is_company:
            name = _company_name(rng, spec.country)
            doc_type, doc = ("RUC", _ruc(rng)) if spec.country == "PE" else ("NIT", _nit(rng))
            email = f"cobranzas.{spec.country.lower()}{n:03d}@example.org"
        else:
            first, last1, last2 = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last1} {last2}"
            if spec.country == "PE":
                doc_type, doc = "DNI", str(rng.randrange(10_000_000, 79_999_999))
            else:
                doc_type, doc = "CC", str(rng.randrange(10_000_000, 1_099_999_999))
            email = f"{_ascii(first)}.{_ascii(last1)}{n:03d}@example.com"
        phone = _phone(rng, spec.country)
        result.append(
            DemoDebtor(
                external_id=f"DEU-{spec.country}-{n:03d}",
                name=name,
                kind=PartyKind.COMPANY if is_company else PartyKind.PERSON,
                document_type=doc_type,
                document_number=doc,
                email=email if rng.random() < 0.9 else None,
                phone=phone,
                whatsapp=phone if rng.random() < 0.6 else None,
                country=spec.country,
                channel=rng.choice((Channel.EMAIL, Channel.SMS, Channel.WHATSAPP, None)),
                agent_id=rng.choice(agents),
            )
        )
    return result


def _debt_row(
    rng: random.Random, spec: PortfolioSpec, debtor: DemoDebtor, n: int, bucket: int, today: date
) -> ImportRow:
    low, high = BUCKET_DPD[bucket]
    due = today - timedelta(days=rng.randint(low, high))
    kind = rng.choice((DebtKind.INVOICE, DebtKind.INVOICE, DebtKind.INSTALMENT, DebtKind.LOAN))
    term = {DebtKind.INVOICE: 30, DebtKind.INSTALMENT: 30, DebtKind.LOAN: 90}.get(kind, 30)
    issue = min(due - timedelta(days=term), today)
    if spec.country == "PE":
        number = f"F001-{n:06d}" if kind is DebtKind.INVOICE else f"CR-{n:05d}"
        description = {
            DebtKind.INVOICE: "Compra de mercadería al crédito",
            DebtKind.INSTALMENT: "Cuota de financiamiento de electrodomésticos",
        }.get(kind, "Préstamo de consumo")
    else:
        number = f"FE-{n:06d}" if kind is DebtKind.INVOICE else f"CR-{n:05d}"
        description = {
            DebtKind.INVOICE: "Factura electrónica por suministro de insumos",
            DebtKind.INSTALMENT: "Cuota de crédito de capital de trabajo",
        }.get(kind, "Préstamo empresarial")
    return ImportRow(
        debtor_external_id=debtor.external_id,
        debtor_name=debtor.name,
        external_id=f"{spec.country}-{n:04d}",
        original_amount=_amount(rng, spec.currency),
        due_date=due,
        debtor_kind=debtor.kind,
        document_type=debtor.document_type,
        document_number=debtor.document_number,
        email=debtor.email,
        phone=debtor.phone,
        whatsapp=debtor.whatsapp,
        jurisdiction=debtor.country,
        preferred_channel=debtor.channel,
        kind=kind,
        currency=spec.currency,
        issue_date=issue,
        number=number,
        description=description,
        assigned_agent_id=debtor.agent_id,
        tags=["demo", kind.value.lower()],
    )


def build_rows(today: date) -> dict[str, list[ImportRow]]:
    """The import rows of each portfolio (by external id), a pure function of `today`."""
    rng = random.Random(SEED)
    result: dict[str, list[ImportRow]] = {}
    for spec in PORTFOLIOS:
        debtors = _debtors(rng, spec)
        # Every debtor owes at least one debt; the rest are spread at random.
        owners = debtors + [rng.choice(debtors) for _ in range(spec.debts - len(debtors))]
        buckets = list(range(len(BUCKET_DPD))) + rng.choices(
            range(len(BUCKET_DPD)), weights=BUCKET_WEIGHTS, k=spec.debts - len(BUCKET_DPD)
        )
        result[spec.external_id] = [
            _debt_row(rng, spec, owner, n, bucket, today)
            for n, (owner, bucket) in enumerate(zip(owners, buckets, strict=True), start=1)
        ]
    return result


def plan_payments(rows: dict[str, list[ImportRow]], today: date) -> list[PlannedPayment]:
    """About 40 payments: some settle a debt, some pay part of it, one overpays a debtor's whole balance."""
    rng = random.Random(SEED + 1)
    methods = (PaymentMethod.TRANSFER, PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.ONLINE)
    plans: list[PlannedPayment] = []
    for spec in PORTFOLIOS:
        portfolio_rows = rows[spec.external_id]
        by_debtor: dict[str, list[ImportRow]] = {}
        for row in portfolio_rows:
            by_debtor.setdefault(row.debtor_external_id, []).append(row)
        # One payment per chosen debtor, so every target debt is still open when it is paid.
        chosen = rng.sample(sorted(by_debtor), k=len(by_debtor) * 4 // 5)
        for i, debtor_id in enumerate(chosen):
            payable = [r for r in by_debtor[debtor_id] if r.issue_date is not None and r.issue_date < today]
            if not payable:
                continue
            n = len(plans) + 1
            debt = rng.choice(payable)
            assert debt.issue_date is not None
            amount = Decimal(str(debt.original_amount))
            latest = today - timedelta(days=1)
            paid_on = max(debt.issue_date, min(debt.due_date + timedelta(days=rng.randint(-10, 20)), latest))
            whole = spec.currency == "PEN" and i == 0
            if whole:
                owed = sum((Decimal(str(r.original_amount)) for r in by_debtor[debtor_id]), Decimal(0))
                amount = owed + Decimal("150.00")
            elif rng.random() < 0.45:
                share = Decimal(rng.randint(20, 80)) / 100
                amount = max((amount * share).quantize(quantum(spec.currency)), quantum(spec.currency))
            plans.append(
                PlannedPayment(
                    key=f"seed-pay-{n}",
                    debt_external_id=debt.external_id,
                    debtor_external_id=debtor_id,
                    currency=spec.currency,
                    amount=amount,
                    paid_on=paid_on,
                    method=rng.choice(methods),
                    whole_debtor=whole,
                )
            )
    return plans


def _chunks(rows: list[ImportRow], size: int) -> Iterator[list[ImportRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _ensure_tenant(ledger: Ledger, admin: Principal) -> None:
    wanted = TenantPatch(
        name=TENANT_NAME,
        country="PE",
        currency="PEN",
        time_zone="America/Lima",
        locale="es-PE",
        sender_email=SENDER_EMAIL,
        sms_sender_id=SMS_SENDER_ID,
    )
    current = ledger.tenants.get(admin)
    if current is not None and (
        current.name,
        current.country,
        current.currency,
        current.time_zone,
        current.locale,
        current.sender_email,
        current.sms_sender_id,
    ) == (
        wanted.name,
        wanted.country,
        wanted.currency,
        wanted.time_zone,
        wanted.locale,
        wanted.sender_email,
        wanted.sms_sender_id,
    ):
        return
    ledger.tenants.update(admin, wanted)


def _ensure_portfolios(ledger: Ledger, admin: Principal) -> dict[str, Portfolio]:
    existing = {p.external_id: p for p in ledger.portfolios.list(admin) if p.external_id}
    result: dict[str, Portfolio] = {}
    for spec in PORTFOLIOS:
        portfolio = existing.get(spec.external_id)
        if portfolio is None:
            portfolio = ledger.portfolios.create(
                admin,
                PortfolioInput(
                    name=spec.name,
                    description=spec.description,
                    external_id=spec.external_id,
                    currency=spec.currency,
                ),
            )
        result[spec.external_id] = portfolio
    return result


def _paid_at(day: date) -> datetime:
    return datetime.combine(day, time(10, 30), tzinfo=LIMA)


def seed_demo(ledger: Ledger, clock: Clock) -> SeedSummary:
    """Create (or converge on) the demo tenant's data; raises if any row or payment is refused."""
    admin = Principal(sub="seed", tenant=TENANT, role=Role.ADMIN)
    today = local_date(clock.now(), "America/Lima")
    summary = SeedSummary(tenant=TENANT)
    _ensure_tenant(ledger, admin)
    portfolios = _ensure_portfolios(ledger, admin)
    summary.portfolios = {ext: p.id for ext, p in portfolios.items()}

    rows = build_rows(today)
    debts: dict[str, Debt] = {}
    for ext, portfolio_rows in rows.items():
        for chunk in _chunks(portfolio_rows, min(CHUNK, MAX_ROWS)):
            result = ledger.imports.run(admin, portfolios[ext].id, chunk)
            if result.errors:
                first = result.errors[0]
                row = chunk[first.row]
                raise RuntimeError(
                    f"demo import refused {len(result.errors)} rows; first: {row.external_id} "
                    f"{first.field}: {first.code} {first.message}"
                )
            summary.debts_created += result.created
            summary.debts_updated += result.updated
            summary.debts_unchanged += result.unchanged
            debts.update({d.external_id: d for d in result.debts})
    summary.debts = len(debts)
    summary.debtors = len({d.debtor_id for d in debts.values()})

    for plan in plan_payments(rows, today):
        debt = debts[plan.debt_external_id]
        data = PaymentInput(
            debtor_id=debt.debtor_id,
            amount=plan.amount,
            currency=plan.currency,
            method=plan.method,
            idempotency_key=plan.key,
            paid_at=_paid_at(plan.paid_on),
            debt_id=None if plan.whole_debtor else debt.id,
            reference=f"OP-{plan.key.rsplit('-', 1)[1].zfill(6)}",
            note="Pago de demostración",
        )
        summary.payments += 1
        try:
            outcome = ledger.payments.record(admin, data)
        except DomainError as err:
            if err.code is ErrorCode.IDEMPOTENCY_KEY_REUSED:
                summary.payments_skipped += 1
                continue
            raise
        if outcome.replayed:
            summary.payments_replayed += 1
        else:
            summary.payments_recorded += 1
    return summary
