"""Interactions in the single table: key builders, the PynamoDB item, converters.

(`<ts>` = the interaction's `occurredAt`, UTC; GSI2 only when an agent logged it; GSI3 only for
violations — sparse, so the supervisors' violation list reads violations alone)

| item | PK | SK | GSI1 | GSI2 | GSI3 | GSI4 |
|---|---|---|---|---|---|---|
| interaction | `T#t#DR#<dr>` | `INT#<ts>#<id>` | `T#t#INTERACTIONS` / `<ts>#<id>` | `T#t#AG#<agent>#INT` / `<ts>#<id>` | `T#t#INT#VIOLATIONS` / `<ts>#<id>` | `T#t#INT#OUT#<outcome>` / `<ts>#<id>` |
| idempotency claim | `T#t#UQ#INTERACTION_KEY#<key>` | `UQ` (target: the interaction's ref, request fingerprint) | | | | |
| contact history | `T#t#DR#<dr>` | `CL#<ts>#<id>` (the same entry the dispatcher writes for a sent message) | | | | |

The interaction lives in its debtor's partition next to the messages, payments and contact history, so
the debtor's timeline is one Query per kind and the contact history needs nothing new.
"""  # noqa: E501

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from domain.clock import iso_utc
from domain.interactions.model import (
    Interaction,
    InteractionChannel,
    InteractionOutcome,
    PolicyVerdict,
)
from domain.policy import AttemptKind, Direction, Outcome
from infra.dynamodb.campaign_codec import parse_ts
from infra.dynamodb.codec import dumps
from infra.dynamodb.keys import claim_pk, debtor_pk, tenant_prefix
from infra.dynamodb.models import TableItem

INTERACTION_PREFIX = "INT#"
CLAIM_KIND = "INTERACTION_KEY"


def interaction_sk(occurred_ts: str, interaction_id: str) -> str:
    return f"{INTERACTION_PREFIX}{occurred_ts}#{interaction_id}"


def interactions_gsi1(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}INTERACTIONS"


def agent_interactions_gsi2(tenant: str, agent_id: str) -> str:
    return f"{tenant_prefix(tenant)}AG#{agent_id}#INT"


def violations_gsi3(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}INT#VIOLATIONS"


def outcome_gsi4(tenant: str, outcome: InteractionOutcome) -> str:
    return f"{tenant_prefix(tenant)}INT#OUT#{outcome.value}"


def key_claim_pk(tenant: str, idempotency_key: str) -> str:
    return claim_pk(tenant, CLAIM_KIND, idempotency_key)


class InteractionItem(TableItem, discriminator="INTERACTION"):
    """The interaction as one JSON document; channel, outcome, agent and violation also as attributes
    (filters on whichever Query serves a listing)."""

    doc = UnicodeAttribute()
    channel = UnicodeAttribute()
    outcome = UnicodeAttribute()
    debtor_id = UnicodeAttribute(attr_name="debtorId")
    agent_id = UnicodeAttribute(null=True, attr_name="agentId")
    violation = BooleanAttribute(default=False)


def _verdict_json(v: PolicyVerdict | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "outcome": v.outcome.value,
        "ruleIds": list(v.rule_ids),
        "policyId": v.policy_id,
        "policyVersion": v.policy_version,
        "reason": v.reason,
        "until": iso_utc(v.until) if v.until else None,
    }


def _verdict_of(d: dict[str, Any] | None) -> PolicyVerdict | None:
    if not d:
        return None
    return PolicyVerdict(
        Outcome(d["outcome"]),
        tuple(d.get("ruleIds", ())),
        d.get("policyId", ""),
        d.get("policyVersion", ""),
        d.get("reason", ""),
        parse_ts(d.get("until")),
    )


def interaction_item(i: Interaction, version: int) -> InteractionItem:
    ts = iso_utc(i.occurred_at)
    doc = {
        "id": i.id,
        "debtorId": i.debtor_id,
        "channel": i.channel.value,
        "direction": i.direction.value,
        "outcome": i.outcome.value,
        "occurredAt": ts,
        "recordedAt": iso_utc(i.recorded_at),
        "loggedBy": i.logged_by,
        "idempotencyKey": i.idempotency_key,
        "debtIds": list(i.debt_ids),
        "note": i.note,
        "callbackAt": iso_utc(i.callback_at) if i.callback_at else None,
        "agentId": i.agent_id,
        "address": i.address,
        "verdict": _verdict_json(i.verdict),
        "kind": i.kind.value,
    }
    sort = f"{ts}#{i.id}"
    item = InteractionItem(
        debtor_pk(i.tenant, i.debtor_id),
        interaction_sk(ts, i.id),
        tenant=i.tenant,
        version=version,
        doc=dumps(doc),
        channel=i.channel.value,
        outcome=i.outcome.value,
        debtor_id=i.debtor_id,
        agent_id=i.agent_id,
        violation=i.violation,
        GSI1PK=interactions_gsi1(i.tenant),
        GSI1SK=sort,
        GSI4PK=outcome_gsi4(i.tenant, i.outcome),
        GSI4SK=sort,
    )
    if i.agent_id:
        item.GSI2PK, item.GSI2SK = agent_interactions_gsi2(i.tenant, i.agent_id), sort
    if i.violation:
        item.GSI3PK, item.GSI3SK = violations_gsi3(i.tenant), sort
    return item


def interaction_of(item: InteractionItem) -> Interaction:
    d = json.loads(item.doc)
    occurred, recorded = parse_ts(d["occurredAt"]), parse_ts(d["recordedAt"])
    if occurred is None or recorded is None:
        raise ValueError(f"interaction {item.SK} has no time")
    return Interaction(
        tenant=item.tenant,
        id=d["id"],
        debtor_id=d["debtorId"],
        channel=InteractionChannel(d["channel"]),
        direction=Direction(d["direction"]),
        outcome=InteractionOutcome(d["outcome"]),
        occurred_at=occurred,
        recorded_at=recorded,
        logged_by=d["loggedBy"],
        idempotency_key=d["idempotencyKey"],
        debt_ids=tuple(d.get("debtIds", ())),
        note=d.get("note"),
        callback_at=parse_ts(d.get("callbackAt")),
        agent_id=d.get("agentId"),
        address=d.get("address"),
        verdict=_verdict_of(d.get("verdict")),
        kind=AttemptKind(d.get("kind", "CONTACT")),
        version=int(item.version or 0),
    )
