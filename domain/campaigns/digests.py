"""Daily campaign digests for supervisors: an e-mail or SMS subscription to the tenant's digest topic."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domain.campaigns.deps import EngineDeps
from domain.campaigns.model import CampaignStats, CampaignStatus
from domain.clock import local_date
from domain.contacts import normalize_email, normalize_phone
from domain.errors import DomainError, ErrorCode
from domain.principal import Action, Principal


class DigestTopics(Protocol):
    def subscribe(self, tenant: str, protocol: str, endpoint: str) -> str: ...

    def publish(self, tenant: str, subject: str, text: str) -> str: ...


class DigestLog(Protocol):
    def last(self, tenant: str) -> tuple[str, dict[str, dict[str, int]]] | None:
        """The local day of the tenant's last digest and the counters it reported, if any."""
        ...

    def record(
        self, tenant: str, day: str, counters: dict[str, dict[str, int]], expected_day: str | None
    ) -> bool:
        """Claim `day` with these counters if the stored day is still `expected_day`; False otherwise."""
        ...


class Digests:
    def __init__(self, deps: EngineDeps, topics: DigestTopics | None, log: DigestLog | None = None) -> None:
        self.deps, self.topics, self.log = deps, topics, log

    def subscribe(self, principal: Principal, protocol: str, endpoint: str) -> str:
        """An ADMIN or SUPERVISOR subscribes an e-mail (SNS asks it to confirm) or a phone (E.164)."""
        principal.require(Action.CAMPAIGN_MANAGE)
        if self.topics is None:
            raise DomainError(ErrorCode.INVALID_STATE, "digests are not configured on this server", None)
        tenant = self.deps.ledger.get_tenant(principal.tenant)
        if protocol == "EMAIL":
            address = normalize_email(endpoint, "endpoint")
        elif protocol == "SMS":
            address = normalize_phone(endpoint, tenant.country if tenant else "", "endpoint")
        else:
            raise DomainError(ErrorCode.INVALID, "protocol is EMAIL or SMS", "protocol")
        return self.topics.subscribe(principal.tenant, protocol.lower(), address)

    def text(self, tenant: str, before: Mapping[str, Counters] | None = None) -> str | None:
        """Each active or paused campaign's counters, one line each, with the change since `before`
        (the counters at the previous digest); None without campaigns."""
        lines = []
        for c in self.deps.campaigns.list_campaigns(tenant):
            if c.status not in (CampaignStatus.ACTIVE, CampaignStatus.PAUSED):
                continue
            now = counters(self.deps.messages.get_stats(tenant, c.id))
            lines.append(_line(c.name, c.status.value, now, (before or {}).get(c.id)))
        return "\n".join(lines) if lines else None

    def current(self, tenant: str) -> dict[str, Counters]:
        return {
            c.id: counters(self.deps.messages.get_stats(tenant, c.id))
            for c in self.deps.campaigns.list_campaigns(tenant)
            if c.status in (CampaignStatus.ACTIVE, CampaignStatus.PAUSED)
        }

    def send_daily(self) -> int:
        """Publish every tenant's digest once per local day (workers only); returns how many were published.

        The day is claimed before publishing, so a retried run never publishes it twice."""
        if self.topics is None or self.log is None:
            return 0
        sent = 0
        now = self.deps.clock.now()
        for tenant_id in self.deps.ledger.list_tenants():
            tenant = self.deps.ledger.get_tenant(tenant_id)
            day = local_date(now, tenant.time_zone if tenant else "UTC").isoformat()
            previous = self.log.last(tenant_id)
            if previous is not None and previous[0] >= day:
                continue
            snapshot = self.current(tenant_id)
            if not snapshot:
                continue
            if not self.log.record(tenant_id, day, snapshot, previous[0] if previous else None):
                continue  # another run took this day
            text = self.text(tenant_id, previous[1] if previous else {})
            if text:
                self.topics.publish(tenant_id, f"Recaudo: campaigns on {day}", text)
                sent += 1
        return sent


Counters = dict[str, int]
FIELDS = ("planned", "sent", "delivered", "failed", "blocked", "skipped", "payments_within_7_days")


def counters(stats: CampaignStats) -> Counters:
    return {name: int(getattr(stats, name)) for name in FIELDS} | {
        f"blocked:{rule}": n for rule, n in stats.blocked_by_rule.items()
    }


def _line(name: str, status: str, now: Counters, before: Counters | None) -> str:
    def figure(key: str, label: str) -> str:
        if before is None:
            return f"{label} {now.get(key, 0)}"
        return f"{label} {now.get(key, 0)} (+{now.get(key, 0) - before.get(key, 0)})"

    rules = sorted(k for k in now if k.startswith("blocked:"))
    blocked = ", ".join(figure(k, k.removeprefix("blocked:")) for k in rules) or "none"
    parts = [figure(k, label) for k, label in _LABELS]
    since = "" if before is None else " — totals (change since the previous digest)"
    return f"{name} ({status}){since}: {', '.join(parts)}; blocked by rule: {blocked}"


_LABELS = (
    ("planned", "planned"),
    ("sent", "sent"),
    ("delivered", "delivered"),
    ("failed", "failed"),
    ("skipped", "skipped"),
    ("blocked", "blocked"),
    ("payments_within_7_days", "payments within 7 days of a message"),
)
