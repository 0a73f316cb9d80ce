"""Import jobs and their rejected rows in the single table.

| item | PK | SK | GSI1 |
|---|---|---|---|
| import job | `T#t#IMP#<importId>` | `IMPORT` | `T#t#IMPORTS` / `<created ts>#<importId>` |
| rejected row issue | `T#t#IMP#<importId>` | `ERR#<row 9 digits>#<n 3 digits>` (TTL 90 days) | |

Imports of a tenant, newest first: Query GSI1 `T#t#IMPORTS` descending. Rejected rows of an
import in file order: Query `PK = T#t#IMP#<id> AND begins_with(SK, ERR#)`. Issue keys are the
row number and the issue's place in it, so a replayed chunk rewrites the same items.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from infra.dynamodb.keys import tenant_prefix
from infra.dynamodb.models import TableItem, UTCDateTimeAttribute

IMPORT_SK = "IMPORT"
ISSUE_PREFIX = "ERR#"
ISSUE_RETENTION = timedelta(days=90)


def import_pk(tenant: str, import_id: str) -> str:
    if not import_id or "#" in import_id:
        raise ValueError(f"invalid import id {import_id!r}")
    return f"{tenant_prefix(tenant)}IMP#{import_id}"


def imports_pk(tenant: str) -> str:
    return f"{tenant_prefix(tenant)}IMPORTS"


def issue_sk(row: int, n: int) -> str:
    return f"{ISSUE_PREFIX}{row:09d}#{n:03d}"


class ImportItem(TableItem, discriminator="IMPORT"):
    """An import job: what to read, how, and how far it got (counts and checkpoint)."""

    id = UnicodeAttribute()
    portfolio_id = UnicodeAttribute(attr_name="portfolioId")
    file_format = UnicodeAttribute(attr_name="fileFormat")
    created_by = UnicodeAttribute(attr_name="createdBy")
    created_role = UnicodeAttribute(attr_name="createdRole")
    created_at = UTCDateTimeAttribute(attr_name="createdAt")
    column_mapping = UnicodeAttribute(default="{}", attr_name="columnMapping")
    decimal_separator = UnicodeAttribute(null=True, attr_name="decimalSeparator")
    file_name = UnicodeAttribute(null=True, attr_name="fileName")
    status = UnicodeAttribute()
    rows = NumberAttribute(default=0)
    created = NumberAttribute(default=0)
    updated = NumberAttribute(default=0)
    unchanged = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    next_row = NumberAttribute(default=2, attr_name="nextRow")
    parts = NumberAttribute(default=0)
    failure = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True, attr_name="updatedAt")
    finished_at = UTCDateTimeAttribute(null=True, attr_name="finishedAt")
    rejected_ready = BooleanAttribute(default=False, attr_name="rejectedReady")


class ImportIssueItem(TableItem, discriminator="IMPORT_ISSUE"):
    """One problem of one rejected row, with the row's cells (JSON) for the rejected-rows CSV."""

    row = NumberAttribute()
    column = UnicodeAttribute(null=True)
    code = UnicodeAttribute()
    message = UnicodeAttribute()
    cells = UnicodeAttribute(default="[]")
