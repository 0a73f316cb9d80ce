"""`DynamoImportJobStore`: import jobs, their checkpoints and rejected rows (see import_items.py)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pynamodb.exceptions import UpdateError

from domain.errors import ErrorCode
from domain.imports.jobs import FileFormat, ImportJob, ImportStatus, RejectedRow, StaleCheckpoint
from domain.imports.rows import RowIssue
from domain.imports.runner import ChunkDone, ImportCounts
from domain.ports import Page, PageRequest
from domain.principal import Role
from infra.dynamodb.import_items import (
    IMPORT_SK,
    ISSUE_PREFIX,
    ISSUE_RETENTION,
    ImportIssueItem,
    ImportItem,
    import_pk,
    imports_pk,
    issue_sk,
)
from infra.dynamodb.queries import QueryPlan, SortRange, run_page

if TYPE_CHECKING:
    from domain.imports.jobs import ImportJobStore

_OPEN = (ImportStatus.PENDING.value, ImportStatus.PROCESSING.value)


def _cell(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _job(item: ImportItem) -> ImportJob:
    return ImportJob(
        tenant=item.tenant,
        id=item.id,
        portfolio_id=item.portfolio_id,
        format=FileFormat(item.file_format),
        created_by=item.created_by,
        created_role=Role(item.created_role),
        created_at=item.created_at,
        column_mapping=json.loads(item.column_mapping),
        decimal_separator=item.decimal_separator,
        file_name=item.file_name,
        status=ImportStatus(item.status),
        counts=ImportCounts(
            int(item.rows), int(item.created), int(item.updated), int(item.unchanged), int(item.rejected)
        ),
        next_row=int(item.next_row),
        parts=int(item.parts),
        failure=item.failure,
        updated_at=item.updated_at,
        finished_at=item.finished_at,
        rejected_rows_ready=bool(item.rejected_ready),
    )


def _key(job: ImportJob) -> ImportItem:
    return ImportItem(import_pk(job.tenant, job.id), IMPORT_SK)


class DynamoImportJobStore:
    """Implements `domain.imports.jobs.ImportJobStore`: GetItem, Query, UpdateItem, BatchWriteItem."""

    def create(self, job: ImportJob) -> None:
        ImportItem(
            import_pk(job.tenant, job.id),
            IMPORT_SK,
            tenant=job.tenant,
            id=job.id,
            portfolio_id=job.portfolio_id,
            file_format=job.format.value,
            created_by=job.created_by,
            created_role=job.created_role.value,
            created_at=job.created_at,
            column_mapping=json.dumps(job.column_mapping, ensure_ascii=False),
            decimal_separator=job.decimal_separator,
            file_name=job.file_name,
            status=job.status.value,
            updated_at=job.updated_at,
            GSI1PK=imports_pk(job.tenant),
            GSI1SK=f"{job.created_at.isoformat()}#{job.id}",
        ).save(condition=ImportItem.PK.does_not_exist())

    def get(self, tenant: str, import_id: str) -> ImportJob | None:
        try:
            return _job(ImportItem.get(import_pk(tenant, import_id), IMPORT_SK, consistent_read=True))
        except (ImportItem.DoesNotExist, ValueError):
            return None

    def recent(self, tenant: str, page: PageRequest) -> Page[ImportJob]:
        plan = QueryPlan(ImportItem, "GSI1", imports_pk(tenant), SortRange(), forward=False)
        found = run_page(plan, tenant, page)
        return Page([_job(i) for i in found.items], found.end_cursor, found.has_next_page, found.cursors)

    def start(self, job: ImportJob, at: datetime) -> bool:
        try:
            _key(job).update(
                actions=[
                    ImportItem.status.set(ImportStatus.PROCESSING.value),
                    ImportItem.parts.add(1),
                    ImportItem.updated_at.set(at),
                ],
                condition=ImportItem.status.is_in(*_OPEN),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        job.status, job.parts = ImportStatus.PROCESSING, job.parts + 1
        return True

    def save_chunk(self, job: ImportJob, done: ChunkDone, at: datetime) -> None:
        expires = at + ISSUE_RETENTION
        pk = import_pk(job.tenant, job.id)
        numbered: dict[int, int] = {}
        with ImportIssueItem.batch_write() as batch:
            for issue in done.issues:
                n = numbered[issue.row] = numbered.get(issue.row, -1) + 1
                cells = [_cell(c) for c in done.rejected.get(issue.row, [])]
                batch.save(
                    ImportIssueItem(
                        pk,
                        issue_sk(issue.row, n),
                        tenant=job.tenant,
                        row=issue.row,
                        column=issue.column,
                        code=issue.code.value,
                        message=issue.message,
                        cells=json.dumps(cells, ensure_ascii=False),
                        expires_at=expires,
                    )
                )
        c = done.counts
        try:
            _key(job).update(
                actions=[
                    ImportItem.next_row.set(done.next_row),
                    ImportItem.rows.add(c.rows),
                    ImportItem.created.add(c.created),
                    ImportItem.updated.add(c.updated),
                    ImportItem.unchanged.add(c.unchanged),
                    ImportItem.rejected.add(c.rejected),
                    ImportItem.updated_at.set(at),
                ],
                condition=(ImportItem.next_row == job.next_row) & ImportItem.status.is_in(*_OPEN),
            )
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise StaleCheckpoint(job.id) from error
            raise
        job.next_row = done.next_row
        job.counts.add(c)

    def finish(self, job: ImportJob, status: ImportStatus, at: datetime, failure: str | None) -> None:
        _key(job).update(
            actions=[
                ImportItem.status.set(status.value),
                ImportItem.finished_at.set(at),
                ImportItem.updated_at.set(at),
                ImportItem.failure.set(failure) if failure else ImportItem.failure.remove(),
                ImportItem.rejected_ready.set(job.rejected_rows_ready),
            ],
        )
        job.status, job.finished_at, job.failure = status, at, failure

    def rejected(self, tenant: str, import_id: str, page: PageRequest) -> Page[RejectedRow]:
        plan = QueryPlan(ImportIssueItem, None, import_pk(tenant, import_id), SortRange(prefix=ISSUE_PREFIX))
        found = run_page(plan, tenant, page)
        rows = [
            RejectedRow(RowIssue(int(i.row), i.column, ErrorCode(i.code), i.message), json.loads(i.cells))
            for i in found.items
        ]
        return Page(rows, found.end_cursor, found.has_next_page, found.cursors)


if TYPE_CHECKING:
    _conforms: ImportJobStore = DynamoImportJobStore()
