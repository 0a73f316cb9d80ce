"""Daily snapshot items (see DESIGN.md): `T#<t>#SNAP#<scope>` / `<day>#<currency>`, a `<day>#` marker
per scope saying the day was taken (even with no debts), and `T#<t>#SNAP#LAST` / `LAST` = the latest
day (in a `SNAP#` partition too, so the nightly function's writes are limited to those keys)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from domain.summaries.snapshot import Snapshot
from infra.dynamodb import keys
from infra.dynamodb.aggregates import connection
from infra.dynamodb.models import TableItem

LAST_SCOPE = "LAST"
KIND = "SNAPSHOT"


def snapshot_pk(tenant: str, scope: str) -> str:
    return f"{keys.tenant_prefix(tenant)}SNAP#{scope}"


def _table() -> str:
    return TableItem.Meta.table_name


def _client() -> Any:
    return connection().client


def last_day(tenant: str) -> date | None:
    item = (
        _client()
        .get_item(
            TableName=_table(),
            Key={"PK": {"S": snapshot_pk(tenant, LAST_SCOPE)}, "SK": {"S": LAST_SCOPE}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    return date.fromisoformat(item["day"]["S"]) if item else None


def _query(tenant: str, scope: str, condition: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        response = _client().query(
            TableName=_table(),
            KeyConditionExpression=f"PK = :pk AND {condition}",
            ExpressionAttributeValues={":pk": {"S": snapshot_pk(tenant, scope)}, **values},
            **extra,
        )
        items.extend(response.get("Items", []))
        start = response.get("LastEvaluatedKey")
        if not start:
            return items


def _parse(items: list[dict[str, Any]]) -> list[Snapshot]:
    return [Snapshot.from_json(json.loads(i["data"]["S"])) for i in items if "data" in i]


def on_day(tenant: str, scope: str, day: date) -> list[Snapshot] | None:
    items = _query(tenant, scope, "begins_with(SK, :day)", {":day": {"S": f"{day.isoformat()}#"}})
    return _parse(items) if items else None


def between(tenant: str, scope: str, first: date, last: date) -> list[Snapshot]:
    values = {":lo": {"S": f"{first.isoformat()}#"}, ":hi": {"S": f"{last.isoformat()}#~"}}
    return _parse(_query(tenant, scope, "SK BETWEEN :lo AND :hi", values))


def _item(tenant: str, scope: str, day: date, snapshot: Snapshot | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "PK": {"S": snapshot_pk(tenant, scope)},
        "SK": {"S": f"{day.isoformat()}#{snapshot.currency if snapshot else ''}"},
        "kind": {"S": KIND},
        "tenant": {"S": tenant},
    }
    if snapshot is not None:
        item["data"] = {"S": json.dumps(snapshot.to_json(), separators=(",", ":"))}
    return item


def save(tenant: str, day: date, scopes: list[str], snapshots: list[Snapshot], replace: bool) -> bool:
    """Markers and snapshots in BatchWriteItem requests, then the `LAST` day (conditional: it only moves
    forward, or stays on the day when replacing), so a run that dies half-way is redone next time."""
    client = _client()
    if not replace:
        last = last_day(tenant)
        if last is not None and last >= day:
            return False
    items = [_item(tenant, s, day, None) for s in scopes]
    items += [_item(tenant, s.scope, day, s) for s in snapshots]
    for i in range(0, len(items), 25):
        requests: dict[str, Any] = {_table(): [{"PutRequest": {"Item": it}} for it in items[i : i + 25]]}
        while requests:
            requests = client.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
    condition = "attribute_not_exists(#day) OR #day " + ("<= :day" if replace else "< :day")
    try:
        client.put_item(
            TableName=_table(),
            Item={
                "PK": {"S": snapshot_pk(tenant, LAST_SCOPE)},
                "SK": {"S": LAST_SCOPE},
                "kind": {"S": "SNAPSHOT_LAST"},
                "tenant": {"S": tenant},
                "day": {"S": day.isoformat()},
            },
            ConditionExpression=condition,
            ExpressionAttributeNames={"#day": "day"},
            ExpressionAttributeValues={":day": {"S": day.isoformat()}},
        )
    except client.exceptions.ConditionalCheckFailedException:
        return False
    return True
