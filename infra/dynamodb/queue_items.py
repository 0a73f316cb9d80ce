"""The work item of a debtor (risk score, queue entry, signals) and its keys.

work item: `T#t#DR#<debtorId>` / `WORK`;
GSI1 (queue, sparse): `T#t#AG#<agent>#Q` / `<1000 - base score, 4 digits>#<debtorId>`;
GSI2 (due list, sparse): `T#t#AG#<agent>#DUE` / `<due UTC ts>#<debtorId>`.

GSI1 holds the item while the debtor is assigned and has an open debt, so an agent's queue in priority
order is one Query; GSI2 while it also has a pending callback or an open promise (its earliest).
Neither partition value is used by any other item (call tasks use `T#t#AG#<agent>#TASKS`).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from domain.clock import iso_utc
from domain.queues.model import Priority, WorkState
from domain.risk.factors import Factor
from domain.risk.score import RiskBand, RiskScore
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import debtor_pk, tenant_prefix
from infra.dynamodb.models import TableItem

WORK_SK = "WORK"
SCORE_CEILING = 1000


def queue_pk(tenant: str, agent_id: str) -> str:
    return f"{tenant_prefix(tenant)}AG#{agent_id}#Q"


def queue_sort(score: int, debtor_id: str) -> str:
    """Ascending sort = highest score first, then debtor id."""
    return f"{SCORE_CEILING - score:04d}#{debtor_id}"


def due_pk(tenant: str, agent_id: str) -> str:
    return f"{tenant_prefix(tenant)}AG#{agent_id}#DUE"


class WorkItem(TableItem, discriminator="WORK"):
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    risk_score = NumberAttribute(null=True, attr_name="riskScore")
    risk_band = UnicodeAttribute(null=True, attr_name="riskBand")
    doc = UnicodeAttribute(default="{}")


def _ts(value: datetime | None) -> str | None:
    return iso_utc(value) if value else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _factors(factors: tuple[Factor, ...]) -> list[list[Any]]:
    return [[f.name, str(f.value), f.weight, f.points] for f in factors]


def _read_factors(rows: list[list[Any]]) -> tuple[Factor, ...]:
    return tuple(Factor(str(n), Decimal(v), int(w), int(p)) for n, v, w, p in rows)


def work_item(state: WorkState) -> WorkItem:
    doc: dict[str, Any] = {
        "timeZone": state.time_zone,
        "overdue": {cur: str(v) for cur, v in state.overdue.items()},
        "daysPastDue": state.days_past_due,
        "lastContactAt": _ts(state.last_contact_at),
        "callbackAt": _ts(state.callback_at),
        "promises": {pid: day.isoformat() for pid, day in state.promises.items()},
        "brokenAt": [iso_utc(at) for at in state.broken_at],
        "refreshedAt": _ts(state.refreshed_at),
    }
    if state.risk:
        doc["risk"] = {
            "score": state.risk.score,
            "band": state.risk.band.value,
            "factors": _factors(state.risk.factors),
            "computedAt": iso_utc(state.risk.computed_at),
        }
    if state.priority:
        doc["priority"] = {"score": state.priority.score, "factors": _factors(state.priority.factors)}
    item = WorkItem(
        debtor_pk(state.tenant, state.debtor_id),
        WORK_SK,
        tenant=state.tenant,
        agent_id=state.agent_id,
        risk_score=state.risk.score if state.risk else None,
        risk_band=state.risk.band.value if state.risk else None,
        doc=dumps(doc),
    )
    if state.in_queue and state.priority and state.agent_id:
        item.GSI1PK = queue_pk(state.tenant, state.agent_id)
        item.GSI1SK = queue_sort(state.priority.score, state.debtor_id)
        due = state.due_at()
        if due is not None:
            item.GSI2PK = due_pk(state.tenant, state.agent_id)
            item.GSI2SK = f"{iso_utc(due)}#{state.debtor_id}"
    return item


def work_from_item(tenant: str, item: WorkItem) -> WorkState:
    doc = json.loads(item.doc or "{}")
    risk = doc.get("risk")
    priority = doc.get("priority")
    return WorkState(
        tenant=tenant,
        debtor_id=item.PK.rsplit("#DR#", 1)[1],
        time_zone=doc.get("timeZone", "UTC"),
        agent_id=item.agent_id,
        risk=RiskScore(
            int(risk["score"]),
            RiskBand(risk["band"]),
            _read_factors(risk["factors"]),
            _parse(risk["computedAt"]) or datetime.min,
        )
        if risk
        else None,
        priority=Priority(int(priority["score"]), _read_factors(priority["factors"])) if priority else None,
        overdue={cur: Decimal(v) for cur, v in doc.get("overdue", {}).items()},
        days_past_due=int(doc.get("daysPastDue", 0)),
        last_contact_at=_parse(doc.get("lastContactAt")),
        callback_at=_parse(doc.get("callbackAt")),
        promises={pid: date.fromisoformat(day) for pid, day in doc.get("promises", {}).items()},
        broken_at=[at for at in (_parse(v) for v in doc.get("brokenAt", [])) if at is not None],
        refreshed_at=_parse(doc.get("refreshedAt")),
        version=int(item.version or 0),
    )
