"""Live aggregates of the ledger: sharded counter items moved by atomic ADDs (see DESIGN.md).

`T#<t>#AGG#<scope>` / `<currency>#<shard>` holds the sums of `domain.summaries.figures.Figures` for
one scope (`ALL` or `PF#<portfolio>`) and currency. Eight shards per scope and currency: concurrent
transactions of different debtors land on different items (no TransactionConflict on one hot item),
and reading every shard of every currency of a scope is one Query of at most 8 × currencies items.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from pynamodb.connection import Connection

from domain.clock import Clock
from domain.entities import Debt
from domain.errors import ConcurrencyConflict
from domain.summaries.figures import (
    COUNT_NAMES,
    FIGURE_NAMES,
    AggregateDelta,
    Figures,
    debt_deltas,
    merge_deltas,
)
from infra.dynamodb import keys, mapping
from infra.dynamodb.models import DebtItem, TableItem

SHARDS = 8
APPLIED_TTL = timedelta(days=7)
KIND = "AGGREGATE"


def connection() -> Connection:
    return TableItem._get_connection().connection


def aggregate_pk(tenant: str, scope: str) -> str:
    return f"{keys.tenant_prefix(tenant)}AGG#{scope}"


def applied_pk(tenant: str, idempotency_key: str) -> str:
    return f"{keys.tenant_prefix(tenant)}AGGAPPLY#{idempotency_key}"


def shard_for(seed: str) -> int:
    return zlib.crc32(seed.encode()) % SHARDS


def delta_update(tenant: str, delta: AggregateDelta, shard: int) -> dict[str, Any]:
    """The low-level UpdateItem (also a TransactWriteItems `Update`) adding `delta` to one shard."""
    adds = {n: v for n, v in delta.figures.as_dict().items() if v}
    names = {f"#f{i}": n for i, n in enumerate(adds)}
    values: dict[str, Any] = {f":f{i}": {"N": format(Decimal(v), "f")} for i, v in enumerate(adds.values())}
    names.update({"#kind": "kind", "#tenant": "tenant", "#scope": "scope", "#currency": "currency"})
    values.update(
        {
            ":kind": {"S": KIND},
            ":tenant": {"S": tenant},
            ":scope": {"S": delta.scope},
            ":currency": {"S": delta.currency},
        }
    )
    add = ", ".join(f"#f{i} :f{i}" for i in range(len(adds)))
    return {
        "TableName": TableItem.Meta.table_name,
        "Key": {
            "PK": {"S": aggregate_pk(tenant, delta.scope)},
            "SK": {"S": f"{delta.currency}#{shard}"},
        },
        "UpdateExpression": f"ADD {add} SET #kind = :kind, #tenant = :tenant, #scope = :scope, "
        "#currency = :currency",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }


def stored_debts(tenant: str, debts: Sequence[Debt]) -> dict[str, Debt]:
    """The stored images of these debts (strongly consistent BatchGetItem), by debt id."""
    pairs = list(dict.fromkeys((keys.debtor_pk(tenant, d.debtor_id), keys.debt_sk(d.id)) for d in debts))
    found: dict[str, Debt] = {}
    for i in range(0, len(pairs), 100):
        for item in DebtItem.batch_get(pairs[i : i + 100], consistent_read=True):
            found[item.id] = mapping.debt_from_item(item)
    return found


def transaction_updates(tenant: str, saves: Sequence[tuple[Debt, int]]) -> list[dict[str, Any]]:
    """The aggregate updates of a transaction that saves these debts at these expected versions.

    The old images are read first; the transaction's own conditions (version == expected) then make
    sure they are still the stored ones when the deltas land, so a retried or raced write can never
    count twice. A stored version other than the expected one fails fast, as the commit would.
    """
    if not saves:
        return []
    existing = [d for d, expected in saves if expected > 0]
    stored = stored_debts(tenant, existing) if existing else {}
    deltas: list[AggregateDelta] = []
    for debt, expected in saves:
        old = stored.get(debt.id) if expected > 0 else None
        if expected > 0 and (old is None or old.version != expected):
            raise ConcurrencyConflict(f"debt {debt.id} moved from version {expected}")
        deltas.extend(debt_deltas(old, debt))
    shard = shard_for(saves[0][0].debtor_id)
    return [delta_update(tenant, d, shard) for d in merge_deltas(deltas)]


def batch_deltas(tenant: str, debts: Sequence[Debt]) -> list[AggregateDelta]:
    """Deltas of unconditional (batch) writes of these debts over whatever is stored now."""
    stored = stored_debts(tenant, debts)
    return merge_deltas(d for debt in debts for d in debt_deltas(stored.get(debt.id), debt))


def read_figures(tenant: str, scope: str, consistent: bool = False) -> dict[str, Figures]:
    """Every shard of every currency of a scope: one Query (a second page only past 1 MB)."""
    client: Any = connection().client
    sums: dict[str, dict[str, Any]] = {}
    start: dict[str, Any] | None = None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        response = client.query(
            TableName=TableItem.Meta.table_name,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": aggregate_pk(tenant, scope)}},
            ConsistentRead=consistent,
            **extra,
        )
        for item in response.get("Items", []):
            total = sums.setdefault(item["currency"]["S"], {})
            for name in FIGURE_NAMES:
                if name in item:
                    total[name] = total.get(name, Decimal(0)) + Decimal(item[name]["N"])
        start = response.get("LastEvaluatedKey")
        if not start:
            break
    out: dict[str, Figures] = {}
    for currency, total in sums.items():
        values: dict[str, Any] = {n: int(v) if n in COUNT_NAMES else v for n, v in total.items()}
        out[currency] = Figures(**values)
    return out


def apply(tenant: str, deltas: list[AggregateDelta], idempotency_key: str | None, clock: Clock) -> bool:
    """Add deltas outside a ledger transaction. With a key: one TransactWriteItems with a marker put
    only if absent (kept 7 days), so a retried batch adds nothing and returns False."""
    merged = merge_deltas(deltas)
    if not merged:
        return True
    client: Any = connection().client
    seed = idempotency_key or merged[0].scope
    updates = [delta_update(tenant, d, shard_for(seed)) for d in merged]
    if idempotency_key is None:
        for update in updates:
            client.update_item(**update)
        return True
    expires = int((clock.now() + APPLIED_TTL).timestamp())
    applied = False
    # 99 updates and one marker per transaction (100 items at most); each chunk has its own marker,
    # so a retry after a partial failure applies only the chunks still missing.
    for n, start in enumerate(range(0, len(updates), 99)):
        marker_key = idempotency_key if start == 0 else f"{idempotency_key}#{n}"
        applied |= _apply_once(client, tenant, marker_key, updates[start : start + 99], expires)
    return applied


def _apply_once(client: Any, tenant: str, key: str, updates: list[dict[str, Any]], expires: int) -> bool:
    marker = {
        "TableName": TableItem.Meta.table_name,
        "Item": {
            "PK": {"S": applied_pk(tenant, key)},
            "SK": {"S": "AGGAPPLY"},
            "kind": {"S": "AGGREGATE_APPLIED"},
            "tenant": {"S": tenant},
            "expiresAt": {"N": str(expires)},
        },
        "ConditionExpression": "attribute_not_exists(PK)",
    }
    items = [{"Put": marker}, *({"Update": u} for u in updates)]
    try:
        client.transact_write_items(TransactItems=items)
    except client.exceptions.TransactionCanceledException as error:
        reasons = error.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return False
        raise
    return True
