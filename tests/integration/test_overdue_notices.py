"""DebtOverdue notices on moto through DynamoLedgerRepository: the tenant registry (GSI1 `TENANTS`),
idempotency through the real conditional outbox put, request counts, and the Lambda handler."""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from botocore.client import BaseClient

from domain.clock import FixedClock
from domain.errors import ConcurrencyConflict
from domain.ids import TimeOrderedIds, derived_id
from domain.ports import PageRequest, Transaction
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import DebtorInput
from domain.services.debts import DebtFilter, DebtInput
from domain.services.overdue import MAX_LOOKBACK_DAYS, OverdueNotices
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from infra.dynamodb import keys
from infra.dynamodb.loading import event_from_item
from infra.dynamodb.models import EventItem, TenantItem
from infra.dynamodb.outbox import RETENTION, DynamoOutboxStore
from infra.dynamodb.repository import DynamoLedgerRepository

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)  # 10:00 in Lima
YESTERDAY = date(2026, 3, 14)
ACME = Principal("ana", "acme", Role.ADMIN)
GLOBEX = Principal("gus", "globex", Role.ADMIN)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ledger(repo: DynamoLedgerRepository, clock: FixedClock) -> Ledger:
    return Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))


@pytest.fixture
def notices(repo: DynamoLedgerRepository, clock: FixedClock) -> OverdueNotices:
    return OverdueNotices(Deps(repo, clock, TimeOrderedIds(clock)))


