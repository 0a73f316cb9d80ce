"""Shared fixtures: a fixed clock, the in-memory repository, the wired ledger and principals."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import FixedClock
from domain.entities import Portfolio
from domain.ids import TimeOrderedIds
from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.base import Deps
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch
from tests.fakes import InMemoryLedgerRepository

NOW = datetime(2026, 3, 15, 15, 0, tzinfo=UTC)  # 10:00 in Lima, so "today" is 2026-03-15 there too


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def repo() -> InMemoryLedgerRepository:
    return InMemoryLedgerRepository()


@pytest.fixture
def ledger(repo: InMemoryLedgerRepository, clock: FixedClock) -> Ledger:
    return Ledger.build(Deps(repo, clock, TimeOrderedIds(clock)))


@pytest.fixture
def admin() -> Principal:
    return Principal(sub="u-admin", tenant="acme", role=Role.ADMIN)


@pytest.fixture
def supervisor() -> Principal:
    return Principal(sub="u-super", tenant="acme", role=Role.SUPERVISOR)


@pytest.fixture
def agent() -> Principal:
    return Principal(sub="u-agent", tenant="acme", role=Role.AGENT, agent_id="ag-1")


@pytest.fixture
def partner() -> Principal:
    return Principal(sub="u-partner", tenant="acme", role=Role.PARTNER)


@pytest.fixture
def other_admin() -> Principal:
    return Principal(sub="u-globex", tenant="globex", role=Role.ADMIN)


@pytest.fixture
def configured(ledger: Ledger, admin: Principal) -> Portfolio:
    """Tenant "acme" set up for Peru, with one PEN portfolio (returned)."""
    ledger.tenants.update(admin, TenantPatch(name="Acme", country="PE"))
    return ledger.portfolios.create(admin, PortfolioInput(name="Retail", external_id="PF-1", currency="PEN"))
