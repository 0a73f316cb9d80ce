"""Opaque, tenant-checked page cursors built from an item's own key attributes.

A cursor is urlsafe base64 of a JSON object holding the table keys (`PK`, `SK`) and, on an index, the
index keys. Decoding refuses anything that does not belong to the current tenant *and* to the same
list (same index partition, sort key inside the query's range): such a cursor never yields data.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from domain.errors import DomainError, ErrorCode
from infra.dynamodb.keys import tenant_prefix
from infra.dynamodb.models import TableItem


def key_names(index: str | None) -> tuple[str, ...]:
    """Attributes that make up an ExclusiveStartKey on the table or on a GSI."""
    if index is None:
        return ("PK", "SK")
    return ("PK", "SK", f"{index}PK", f"{index}SK")


def _not_found() -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, "cursor not found", "after")


def _invalid() -> DomainError:
    return DomainError(ErrorCode.INVALID_CURSOR, "the cursor is not valid", "after")


def encode_cursor(item: TableItem, index: str | None) -> str:
    """The cursor that resumes a query on `index` right after `item`."""
    values = {name: getattr(item, name) for name in key_names(index)}
    text = json.dumps(values, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str,
    *,
    tenant: str,
    index: str | None,
    partition: str,
    sort_ok: Callable[[str], bool],
) -> dict[str, dict[str, Any]]:
    """Validate a cursor for this tenant and list; return it as a DynamoDB ExclusiveStartKey.

    Raises DomainError(NOT_FOUND, field "after") when the cursor is from another tenant, from
    another list (a different table/index, partition or sort-key range); INVALID_CURSOR when it is
    not a cursor at all.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise _invalid() from None
    if not isinstance(values, dict) or not all(isinstance(v, str) and v for v in values.values()):
        raise _invalid()
    names = key_names(index)
    if set(values) != set(names):
        raise _not_found()
    prefix = tenant_prefix(tenant)
    partitions = [name for name in names if name.endswith("PK")]
    if not all(values[name].startswith(prefix) for name in partitions):
        raise _not_found()
    hash_name, range_name = (names[-2], names[-1])
    if values[hash_name] != partition or not sort_ok(values[range_name]):
        raise _not_found()
    return {name: {"S": values[name]} for name in names}