@pytest.fixture
def calls(table: str, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """DynamoDB operations sent by any client (each PynamoDB model holds its own)."""
    counter: Counter[str] = Counter()
    original = BaseClient._make_api_call  # type: ignore[attr-defined]

    def counting(client: Any, operation: str, params: Any) -> Any:
        if client.meta.service_model.service_name == "dynamodb":
            counter[operation] += 1
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    return counter


def setup_tenant(ledger: Ledger, admin: Principal, debts: list[date]) -> list[str]:
    """Settings for Peru (America/Lima), a portfolio, one debtor with a debt per due date: their ids."""
    ledger.tenants.update(admin, TenantPatch(name=admin.tenant.title(), country="PE"))
    pf = ledger.portfolios.create(admin, PortfolioInput(name="Retail", currency="PEN"))
    debtor = ledger.debtors.create(admin, DebtorInput(name="Ana", external_id="C-1"))
    return [
        ledger.debts.create(admin, DebtInput(debtor.id, pf.id, "100.00", due, external_id=f"F-{i}")).id
        for i, due in enumerate(debts)
    ]


def notice_item(tenant: str, debt_id: str, due: date) -> EventItem | None:
    event_id = derived_id(tenant, "DebtOverdue", debt_id, due.isoformat())
    try:
        return EventItem.get(keys.outbox_pk(tenant, event_id), keys.OUTBOX_SK, consistent_read=True)
    except EventItem.DoesNotExist:
        return None


def test_tenant_settings_are_registered_on_gsi1(repo: DynamoLedgerRepository, ledger: Ledger) -> None:
    assert repo.list_tenants() == []
    ledger.tenants.update(GLOBEX, TenantPatch(name="Globex", country="CO"))
    ledger.tenants.update(ACME, TenantPatch(name="Acme", country="PE"))
    ledger.tenants.update(ACME, TenantPatch(locale="es-PE"))  # a rewrite keeps the registry entry

    assert repo.list_tenants() == ["acme", "globex"]
    item = TenantItem.get("T#acme", "TENANT")
    assert (item.GSI1PK, item.GSI1SK) == ("TENANTS", "acme")
    assert not any([item.GSI2PK, item.GSI3PK, item.GSI4PK])


def test_settings_written_before_the_registry_still_load_and_join_it_on_update(
    repo: DynamoLedgerRepository, ledger: Ledger
) -> None:
    # GIVEN a settings item as written before this change: no GSI1 keys
    TenantItem(
        "T#acme",
        "TENANT",
        tenant="acme",
        version=1,
        name="Acme",
        country="PE",
        currency="PEN",
        time_zone="America/Lima",
        locale="es-PE",
        created_at=NOW,
        updated_at=NOW,
    ).save()
    # THEN it reads as before, but is not in the registry
    settings = repo.get_tenant("acme")
    assert settings is not None and settings.time_zone == "America/Lima" and settings.version == 1
    assert repo.list_tenants() == []
    # WHEN tenantUpdate rewrites it, THEN it joins the registry
    ledger.tenants.update(ACME, TenantPatch(name="Acme SAC"))
    assert repo.list_tenants() == ["acme"]


def test_notices_are_written_once_through_the_conditional_outbox_put(
    repo: DynamoLedgerRepository,
    ledger: Ledger,
    clock: FixedClock,
    notices: OverdueNotices,
    calls: Counter[str],
) -> None:
    # GIVEN two tenants, each with two debts due yesterday, one due today and one 8 days ago
    dues = [YESTERDAY, YESTERDAY, date(2026, 3, 15), date(2026, 3, 7)]
    acme = setup_tenant(ledger, ACME, dues)
    globex = setup_tenant(ledger, GLOBEX, dues)
    calls.clear()

    # WHEN the notices run: registry query, then per tenant settings, one debt page, one existence
    # check and one transaction for both notices
    assert notices.run() == 4
    assert calls == Counter(Query=3, GetItem=2, BatchGetItem=2, TransactWriteItems=2)
    for tenant, ids in (("acme", acme), ("globex", globex)):
        for debt_id in ids[:2]:
            item = notice_item(tenant, debt_id, YESTERDAY)
            assert item is not None and item.published is False and item.aggregate_id == debt_id
        assert notice_item(tenant, ids[2], date(2026, 3, 15)) is None
        assert notice_item(tenant, ids[3], date(2026, 3, 7)) is None

    # AND a re-run reads, finds them, and writes nothing
    calls.clear()
    assert notices.run() == 0
    assert calls == Counter(Query=3, GetItem=2, BatchGetItem=2)


def test_a_second_notice_is_refused_by_the_table_even_when_the_check_misses_it(
    repo: DynamoLedgerRepository,
    ledger: Ledger,
    clock: FixedClock,
    notices: OverdueNotices,
    calls: Counter[str],
) -> None:
    # GIVEN two notified debts, one of them already marked published (rewritten with a TTL) ...
    notified = setup_tenant(ledger, ACME, [YESTERDAY, YESTERDAY])
    assert notices.run() == 2
    first = notice_item("acme", notified[0], YESTERDAY)
    assert first is not None
    event = event_from_item(first)
    DynamoOutboxStore().mark_published([event], NOW)
    # ... and a third debt of the same day, added since
    debtor_id = ledger.debts.list(ACME, DebtFilter(), PageRequest()).items[0].debtor_id
    pf = ledger.portfolios.list(ACME)[0]
    third = ledger.debts.create(ACME, DebtInput(debtor_id, pf.id, "10.00", YESTERDAY, external_id="F-9"))

    # WHEN a run whose bulk existence check misses every notice (as if written concurrently) commits
    class Blind(DynamoLedgerRepository):
        def existing_event_ids(self, tenant: str, ids: list[str], consistent: bool = False) -> set[str]:
            return super().existing_event_ids(tenant, ids, consistent) if consistent else set()

    clock.advance(timedelta(hours=1))
    calls.clear()
    blind = OverdueNotices(Deps(Blind(), clock, TimeOrderedIds(clock)))
    assert blind.run() == 1
    # THEN the conditional puts refused the batch; one by one, only the third notice was written
    assert calls["TransactWriteItems"] == 1 + 3
    assert notice_item("acme", third.id, YESTERDAY) is not None
    again = notice_item("acme", notified[0], YESTERDAY)
    assert again is not None and again.published is True and again.occurred_at == first.occurred_at
    # AND committing an existing notice directly is a conflict that writes nothing
    with pytest.raises(ConcurrencyConflict):
        repo.commit("acme", Transaction(events=[event]))


def test_existing_event_ids_reads_only_the_tenants_outbox(
    repo: DynamoLedgerRepository, ledger: Ledger, notices: OverdueNotices
) -> None:
    [debt_id] = setup_tenant(ledger, ACME, [YESTERDAY])
    notices.run()
    event_id = derived_id("acme", "DebtOverdue", debt_id, YESTERDAY.isoformat())
    assert repo.existing_event_ids("acme", [event_id, "nope", event_id]) == {event_id}
    assert repo.existing_event_ids("acme", [event_id], consistent=True) == {event_id}
    assert repo.existing_event_ids("globex", [event_id]) == set()
    assert repo.existing_event_ids("acme", []) == set()


def test_the_lookback_stays_within_the_outbox_retention() -> None:
    # A notice is deduplicated by its outbox item: it must outlive every window that can see its debt.
    assert timedelta(days=MAX_LOOKBACK_DAYS) <= RETENTION


class Context:
    function_name = "overdue-notices"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:overdue-notices"
    aws_request_id = "req-1"


def test_handler_runs_the_notices(
    repo: DynamoLedgerRepository, ledger: Ledger, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    [debt_id] = setup_tenant(ledger, ACME, [YESTERDAY])
    function = importlib.import_module("functions.overdue_notices")
    monkeypatch.setattr(
        function, "notices", importlib.import_module("infra.container").build_overdue_notices(clock)
    )
    assert function.handler({"source": "aws.scheduler"}, Context()) == {"emitted": 1}
    assert function.handler({"source": "aws.scheduler"}, Context()) == {"emitted": 0}
    assert notice_item("acme", debt_id, YESTERDAY) is not None


def test_local_timer_runs_the_notices_at_start(
    repo: DynamoLedgerRepository, ledger: Ledger, clock: FixedClock
) -> None:
    from infra.local import start_overdue_timer

    [debt_id] = setup_tenant(ledger, ACME, [YESTERDAY])
    stop = start_overdue_timer(clock)
    try:
        deadline = time.monotonic() + 10
        while notice_item("acme", debt_id, YESTERDAY) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert notice_item("acme", debt_id, YESTERDAY) is not None
    finally:
        stop.set()
        for thread in threading.enumerate():
            if thread.name == "recaudo-overdue-timer":
                thread.join(timeout=10)
