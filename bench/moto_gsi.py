"""Bench only: let in-process moto answer a Query from the queried partition, as DynamoDB does.

moto evaluates a Query on a global secondary index by walking every item of the table, so the time of
any index query grows with the table: a benchmark that compares one query on a 10,000-item table with
the same query on a 100,000-item table would measure moto, not the design. This keeps, per table and
per index, the items of each index partition up to date on every put, update and delete (every write
path of moto, batch and transaction included, goes through those three), and hands `Table.query`
only that partition. Results are unchanged: the same filtering, sorting and paging code runs on the
smaller candidate list. Never used by the product or its tests.

For the table's own partitions moto already keeps a dict per partition key, but its Query walks and
sorts every item of the table anyway: the patched Query hands it that partition only.
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


_ORIGINALS: dict[str, Any] = {}


def _with_candidates(table: Any, candidates: list[Any], query: Any, args: Any, kwargs: Any) -> Any:
    table.all_items = lambda: iter(candidates)
    try:
        return query(table, *args, **kwargs)
    finally:
        del table.all_items


def uninstall() -> None:
    """Back to plain moto (tables created while installed keep a stale cache: use new ones)."""
    global _INSTALLED
    if not _INSTALLED:
        return
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    DynamoDBBackend.put_item = _ORIGINALS["put_item"]  # type: ignore[method-assign]
    DynamoDBBackend.update_item = _ORIGINALS["update_item"]  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = _ORIGINALS["delete_item"]  # type: ignore[method-assign]
    Table.query = _ORIGINALS["query"]  # type: ignore[method-assign]
    _INSTALLED = False


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
        if not index_name:
            # The table's own partition: moto keeps it in a dict, yet walks and sorts every item.
            partition = self.items.get(hash_key, {}) if hash_key is not None else {}
            return _with_candidates(self, list(partition.values()), query, args, kwargs)
        if index_name not in {i.name for i in self.global_indexes}:
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
        return _with_candidates(self, candidates, query, args, kwargs)

    _ORIGINALS.update(put_item=put, update_item=update, delete_item=delete, query=query)
    DynamoDBBackend.put_item = put_item  # type: ignore[method-assign]
    DynamoDBBackend.update_item = update_item  # type: ignore[method-assign]
    DynamoDBBackend.delete_item = delete_item  # type: ignore[method-assign]
    Table.query = indexed_query  # type: ignore[method-assign]
    _INSTALLED = True
