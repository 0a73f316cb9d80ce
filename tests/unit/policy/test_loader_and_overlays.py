"""Policy data: versions (compliance.md section 3, edge case 10), pending overlays, file validation,
the DEFAULT policy and tenant overlays that may tighten but never loosen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy import (
    AttemptKind,
    Outcome,
    PolicyBook,
    PolicyFileError,
    TenantOverlay,
    load_catalog,
    tighten,
)
from domain.policy.loader import load_directory
from domain.policy.model import LocalWindow
from domain.policy.overlays import PolicyOverlay, apply_overlay
from domain.policy.parse import parse_file
from domain.policy.rules import WindowRule
from tests.unit.policy._support import BOOK, local, record, request, utc

JURISDICTIONS = resources.files("domain.policy").joinpath("jurisdictions")


def _pe_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(JURISDICTIONS.joinpath("PE.yaml").read_text(encoding="utf-8"))
    return data


def _error(data: object, name: str = "PE.yaml") -> PolicyFileError:
    with pytest.raises(PolicyFileError) as raised:
        parse_file(name, yaml.safe_dump(data))
    return raised.value


# 10. Versioning ----------------------------------------------------------------------------------


def test_10_colombia_uses_the_rule_in_force_at_that_moment() -> None:
    # GIVEN Ley 2300 in force from 10 October 2023 (a local date in Bogotá)
    # THEN the last second of 9 October in Bogotá (already the 10th in UTC) is still the old policy
    assert BOOK.policy_for("CO", utc(2023, 10, 10, 4, 59, 59)).id == "CO-PRE2300"
    assert BOOK.policy_for("CO", utc(2023, 10, 10, 5, 0)).id == "CO-2300"
    # AND a Saturday-afternoon e-mail without channel authorisation was fine before the law ...
    before = BOOK.evaluate(request("CO", local("CO", 2023, 10, 7, 16, 0), consent=False), [])
    assert (before.outcome, before.policy_id) == (Outcome.SEND, "CO-PRE2300")
    # ... and afterwards needs authorisation and waits past Saturday 15:00 and the Monday holiday
    after = BOOK.evaluate(request("CO", local("CO", 2023, 10, 14, 16, 0), consent=False), [])
    assert (after.outcome, after.policy_id, after.policy_version) == (Outcome.BLOCK, "CO-2300", "2023-10-10")
    authorised = BOOK.evaluate(request("CO", local("CO", 2023, 10, 14, 16, 0)), [])
    assert authorised.until == local("CO", 2023, 10, 17, 7, 0)


def test_10_pending_rules_ship_as_disabled_overlays() -> None:
    # GIVEN the Mexican Senate bill of Feb 2026 (not law) and Peru's bill 6490/2023, both disabled
    overlays = {o.id: o for items in load_catalog().overlays.values() for o in items}
    assert not overlays["MX-SENADO-2026"].enabled and not overlays["PE-PL6490"].enabled
    day = local("MX", 2026, 3, 3, 0, 0)
    history = [record(Channel.CALL, day + timedelta(hours=h), kind=AttemptKind.ATTEMPT) for h in (14, 15, 16)]
    fourth = request("MX", day + timedelta(hours=18), Channel.CALL)
    # THEN a 4th call the same day is allowed by default ...
    assert BOOK.evaluate(fourth, history).outcome is Outcome.SEND
    assert "MX-SENADO-2026" not in BOOK.policy_for("MX", day).overlays
    # ... and deferred when an operator enables the pending overlay
    enabled = PolicyBook(enabled_overlays={"MX-SENADO-2026"})
    assert enabled.evaluate(fourth, history).rule_ids == ("MX-SENADO-2026-3-per-day",)
    with pytest.raises(DomainError) as raised:
        PolicyBook(enabled_overlays={"MX-NOPE"})
    assert raised.value.errors[0].field == "enabled_overlays"


def test_state_overlays_apply_by_subdivision() -> None:
    at = local("US", 2025, 6, 3, 10, 0)
    assert BOOK.policy_for("US", at, "MA").overlays == ("US-MA",)
    assert BOOK.policy_for("US", at, "us-ma").overlays == ("US-MA",)
    assert BOOK.policy_for("US", at, "NY").overlays == ()


# The shipped data ---------------------------------------------------------------------------------


def test_every_shipped_rule_has_an_id_and_a_legal_source() -> None:
    catalog = load_catalog()
    assert catalog.jurisdictions() == ["CL", "CO", "ES", "MX", "PE", "US"]
    assert load_catalog() is catalog  # parsed once per process
    for versions in catalog.versions.values():
        for policy in versions:
            assert policy.sources
            rules: list[Any] = [
                policy.windows,
                policy.consent,
                policy.hours_override,
                policy.opt_out,
                *policy.caps,
            ]
            rules += [*policy.third_party, *policy.channel_bans, *policy.stop_events]
            assert all(rule.id and rule.source for rule in rules), policy.id
            assert policy.windows.holiday_id is None or policy.windows.holiday_source
    for overlays in catalog.overlays.values():
        for overlay in overlays:
            assert overlay.sources and all(cap.id and cap.source for cap in overlay.caps)


def test_resolved_policies_are_cached() -> None:
    at = local("PE", 2025, 6, 3, 10, 0)
    assert BOOK.policy_for("PE", at) is BOOK.policy_for("pe", at + timedelta(days=1))


# File validation ---------------------------------------------------------------------------------


def test_a_malformed_time_names_the_file_and_field() -> None:
    data = _pe_data()
    data["versions"][0]["windows"]["days"]["mon-fri"] = [["7am", "20:00"]]
    error = _error(data)
    assert (error.file, error.field) == ("PE.yaml", "versions[0].windows.days.mon-fri")
    assert "PE.yaml" in str(error) and "HH:MM" in str(error)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (
            lambda d: d["versions"][0]["caps"].append({"id": "X", "max": 1, "window": "7d"}),
            "versions[0].caps[0].source",
        ),
        (
            lambda d: d["versions"][0]["caps"].append({"id": "X", "source": "s", "max": 1, "window": "week"}),
            "versions[0].caps[0].window",
        ),
        (lambda d: d["versions"][0]["windows"].update(chanels="*"), "versions[0].windows.chanels"),
        (lambda d: d["versions"][0]["windows"]["days"].pop("sat"), "versions[0].windows.days.sat"),
        (
            lambda d: d["versions"][0]["third_party"][0].update(access="sometimes"),
            "versions[0].third_party[0].access",
        ),
        (
            lambda d: d["versions"][0]["opt_out"].update(notice_channels=["fax"]),
            "versions[0].opt_out.notice_channels",
        ),
        (lambda d: d.update(time_zone="America/Atlantis"), "time_zone"),
        (lambda d: d.update(jurisdiction="CO"), "jurisdiction"),
        (lambda d: d["versions"].append(dict(d["versions"][0], id="PE-2")), "versions[1].effective"),
    ],
)
def test_validation_errors_name_the_field(mutate: Any, field: str) -> None:
    data = _pe_data()
    mutate(data)
    assert _error(data).field == field


def test_invalid_yaml_is_reported_with_the_file_name() -> None:
    with pytest.raises(PolicyFileError) as raised:
        parse_file("CL.yaml", "jurisdiction: [CL")
    assert raised.value.file == "CL.yaml" and raised.value.field == "<yaml>"


def test_a_directory_without_the_default_policy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "PE.yaml").write_text(JURISDICTIONS.joinpath("PE.yaml").read_text(encoding="utf-8"))
    with pytest.raises(PolicyFileError, match="default policy"):
        load_directory(tmp_path)


# The DEFAULT policy ------------------------------------------------------------------------------


def test_an_unknown_jurisdiction_gets_the_conservative_default_with_its_own_holidays() -> None:
    # GIVEN Argentina, for which no policy was researched
    policy = BOOK.policy_for("AR", local("AR", 2025, 5, 1, 10, 0))
    assert (policy.id, policy.jurisdiction, policy.calendar.country) == ("DEFAULT", "AR", "AR")
    # THEN Labour Day is a holiday there, and channels need consent
    holiday = BOOK.evaluate(request("AR", local("AR", 2025, 5, 1, 10, 0)), [])
    assert holiday.rule_ids == ("DEFAULT-holidays",)
    assert (
        BOOK.evaluate(request("AR", local("AR", 2025, 5, 2, 10, 0), consent=False), []).outcome
        is Outcome.BLOCK
    )
    # AND the strict getter refuses it
    with pytest.raises(DomainError) as raised:
        BOOK.strict_policy_for("AR", local("AR", 2025, 5, 1, 10, 0))
    assert raised.value.code is ErrorCode.UNKNOWN_JURISDICTION


def test_requests_need_aware_instants_and_a_time_zone() -> None:
    with pytest.raises(DomainError) as raised:
        BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 10, 0).replace(tzinfo=None)), [])
    assert raised.value.errors[0].field == "at"
    with pytest.raises(DomainError) as raised:
        BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 10, 0), time_zones=()), [])
    assert raised.value.errors[0].field == "time_zones"
    with pytest.raises(DomainError) as raised:
        BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 10, 0), time_zones=("Mars/Olympus",)), [])
    assert raised.value.code is ErrorCode.INVALID_TIME_ZONE
    with pytest.raises(DomainError) as raised:
        BOOK.evaluate(
            request("CL", local("CL", 2025, 6, 3, 10, 0)), [record(Channel.SMS, datetime(2025, 6, 2, 10, 0))]
        )
    assert raised.value.errors[0].field == "history[0].at"


def test_history_in_any_zone_is_read_as_the_same_instant_and_deferrals_come_back_in_utc() -> None:
    # GIVEN a Chilean SMS recorded with a Santiago offset rather than UTC
    sent = datetime(2025, 6, 2, 10, 0, tzinfo=ZoneInfo("America/Santiago"))
    decision = BOOK.evaluate(
        request("CL", local("CL", 2025, 6, 3, 10, 0), Channel.SMS), [record(Channel.SMS, sent)]
    )
    # THEN the 48-hour gap is measured from that instant and `until` is UTC
    assert decision.until == sent + timedelta(days=2)
    assert decision.until is not None and decision.until.tzinfo is UTC


# Tenant overlays ---------------------------------------------------------------------------------


def test_a_tenant_may_narrow_the_hours() -> None:
    # GIVEN a Peruvian tenant that only contacts 09:00-18:00 on weekdays
    book = PolicyBook({"PE": TenantOverlay(id="ACME", windows={"mon-fri": [("09:00", "18:00")]})})
    decision = book.evaluate(request("PE", local("PE", 2025, 6, 3, 8, 30)), [])
    # THEN 08:30 waits for 09:00 and the rule id names both the statute and the tenant
    assert (decision.until, decision.rule_ids) == (
        local("PE", 2025, 6, 3, 9, 0),
        ("PE-29571-62b-hours+ACME",),
    )
    assert decision.overlays == ("ACME",)


@pytest.mark.parametrize(
    ("overlay", "field"),
    [
        (TenantOverlay(windows={"mon-fri": [("06:00", "18:00")]}), "windows.mon"),
        (TenantOverlay(windows={"sat": [("09:00", "12:00")]}), "windows.sat"),
        (TenantOverlay(windows={"holiday": [("09:00", "12:00")]}), "windows.holiday"),
        (TenantOverlay(end_buffers={Channel.CALL: timedelta(minutes=5)}), "end_buffers.CALL"),
    ],
)
def test_a_tenant_may_never_loosen(overlay: TenantOverlay, field: str) -> None:
    policy = BOOK.policy_for("PE", local("PE", 2025, 6, 3, 10, 0))
    with pytest.raises(DomainError) as raised:
        tighten(policy, overlay)
    assert (raised.value.code, raised.value.errors[0].field) == (ErrorCode.POLICY_LOOSENED, field)
    with pytest.raises(DomainError):  # the book refuses it up front, not mid-run
        PolicyBook({"PE": overlay})


def test_a_malformed_tenant_window_is_invalid() -> None:
    policy = BOOK.policy_for("PE", local("PE", 2025, 6, 3, 10, 0))
    with pytest.raises(DomainError) as raised:
        tighten(policy, TenantOverlay(windows={"weekdays": [("09:00", "18:00")]}))
    assert (raised.value.code, raised.value.errors[0].field) == (ErrorCode.INVALID, "windows.weekdays")


def test_a_us_tenant_may_add_a_holiday_ban_the_law_does_not_have() -> None:
    book = PolicyBook({"US": TenantOverlay(id="ACME", windows={"holiday": []})})
    decision = book.evaluate(request("US", local("US", 2025, 7, 4, 10, 0)), [])
    assert (decision.rule_ids, decision.until) == (("ACME-holidays",), local("US", 2025, 7, 5, 8, 0))
    with pytest.raises(DomainError):  # 07:00 is before the statutory 08:00 on every weekday
        PolicyBook({"US": TenantOverlay(windows={"holiday": [("07:00", "10:00")]})})


def test_tenant_extras_block_dates_require_consent_and_ban_channels() -> None:
    overlay = TenantOverlay(
        id="ACME",
        extra_blocked_dates=frozenset({date(2025, 6, 4)}),
        require_consent=True,
        forbidden_channels=frozenset({Channel.VISIT}),
    )
    book = PolicyBook({"*": overlay})  # "*": every jurisdiction without its own overlay
    at = local("PE", 2025, 6, 3, 20, 0)
    assert book.evaluate(request("PE", at), []).until == local("PE", 2025, 6, 5, 7, 0)
    assert book.evaluate(request("PE", at, consent=False), []).rule_ids == ("ACME-consent",)
    assert book.evaluate(request("MX", local("MX", 2025, 6, 3, 10, 0), Channel.VISIT), []).rule_ids == (
        "ACME-no-visit",
    )


def test_statutory_overlay_windows_intersect_with_the_base() -> None:
    # GIVEN a hypothetical overlay narrowing Peruvian weekdays to 08:00-19:00
    policy = BOOK.policy_for("PE", local("PE", 2025, 6, 3, 10, 0))
    narrow = WindowRule(
        "PE-X-hours", "hypothetical", {"mon": (LocalWindow.parse("08:00", "19:00"),)}, frozenset(Channel)
    )
    overlay = PolicyOverlay("PE-X", "1", "PE", None, True, None, None, ("hypothetical",), windows=narrow)
    merged = apply_overlay(policy, overlay)
    assert [str(w) for w in merged.windows.days["mon"]] == ["08:00-19:00"]
    assert [str(w) for w in merged.windows.days["tue"]] == ["07:00-20:00"]
    assert merged.windows.id == "PE-29571-62b-hours+PE-X-hours" and merged.overlays == ("PE-X",)
