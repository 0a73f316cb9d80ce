"""A tenant's own tightening of the statutory contact policies: stored per jurisdiction (or "*" for
all), checked to never loosen the law, and applied by every use case through `EngineDeps.policies_for`.

Each saved tightening gets a new version and the overlay id `TENANT-v<version>`, so the rule ids stored
with every decision (`PE-WINDOWS+TENANT-v3`) say which tenant setting was in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from domain.clock import Clock
from domain.errors import ConcurrencyConflict, DomainError, ErrorCode
from domain.policy import PolicyBook
from domain.policy.engine import ANY_JURISDICTION
from domain.policy.overlays import TenantOverlay
from domain.policy.rules import Policy
from domain.policy.tenant_codec import overlay_from_data, overlay_to_data
from domain.principal import Action, Principal

CACHE_TTL = timedelta(seconds=60)
"""How long a worker keeps a tenant's policies before reading its settings again."""


@dataclass(frozen=True)
class PolicySetting:
    tenant: str
    jurisdiction: str  # ISO country code, or "*" for every jurisdiction without its own setting
    data: Mapping[str, Any]  # `overlay_to_data` form
    version: int
    updated_at: datetime
    updated_by: str

    def overlay(self) -> TenantOverlay:
        return overlay_from_data(self.data, f"TENANT-v{self.version}", f"Tenant setting v{self.version}")


class PolicySettingRepository(Protocol):
    def list_settings(self, tenant: str) -> list[PolicySetting]: ...

    def save_setting(self, setting: PolicySetting, expected_version: int) -> None:
        """Put the setting if the stored version is `expected_version` (0: none); ConcurrencyConflict."""
        ...

    def delete_setting(self, tenant: str, jurisdiction: str, expected_version: int) -> None: ...


class TenantPolicyBooks:
    """One `PolicyBook` per tenant with its settings applied, kept `CACHE_TTL` by the clock."""

    def __init__(self, repo: PolicySettingRepository | None, clock: Clock, statutory: PolicyBook) -> None:
        self.repo, self.clock, self.statutory = repo, clock, statutory
        self._books: dict[str, tuple[datetime, PolicyBook]] = {}

    def book(self, tenant: str) -> PolicyBook:
        if self.repo is None:
            return self.statutory
        now = self.clock.now()
        cached = self._books.get(tenant)
        if cached is not None and now - cached[0] < CACHE_TTL:
            return cached[1]
        settings = self.repo.list_settings(tenant)
        book = self.statutory if not settings else build_book(settings)
        self._books[tenant] = (now, book)
        return book

    def forget(self, tenant: str) -> None:
        self._books.pop(tenant, None)


def build_book(settings: list[PolicySetting]) -> PolicyBook:
    return PolicyBook({s.jurisdiction: s.overlay() for s in settings})


class PolicySettings:
    """`contactPolicySettings`, `contactPolicyTighten`, `contactPolicyTighteningRemove`."""

    def __init__(self, repo: PolicySettingRepository | None, books: TenantPolicyBooks, clock: Clock) -> None:
        self.repo, self.books, self.clock = repo, books, clock

    def _repo(self) -> PolicySettingRepository:
        if self.repo is None:
            raise DomainError(ErrorCode.INVALID, "tenant policy settings are not configured on this server")
        return self.repo

    def settings(self, principal: Principal) -> list[PolicySetting]:
        principal.require(Action.CAMPAIGN_READ)
        return sorted(self._repo().list_settings(principal.tenant), key=lambda s: s.jurisdiction)

    def tighten(
        self,
        principal: Principal,
        jurisdiction: str,
        data: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> list[Policy]:
        """Save the tenant's tightening for `jurisdiction`; the effective policies it now shapes.

        Refused with POLICY_LOOSENED (and the field) when it would allow anything the law forbids, with
        INVALID when malformed, with CONFLICT when `expected_version` is stale. Nothing is saved then.
        """
        principal.require(Action.POLICY_MANAGE)
        repo = self._repo()
        code = self._jurisdiction(jurisdiction)
        current = {s.jurisdiction: s for s in repo.list_settings(principal.tenant)}
        previous = current.get(code)
        stored = previous.version if previous else 0
        if expected_version is not None and expected_version != stored:
            raise DomainError(ErrorCode.CONFLICT, f"the setting is at version {stored}", "expectedVersion")
        setting = PolicySetting(
            tenant=principal.tenant,
            jurisdiction=code,
            data=overlay_to_data(overlay_from_data(data, "TENANT", "Tenant setting")),
            version=stored + 1,
            updated_at=self.clock.now(),
            updated_by=principal.sub,
        )
        current[code] = setting
        book = build_book(list(current.values()))  # raises POLICY_LOOSENED before anything is saved
        try:
            repo.save_setting(setting, stored)
        except ConcurrencyConflict:
            raise DomainError(ErrorCode.CONFLICT, "the setting changed meanwhile; read it again") from None
        self.books.forget(principal.tenant)
        return self._affected(book, code)

    def remove(self, principal: Principal, jurisdiction: str) -> list[Policy]:
        """Drop the tenant's tightening for `jurisdiction`: the statutory policy applies again."""
        principal.require(Action.POLICY_MANAGE)
        repo = self._repo()
        code = self._jurisdiction(jurisdiction)
        current = {s.jurisdiction: s for s in repo.list_settings(principal.tenant)}
        previous = current.pop(code, None)
        if previous is None:
            raise DomainError(ErrorCode.NOT_FOUND, f"no tenant setting for {code}", "jurisdiction")
        try:
            repo.delete_setting(principal.tenant, code, previous.version)
        except ConcurrencyConflict:
            raise DomainError(ErrorCode.CONFLICT, "the setting changed meanwhile; read it again") from None
        self.books.forget(principal.tenant)
        return self._affected(build_book(list(current.values())), code)

    def _jurisdiction(self, raw: str) -> str:
        code = (raw or "").strip().upper()
        if code != ANY_JURISDICTION and code not in self.books.statutory.jurisdictions():
            known = ", ".join(self.books.statutory.jurisdictions())
            raise DomainError(ErrorCode.INVALID, f"{raw!r} is not one of {known} or *", "jurisdiction")
        return code

    def _affected(self, book: PolicyBook, code: str) -> list[Policy]:
        now = self.clock.now()
        codes = book.jurisdictions() if code == ANY_JURISDICTION else [code]
        return [book.policy_for(j, now) for j in codes]
