"""Tenant policy settings: the codec round trip, the per-tenant cache and the refusal to loosen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.campaigns.policy_settings import PolicySetting, PolicySettings, TenantPolicyBooks
from domain.clock import FixedClock
from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy import PolicyBook
from domain.policy.tenant_codec import overlay_from_data, overlay_to_data
from domain.principal import Principal, Role

NOW = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
ADMIN = Principal(sub="ana", tenant="acme", role=Role.ADMIN)


class MemorySettings:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], PolicySetting] = {}
        self.reads = 0

    def list_settings(self, tenant: str) -> list[PolicySetting]:
        self.reads += 1
        return [s for (t, _), s in self.items.items() if t == tenant]

    def save_setting(self, setting: PolicySetting, expected_version: int) -> None:
        key = (setting.tenant, setting.jurisdiction)
        assert (self.items[key].version if key in self.items else 0) == expected_version
        self.items[key] = setting

    def delete_setting(self, tenant: str, jurisdiction: str, expected_version: int) -> None:
        del self.items[(tenant, jurisdiction)]


def test_codec_round_trip() -> None:
    data = {
        "windows": {"mon-fri": [["09:00", "18:00"]], "sat": []},
        "caps": [
            {
                "id": "ACME-1",
                "max": 2,
                "windowSeconds": 7 * 86400,
                "calendarDay": False,
                "minGapSeconds": 4 * 3600,
                "channels": ["SMS", "WHATSAPP"],
            }
        ],
        "extraBlockedDates": ["2026-12-24"],
        "blockNonWorkingDays": True,
        "endBuffers": {"CALL": 900},
        "requireConsent": True,
        "forbiddenChannels": ["VISIT"],
    }
    overlay = overlay_from_data(data, "TENANT-v1", "Tenant setting v1")
    assert overlay.caps[0].window == timedelta(days=7)
    assert overlay.caps[0].channels == frozenset({Channel.SMS, Channel.WHATSAPP})
    assert overlay_to_data(overlay) == data


@pytest.mark.parametrize(
    ("cap", "field"),
    [
        ({"id": "", "max": 1, "calendarDay": True}, "caps[0].id"),
        ({"id": "A", "max": -1, "calendarDay": True}, "caps[0].max"),
        ({"id": "A", "max": 1}, "caps[0]"),
        ({"id": "A", "max": 1, "calendarDay": True, "windowSeconds": 60}, "caps[0]"),
        ({"id": "A", "max": 1, "calendarDay": True, "channels": ["FAX"]}, "caps[0].channels"),
    ],
)
def test_malformed_caps_name_their_field(cap: dict[str, object], field: str) -> None:
    with pytest.raises(DomainError) as caught:
        overlay_from_data({"caps": [cap]}, "T", "s")
    assert caught.value.code is ErrorCode.INVALID
    assert caught.value.errors[0].field == field


def test_workers_see_a_new_setting_within_the_cache_ttl() -> None:
    repo, clock = MemorySettings(), FixedClock(NOW)
    statutory = PolicyBook()
    worker = TenantPolicyBooks(repo, clock, statutory)
    api_books = TenantPolicyBooks(repo, clock, statutory)
    assert worker.book("acme") is statutory
    PolicySettings(repo, api_books, clock).tighten(
        ADMIN, "pe", {"windows": {"mon-fri": [["09:00", "18:00"]]}}
    )
    assert worker.book("acme") is statutory  # cached
    clock.advance(timedelta(seconds=61))
    tightened = worker.book("acme").policy_for("PE", clock.now())
    assert "TENANT-v1" in tightened.overlays
    assert worker.book("globex") is statutory
    reads = repo.reads
    worker.book("acme")
    assert repo.reads == reads  # one read per tenant per minute


def test_a_refused_setting_is_not_saved() -> None:
    repo, clock = MemorySettings(), FixedClock(NOW)
    settings = PolicySettings(repo, TenantPolicyBooks(repo, clock, PolicyBook()), clock)
    with pytest.raises(DomainError) as caught:
        settings.tighten(ADMIN, "PE", {"windows": {"sun": [["00:00", "23:59"]]}})
    assert caught.value.code is ErrorCode.POLICY_LOOSENED
    assert repo.items == {}
