"""Value codecs shared by the mappers: JSON text for nested values, exact money scale."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.clock import iso_utc
from domain.entities import (
    ContactKind,
    ContactPoint,
    ContactStatus,
    NextAction,
    RelatedPerson,
    RelationKind,
)
from domain.money import quantum


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    """JSON text for nested values; Decimals become strings (exact), datetimes ISO UTC text."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def restore_scale(value: Decimal, currency: str) -> Decimal:
    """Restore the currency's scale (DynamoDB trims trailing zeros) without ever rounding."""
    try:
        scaled = value.quantize(quantum(currency))
    except InvalidOperation:
        return value
    return scaled if scaled == value else value


def contact_to_json(c: ContactPoint) -> dict[str, Any]:
    return {
        "kind": c.kind.value,
        "value": c.value,
        "consent": c.consent,
        "status": c.status.value,
        "label": c.label,
        "primary": c.primary,
    }


def contact_from_json(d: dict[str, Any]) -> ContactPoint:
    return ContactPoint(
        kind=ContactKind(d["kind"]),
        value=d["value"],
        consent=bool(d.get("consent", False)),
        status=ContactStatus(d.get("status", ContactStatus.VALID.value)),
        label=d.get("label"),
        primary=bool(d.get("primary", False)),
    )


def related_to_json(r: RelatedPerson) -> dict[str, Any]:
    return {
        "relation": r.relation.value,
        "name": r.name,
        "documentType": r.document_type,
        "documentNumber": r.document_number,
        "contacts": [contact_to_json(c) for c in r.contacts],
    }


def related_from_json(d: dict[str, Any]) -> RelatedPerson:
    return RelatedPerson(
        relation=RelationKind(d["relation"]),
        name=d["name"],
        document_type=d.get("documentType"),
        document_number=d.get("documentNumber"),
        contacts=[contact_from_json(c) for c in d.get("contacts", [])],
    )


def next_action_to_json(n: NextAction) -> dict[str, Any]:
    return {
        "at": iso_utc(n.at),
        "campaignId": n.campaign_id,
        "stepId": n.step_id,
        "occurrence": n.occurrence.isoformat(),
        "timeZone": n.time_zone,
        "jurisdiction": n.jurisdiction,
    }


def next_action_from_json(data: dict[str, Any]) -> NextAction:
    at = datetime.strptime(data["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return NextAction(
        at=at,
        campaign_id=data.get("campaignId", ""),
        step_id=data.get("stepId", ""),
        occurrence=date.fromisoformat(data["occurrence"]),
        time_zone=data.get("timeZone", ""),
        jurisdiction=data.get("jurisdiction", ""),
    )
