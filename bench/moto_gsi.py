"""Bench only: let in-process moto answer a GSI Query from the queried partition, as DynamoDB does.

moto evaluates a Query on a global secondary index by walking every item of the table, so the time of
any index query grows with the table: a benchmark that compares one query on a 10,000-item table with
the same query on a 100,000-item table would measure moto, not the design. This keeps, per table and
per index, the items of each index partition up to date on every put, update and delete (every write
path of moto, batch and transaction included, goes through those three), and hands `Table.query`
only that partition. Results are unchanged: the same filtering, sorting and paging code runs on the
smaller candidate list. Never used by the product or its tests.
"""

from __future__ import annotations

import inspect
from typing import Any

_INSTALLED = False
Part = tuple[str, Any]


def _parts(table: Any) -> dict[str, Any]:
    cache: dict[str, Any] | None = table.__dict__.get("_recaudo_gsi")
    if cache is None:
        cache = {"parts": {}, "where": {}}
        table.__dict__["_recaudo_gsi"] = cache
        for item in list(_walk(table)):
            _reindex(table, cache, _key(item), item)
    return cache


def _walk(table: Any) -> Any:
    # The original method, even while `query` has shadowed it on the instance.
    return type(table).all_items(table)


def _key(item: Any) -> tuple[Any, Any]:
    return (item.hash_key.value, item.range_key.value if item.range_key is not None else None)


def _reindex(table: Any, cache: dict[str, Any], key: tuple[Any, Any], item: Any | None) -> None:
    for part in cache["where"].pop(key, []):
        cache["parts"].get(part, {}).pop(key, None)
    if item is None:
        return
    parts: list[Part] = []
    for index in table.global_indexes:
        hash_attr = next(k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH")
        value = item.attrs.get(hash_attr)
        if value is None:
            continue
        part = (index.name, value.value)
        cache["parts"].setdefault(part, {})[key] = item
        parts.append(part)
    cache["where"][key] = parts


def _in_range(attr: Any, comparison: str, objs: list[Any]) -> bool:
    if attr is None:
        return False
    value, bounds = attr.value, [o.value for o in objs]
    op = comparison.upper()
    if op == "BETWEEN":
        return bool(bounds[0] <= value <= bounds[1])
    if op == "BEGINS_WITH":
        return str(value).startswith(str(bounds[0]))
    checks = {
        "=": value == bounds[0],
        "EQ": value == bounds[0],
        "<": value < bounds[0],
        "LT": value < bounds[0],
        "<=": value <= bounds[0],
        "LE": value <= bounds[0],
        ">": value > bounds[0],
        "GT": value > bounds[0],
        ">=": value >= bounds[0],
        "GE": value >= bounds[0],
    }
    return bool(checks.get(op, True))  # unknown operator: leave it to moto


def install() -> None:
    """Patch moto's DynamoDB backend (idempotent). Call before the table gets items."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    put, update, delete, query = (
        DynamoDBBackend.put_item,
        DynamoDBBackend.update_item,
        DynamoDBBackend.delete_item,
        Table.query,
    )

    def put_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = put(self, table_name, *args, **kwargs)
        table = self.get_table(table_name)
        _reindex(table, _parts(table), _key(item), item)
        return item

    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = update(self, table_name, *args, **kwargs)
        table = self.get_table(table_name)
        _reindex(table, _parts(table), _key(item), item)
        return item

    def delete_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        old = delete(self, table_name, *args, **kwargs)
        if old is not None:
            table = self.get_table(table_name)
            _reindex(table, _parts(table), _key(old), None)
        return old

    signature = inspect.signature(query)

    def indexed_query(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs).arguments
        index_name, hash_key = bound.get("index_name"), bound.get("hash_key")
        if not index_name or index_name not in {i.name for i in self.global_indexes}:
            return query(self, *args, **kwargs)
        conditions = bound.get("hash_key_conditions") or []
        value = hash_key.value if hash_key is not None else (conditions[0][1].value if conditions else None)
        candidates = list(_parts(self)["parts"].get((index_name, value), {}).values())
        comparison, objs = bound.get("range_comparison"), bound.get("range_objs") or []
        if comparison and objs:
            # A sort-key condition is a seek in DynamoDB: hand moto only the items it selects.
            index = next(i for i in self.global_indexes if i.name == index_name)
            range_attr = next((k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"), None)
            if range_attr:
                candidates = [c for c in candidates if _in_range(c.attrs.get(range_attr), comparison, objs)]
        self.all_items = lambda: iter(candidates)
        try:
            return query(self, *args, **kwargs)
        finally:
            del self.all_items

    DynamoDBBackend.put_item = put_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = delete_item  # type: ignore[method-assign]
    Table.query = indexed_query  # type: ignore[method-assign]
    _INSTALLED = True
