"""Evaluates one contact against the policy in force, in a fixed order: stop events, opt-outs and
invalid contact points, banned channels and third parties, channel consent, contact hours, then
frequency caps. Pure: every instant is an argument, history comes from the caller."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from domain.entities import ContactStatus
from domain.errors import DomainError, ErrorCode
from domain.policy.caps import CapCheck, cap_applies
from domain.policy.loader import DEFAULT_JURISDICTION, load_catalog
from domain.policy.model import (
    ContactRecord,
    ContactRequest,
    Decision,
    Outcome,
    Purpose,
    ThirdPartyAccess,
    TimeBasis,
    parse_day_table,
)
from domain.policy.overlays import TenantOverlay, apply_overlay, tighten
from domain.policy.rules import Policy
from domain.policy.windows import WindowPlan, holiday_dates, holidays_supported, zone

HORIZON = timedelta(days=14)
"""How far ahead a deferral may reach; beyond it the contact is blocked."""
PRODUCT_STOP_RULE = "PRODUCT-stop-event"
"""Reported for a stop event the policy does not list: the product stops on every one of them."""
PRODUCT_INVALID_RULE = "PRODUCT-invalid-contact"
ANY_JURISDICTION = "*"
"""Key of a tenant overlay that applies to every jurisdiction without its own overlay."""


def _aware(instant: datetime, field: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise DomainError(ErrorCode.INVALID, "expected an aware (UTC) datetime", field)
    return instant.astimezone(UTC)


def _subdivision(jurisdiction: str, subdivision: str | None) -> str | None:
    if not subdivision:
        return None
    code = subdivision.strip().upper()
    return code.removeprefix(f"{jurisdiction}-")


class PolicyBook:
    """The statutory policies with this tenant's overlays (keyed by jurisdiction, or "*" for all).

    Unknown jurisdictions get the conservative DEFAULT policy (DEFAULT.yaml: Mon–Fri 08:00–20:00,
    the country's holidays when the `holidays` package knows it, at most one contact a day and two a
    week, consent required, no third parties); `strict_policy_for` raises instead. Pending overlays
    (`enabled: false` in their file) apply only when their id is in `enabled_overlays`.
    """

    def __init__(
        self, overlays: Mapping[str, TenantOverlay] | None = None, enabled_overlays: Iterable[str] = ()
    ) -> None:
        self._catalog = load_catalog()
        self._tenant = {key.upper(): overlay for key, overlay in (overlays or {}).items()}
        self._enabled = frozenset(enabled_overlays)
        self._cache: dict[tuple[str, str, str | None, tuple[str, ...]], Policy] = {}
        if unknown := sorted(self._enabled - self._catalog.overlay_ids()):
            raise DomainError(ErrorCode.INVALID, f"unknown overlay {unknown[0]!r}", "enabled_overlays")
        for key, overlay in self._tenant.items():  # fail now, not in the middle of a planner run
            targets = self._catalog.versions.values() if key == ANY_JURISDICTION else [self._versions(key)]
            for version in (policy for versions in targets for policy in versions):
                tighten(version, overlay)

    def _versions(self, jurisdiction: str) -> tuple[Policy, ...]:
        return self._catalog.versions.get(jurisdiction) or self._catalog.default

    def jurisdictions(self) -> list[str]:
        """The jurisdictions with a statutory policy of their own."""
        return self._catalog.jurisdictions()

    def policy_for(self, jurisdiction: str, at: datetime, subdivision: str | None = None) -> Policy:
        """The version in force at `at` (local date in the jurisdiction's legal zone), overlays applied.

        A jurisdiction without a policy of its own gets the conservative DEFAULT policy.
        """
        code = jurisdiction.strip().upper()
        known = code in self._catalog.versions and code != DEFAULT_JURISDICTION
        versions = self._versions(code) if known else self._catalog.default
        day = _aware(at, "at").astimezone(zone(versions[0].time_zone)).date()
        base = next((p for p in versions if p.in_force(day)), None)
        if base is None:  # a date before the first version in the data: the conservative default
            known, base = False, self._catalog.default[-1]
        sub = _subdivision(code, subdivision)
        overlays = tuple(
            o
            for o in self._catalog.overlays.get(code, ())
            if (o.enabled or o.id in self._enabled) and o.in_force(day) and o.subdivision in (None, sub)
        )
        key = (code, base.id, sub, tuple(o.id for o in overlays))
        if (cached := self._cache.get(key)) is not None:
            return cached
        policy = base
        if not known:
            country = policy.calendar.country
            if country == "*":  # the DEFAULT policy borrows the country's own public holidays
                country = code if len(code) == 2 and holidays_supported(code) else None
            policy = replace(policy, jurisdiction=code, calendar=replace(policy.calendar, country=country))
        tenant = self._tenant.get(code) or self._tenant.get(ANY_JURISDICTION)
        if tenant is not None:
            policy = tighten(policy, tenant)
        for overlay in overlays:
            policy = apply_overlay(policy, overlay)
        self._cache[key] = policy
        return policy

    def strict_policy_for(self, jurisdiction: str, at: datetime, subdivision: str | None = None) -> Policy:
        """Like `policy_for`, but DomainError(UNKNOWN_JURISDICTION) instead of the DEFAULT policy."""
        if jurisdiction.strip().upper() not in self.jurisdictions():
            raise DomainError(
                ErrorCode.UNKNOWN_JURISDICTION, f"no contact policy for {jurisdiction!r}", "jurisdiction"
            )
        return self.policy_for(jurisdiction, at, subdivision)

    def lookback(self, jurisdiction: str) -> timedelta:
        """How much history `evaluate` needs: load the contacts since `at - lookback(...)`."""
        code = jurisdiction.strip().upper()
        policies = list(self._versions(code))
        spans = [p.lookback() for p in policies]
        spans += [cap.span() for o in self._catalog.overlays.get(code, ()) for cap in o.caps]
        tenant = self._tenant.get(code) or self._tenant.get(ANY_JURISDICTION)
        spans += [cap.span() for cap in (tenant.caps if tenant else ())]
        return max(spans, default=timedelta(0))

    def preload_calendars(self, years: Iterable[int]) -> None:
        """Load the national holiday calendars for `years` (this year and next at cold start, say)."""
        countries = {p.calendar.country for versions in self._catalog.versions.values() for p in versions}
        for year in tuple(years):
            for country in sorted(c for c in countries if c and c != "*"):
                holiday_dates(country, None, year)

    def evaluate(self, request: ContactRequest, history: Sequence[ContactRecord]) -> Decision:
        """SEND, DEFER (with `until`) or BLOCK, with the ids of the rules that decided it."""
        return self._evaluate(request, history, HORIZON)

    def next_allowed(
        self, request: ContactRequest, history: Sequence[ContactRecord], horizon: timedelta = HORIZON
    ) -> datetime | None:
        """The earliest instant from `request.at` when the contact is allowed (None: not within `horizon`)."""
        decision = self._evaluate(request, history, horizon)
        if decision.outcome is Outcome.SEND:
            return _aware(request.at, "at")
        return decision.until

    def _evaluate(
        self, request: ContactRequest, history: Sequence[ContactRecord], horizon: timedelta
    ) -> Decision:
        at = _aware(request.at, "at")
        # Deferral instants derive from history instants, so those are normalised to UTC as well.
        history = [
            r if r.at.tzinfo is UTC else replace(r, at=_aware(r.at, f"history[{i}].at"))
            for i, r in enumerate(history)
        ]
        if not request.time_zones:
            raise DomainError(ErrorCode.INVALID, "at least one candidate time zone is required", "time_zones")
        policy = self.policy_for(request.jurisdiction, at, request.subdivision)
        evaluation = _Evaluation(policy, request, history)
        return evaluation.gate() or evaluation.schedule(at, at + horizon)


class _Evaluation:
    """One request against one policy."""

    def __init__(self, policy: Policy, request: ContactRequest, history: Sequence[ContactRecord]) -> None:
        self.policy, self.request, self.history = policy, request, history
        self.constraints: tuple[str, ...] = ()
        self.notes: list[str] = []

    def decide(
        self, outcome: Outcome, rule_ids: Iterable[str], reason: str, until: datetime | None = None
    ) -> Decision:
        notes = "".join(f" ({note})" for note in self.notes)
        return Decision(
            outcome,
            tuple(dict.fromkeys(rule_ids)),
            self.policy.id,
            self.policy.version,
            until,
            reason + notes,
            self.policy.overlays,
            self.constraints if outcome is Outcome.SEND else (),
        )

    def gate(self) -> Decision | None:
        """The checks that block outright, in order; None if all pass."""
        policy, request = self.policy, self.request
        if request.stop_events:
            rules = {rule.event: rule.id for rule in policy.stop_events}
            ids = [rules.get(event, PRODUCT_STOP_RULE) for event in sorted(request.stop_events)]
            return self.decide(Outcome.BLOCK, ids, f"stop event: {', '.join(sorted(request.stop_events))}")
        opt_out = policy.opt_out.id
        if request.opted_out_all:
            return self.decide(Outcome.BLOCK, [opt_out], "the person asked to stop all contact")
        if request.channel in request.opted_out_channels:
            return self.decide(Outcome.BLOCK, [opt_out], f"the person opted out of {request.channel}")
        if request.contact_status is ContactStatus.OPTED_OUT:
            return self.decide(Outcome.BLOCK, [opt_out], "this address or number was opted out")
        if request.contact_status is ContactStatus.INVALID:
            return self.decide(Outcome.BLOCK, [PRODUCT_INVALID_RULE], "this address or number is invalid")
        for ban in policy.channel_bans:
            if ban.channel == request.channel:
                return self.decide(Outcome.BLOCK, [ban.id], f"{request.channel} is not allowed")
        third_party = self._third_party()
        if third_party is not None:
            return third_party
        if policy.consent.required and not request.consent:
            return self.decide(
                Outcome.BLOCK, [policy.consent.id], f"no express authorisation for {request.channel}"
            )
        return None

    def _third_party(self) -> Decision | None:
        request = self.request
        rule = self.policy.third_party_access(request.recipient)
        if rule is None or rule.access is ThirdPartyAccess.ALLOW:
            return None
        if rule.access is ThirdPartyAccess.FORBID or request.purpose is not Purpose.LOCATION_INQUIRY:
            return self.decide(
                Outcome.BLOCK, [rule.id], f"collection contact with a {request.recipient} is banned"
            )

        def same_person(record: ContactRecord) -> bool:
            if request.person is not None:
                return record.person == request.person
            return request.address is None or record.address == request.address

        if any(r.recipient == request.recipient and same_person(r) for r in self.history):
            return self.decide(Outcome.BLOCK, [rule.id], "a location inquiry was already made to this person")
        self.constraints = ("no_debt_mention",)
        return None

    def _plan(self) -> WindowPlan:
        policy, request = self.policy, self.request
        candidates = request.time_zones
        if policy.time_basis is TimeBasis.DEBTOR_LOCAL:
            candidates = candidates[:1]
        zones, table, rule_id = tuple(map(zone, candidates)), policy.windows.days, policy.windows.id
        override, rule = request.hours_override, policy.hours_override
        if override is not None:
            signed_after = bool(
                override.signed_at
                and override.contract_signed_at
                and override.signed_at > override.contract_signed_at
            )
            if override.instrument not in rule.accepts:
                self.notes.append(f"hours override by {override.instrument} ignored under {rule.id}")
            elif rule.after_contract and not signed_after:
                self.notes.append(f"hours override ignored: it must be signed after the contract ({rule.id})")
            else:  # the consumer stated hours in their own time: only their own zone applies
                table = {**table, **parse_day_table(override.windows, "hours_override.windows")}
                zones, rule_id = (zone(request.time_zones[0]),), rule.id
        subdiv = _subdivision(policy.jurisdiction, request.subdivision)
        return WindowPlan(policy, request.channel, zones, table, subdiv, rule_id)

    def schedule(self, at: datetime, until: datetime) -> Decision:
        """Hours and caps: SEND now, DEFER to the earliest instant both allow, or BLOCK."""
        plan = self._plan()
        checks = [
            CapCheck.build(cap, self.request, self.history, zone(self.request.time_zones[0]))
            for cap in self.policy.caps
            if cap_applies(cap, self.request)
        ]
        closed = plan.closed_by(at) if plan.applies else None
        failing = [check.cap.id for check in checks if not check.allows(at)]
        if closed is None and not failing:
            return self.decide(Outcome.SEND, [], "allowed")
        now_ids = [closed] if closed else []
        t = at
        while True:  # t only moves forward, and at most to `until`
            opens = plan.next_open(t, until) if plan.applies else t
            if opens is None:
                return self.decide(
                    Outcome.BLOCK, [plan.rule_id, *now_ids, *failing], "no contact window within the horizon"
                )
            blocking = [check for check in checks if not check.allows(opens)]
            if not blocking:
                return self.decide(Outcome.DEFER, now_ids + failing, _why(closed, failing, opens), opens)
            frees = [check.frees_at(opens, until) for check in blocking]
            if any(free is None for free in frees):
                ids = [c.cap.id for c, free in zip(blocking, frees, strict=True) if free is None]
                return self.decide(
                    Outcome.BLOCK,
                    [*ids, *now_ids, *failing],
                    "frequency cap does not free within the horizon",
                )
            t = max(free for free in frees if free is not None)


def _why(closed: str | None, failing: list[str], until: datetime) -> str:
    parts = ([f"outside contact hours ({closed})"] if closed else []) + [
        f"frequency cap {cap}" for cap in failing
    ]
    return f"{'; '.join(parts)}; next allowed {until.isoformat()}"
