"""A tenant tightens the statutory contact policy (never loosens it) and every decision follows."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Api, token

TIGHTEN = """
mutation($i: ContactPolicyTightenInput!) { contactPolicyTighten(input: $i) {
  policies { jurisdiction windows { day windows } caps overlays } errors { field code message } } }
"""
REMOVE = """
mutation($j: String!) { contactPolicyTighteningRemove(jurisdiction: $j) {
  policies { jurisdiction windows { day windows } overlays } errors { field code message } } }
"""
SETTINGS = """
{ contactPolicySettings { jurisdiction version updatedBy windows { day windows }
  caps { id max windowDays calendarDay channels } blockNonWorkingDays forbiddenChannels } }
"""
CHECK = "query($i: ContactCheckInput!) { contactCheck(input: $i) { outcome until ruleIds } }"
OFFICE_HOURS = {"jurisdiction": "PE", "windows": [{"days": "mon-fri", "windows": ["09:00-18:00"]}]}


def _check(api: Api, acme: dict[str, Any], at: str, channel: str = "EMAIL") -> dict[str, Any]:
    result: dict[str, Any] = api.ok(CHECK, i={"debtorId": acme["debtor"], "channel": channel, "at": at})
    return result["contactCheck"]


def test_office_hours_defer_what_the_law_allows(api: Api, acme: dict[str, Any]) -> None:
    # Wednesday 2026-03-18 18:30 Lima: the law allows until 20:00, the tenant's office hours end at 18:00
    assert _check(api, acme, "2026-03-18T18:30:00-05:00")["outcome"] == "SEND"
    payload = api.mutate("contactPolicyTighten", TIGHTEN, i=OFFICE_HOURS)
    (pe,) = payload["policies"]
    assert {"day": "mon", "windows": ["09:00-18:00"]} in pe["windows"]
    assert "TENANT-v1" in pe["overlays"]

    after = _check(api, acme, "2026-03-18T18:30:00-05:00")
    assert after["outcome"] == "DEFER"
    assert after["until"] == "2026-03-19T14:00:00+00:00"  # Thursday 09:00 Lima
    assert any(rule.endswith("+TENANT-v1") for rule in after["ruleIds"])
    assert _check(api, acme, "2026-03-18T17:59:59-05:00")["outcome"] == "SEND"
    listed = api.ok('{ contactPolicy(jurisdiction: "PE") { overlays } }')["contactPolicy"]
    assert "TENANT-v1" in listed["overlays"]

    removed = api.mutate("contactPolicyTighteningRemove", REMOVE, j="PE")
    assert "TENANT-v1" not in removed["policies"][0]["overlays"]
    assert _check(api, acme, "2026-03-18T18:30:00-05:00")["outcome"] == "SEND"
    assert api.ok(SETTINGS)["contactPolicySettings"] == []


def test_a_setting_that_loosens_the_law_is_refused_and_changes_nothing(
    api: Api, acme: dict[str, Any]
) -> None:
    api.mutate("contactPolicyTighten", TIGHTEN, i=OFFICE_HOURS)
    loose = {"jurisdiction": "PE", "windows": [{"days": "mon-fri", "windows": ["06:00-21:00"]}]}
    payload = api.ok(TIGHTEN, i=loose)["contactPolicyTighten"]
    assert payload["policies"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [("POLICY_LOOSENED", "windows.mon")]
    (setting,) = api.ok(SETTINGS)["contactPolicySettings"]
    assert setting["version"] == 1
    assert setting["windows"] == [{"day": "mon-fri", "windows": ["09:00-18:00"]}]
    # a window wider than the statute's, on any kind of day, is refused the same way
    sunday = api.ok(
        TIGHTEN, i={"jurisdiction": "PE", "windows": [{"days": "sun", "windows": ["00:00-23:59"]}]}
    )
    assert sunday["contactPolicyTighten"]["errors"][0]["code"] == "POLICY_LOOSENED"


def test_caps_banned_channels_and_blocked_days(api: Api, acme: dict[str, Any]) -> None:
    payload = api.mutate(
        "contactPolicyTighten",
        TIGHTEN,
        i={
            "jurisdiction": "*",
            "caps": [{"id": "ACME-SMS-DAY", "max": 1, "calendarDay": True, "channels": ["SMS"]}],
            "forbiddenChannels": ["WHATSAPP"],
            "extraBlockedDates": ["2026-03-20"],
        },
    )
    assert {p["jurisdiction"] for p in payload["policies"]} >= {"PE", "CO", "MX", "CL", "US"}
    assert any(
        c.startswith("ACME-SMS-DAY: at most 1 per calendar day") for c in payload["policies"][0]["caps"]
    )
    whatsapp = _check(api, acme, "2026-03-18T10:00:00-05:00", "WHATSAPP")
    assert whatsapp["outcome"] == "BLOCK"
    assert whatsapp["ruleIds"] == ["TENANT-v1-no-whatsapp"]
    friday = _check(api, acme, "2026-03-20T10:00:00-05:00")
    assert friday["outcome"] == "DEFER"
    assert friday["until"] == "2026-03-23T12:00:00+00:00"  # the next lawful morning: Monday 07:00 Lima
    assert friday["ruleIds"] == ["TENANT-v1-blocked-dates"]
    (setting,) = api.ok(SETTINGS)["contactPolicySettings"]
    assert setting["jurisdiction"] == "*"
    assert setting["caps"] == [
        {"id": "ACME-SMS-DAY", "max": 1, "windowDays": None, "calendarDay": True, "channels": ["SMS"]}
    ]
    assert setting["forbiddenChannels"] == ["WHATSAPP"]


def test_bad_input_and_stale_versions_get_codes(api: Api, acme: dict[str, Any]) -> None:
    unknown = api.ok(TIGHTEN, i={"jurisdiction": "XX"})["contactPolicyTighten"]
    assert [(e["code"], e["field"]) for e in unknown["errors"]] == [("INVALID", "jurisdiction")]
    bad_window = api.ok(TIGHTEN, i={"jurisdiction": "PE", "windows": [{"days": "mon", "windows": ["9-18h"]}]})
    assert bad_window["contactPolicyTighten"]["errors"][0]["code"] == "INVALID"
    no_span = api.ok(TIGHTEN, i={"jurisdiction": "PE", "caps": [{"id": "X", "max": 1}]})
    assert no_span["contactPolicyTighten"]["errors"][0]["code"] == "INVALID"
    api.mutate("contactPolicyTighten", TIGHTEN, i={**OFFICE_HOURS, "expectedVersion": 0})
    stale = api.ok(TIGHTEN, i={**OFFICE_HOURS, "expectedVersion": 0})["contactPolicyTighten"]
    assert stale["errors"][0]["code"] == "CONFLICT"
    missing = api.ok(REMOVE, j="CO")["contactPolicyTighteningRemove"]
    assert missing["errors"][0]["code"] == "NOT_FOUND"
    assert api.ok(SETTINGS)["contactPolicySettings"][0]["version"] == 1


def test_only_admins_change_the_settings(api: Api, acme: dict[str, Any]) -> None:
    for role in ("SUPERVISOR", "AGENT"):
        body = api(TIGHTEN, token(role=role, agent_id="ag-1" if role == "AGENT" else None), i=OFFICE_HOURS)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert api.ok(SETTINGS)["contactPolicySettings"] == []


def test_settings_are_per_tenant(api: Api, acme: dict[str, Any]) -> None:
    api.mutate("contactPolicyTighten", TIGHTEN, i=OFFICE_HOURS)
    other = token(tenant="globex")
    assert api.ok(SETTINGS, other)["contactPolicySettings"] == []
    pe = api.ok('{ contactPolicy(jurisdiction: "PE") { overlays } }', other)["contactPolicy"]
    assert not any(o.startswith("TENANT") for o in pe["overlays"])
