"""Bench only: two moto costs that DynamoDB does not have, taken out of the import benchmark.

1. Before each TransactWriteItems moto backs up every table it touches with `copy.deepcopy(table)`
   so it can roll back a cancelled transaction: each transaction costs time proportional to the
   table (seconds with half a million items). In the benchmark nothing cancels a transaction (one
   writer, no conflicts), so the backup is never used; moto gets the table itself instead of a copy.
2. moto recomputes the size of the whole item each time it sets one attribute (quadratic in the
   attributes, a third of the benchmark's time); our items are far below DynamoDB's 400 KB, so
   attributes are set without that check.
3. moto serialises every response by walking the API's shape model attribute by attribute; a
   BatchGetItem of 100 ledger items takes ~0.7 s that way. Its result is already DynamoDB's wire
   JSON, so BatchGetItem results are written with `json.dumps` (the same bytes a client parses).

Like `bench.moto_gsi`, results are unchanged; only moto's own overhead goes. Never used by the
product or its tests.
"""

from __future__ import annotations

import copy
import json
from typing import Any

_INSTALLED = False
_FAST_OPERATIONS = {"BatchGetItem"}
_ORIGINALS: dict[str, Any] = {}


class _CopyWithoutTables:
    """`copy` as moto's DynamoDB models module sees it: deepcopy of a Table is the Table."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    import moto.dynamodb.models as models
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    _ORIGINALS.update(
        copy=models.copy, execute_result=ActionResult.execute_result, setitem=LimitedSizeDict.__setitem__
    )
    models.copy = _CopyWithoutTables()  # type: ignore[assignment]
    original = ActionResult.execute_result

    def execute_result(self: ActionResult, context: Any) -> Any:
        service = str(context.service_model.service_name)
        if service == "dynamodb" and str(context.operation_model.name) in _FAST_OPERATIONS:
            headers = {"Content-Type": "application/x-amz-json-1.0"}
            return 200, headers, json.dumps(self.result)
        return original(self, context)

    ActionResult.execute_result = execute_result  # type: ignore[method-assign]
    LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[assignment]
    _INSTALLED = True


def uninstall() -> None:
    """Back to moto's own costs (for the benchmarks that run after the one that needed this)."""
    global _INSTALLED
    if not _INSTALLED:
        return
    import moto.dynamodb.models as models
    from moto.core.responses import ActionResult
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    models.copy = _ORIGINALS["copy"]  # type: ignore[attr-defined]
    ActionResult.execute_result = _ORIGINALS["execute_result"]  # type: ignore[method-assign]
    LimitedSizeDict.__setitem__ = _ORIGINALS["setitem"]  # type: ignore[method-assign]
    _INSTALLED = False
