"""GraphQL for file imports: `importCreate` (a presigned upload), `import(id)`, `imports`."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain.imports import jobs as jb
from domain.imports.jobs import ImportJobs, ImportRequest
from domain.principal import Principal
from schema.common import (
    Connection,
    ErrorCodeEnum,
    UserError,
    configured,
    decode_one,
    encode_id,
    page_request,
    to_connection,
)
from schema.errors import attempt, query

ImportStatus = strawberry.enum(jb.ImportStatus, description="Where an import stands.")
ImportFormat = strawberry.enum(jb.FileFormat, description="The uploaded file's format.")


def _service(info: strawberry.Info) -> ImportJobs:
    service: ImportJobs | None = getattr(info.context, "imports", None)
    return configured(service, "file imports are")


@strawberry.type(description="Rows read and what became of them.")
class ImportCounts:
    rows: int = strawberry.field(description="Non-blank data rows processed so far.")
    created: int
    updated: int
    unchanged: int = strawberry.field(description="Rows identical to what is stored: nothing written.")
    rejected: int = strawberry.field(description="Rows not imported (see `errors`).")


@strawberry.type(description="Why a row of the file was not imported.")
class ImportIssue:
    row: int = strawberry.field(description="The row number in the file (the header is row 1).")
    column: str | None = strawberry.field(description="The file's column header at fault, if one.")
    code: ErrorCodeEnum  # type: ignore[valid-type]
    message: str


@strawberry.type(name="Import", description="A CSV or XLSX import of debtors and debts.")
class ImportNode:
    id: strawberry.ID
    portfolio_id: strawberry.ID
    format: ImportFormat  # type: ignore[valid-type]
    file_name: str | None
    status: ImportStatus  # type: ignore[valid-type]
    counts: ImportCounts
    parts: int = strawberry.field(description="Invocations that worked on the file (a big one is split).")
    failure: str | None = strawberry.field(description="Why the whole file failed (status FAILED).")
    created_by: str
    created_at: datetime
    finished_at: datetime | None
    _job: strawberry.Private[jb.ImportJob]

    @classmethod
    def of(cls, job: jb.ImportJob) -> ImportNode:
        c = job.counts
        return cls(
            id=encode_id("Import", job.id),
            portfolio_id=encode_id("Portfolio", job.portfolio_id),
            format=job.format,
            file_name=job.file_name,
            status=job.status,
            counts=ImportCounts(
                rows=c.rows, created=c.created, updated=c.updated, unchanged=c.unchanged, rejected=c.rejected
            ),
            parts=job.parts,
            failure=job.failure,
            created_by=job.created_by,
            created_at=job.created_at,
            finished_at=job.finished_at,
            _job=job,
        )

    @strawberry.field(description="Rejected rows' problems in file order (a row may have several).")
    def errors(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[ImportIssue]:
        me: Principal = info.context.principal
        page = query(lambda: _service(info).rejected(me, self._job.id, page_request(first, after)))
        return to_connection(
            page,
            lambda r: ImportIssue(
                row=r.issue.row, column=r.issue.column, code=r.issue.code, message=r.issue.message
            ),
        )

    @strawberry.field(
        description="A 15-minute download of the rejected rows as CSV (their cells and an error "
        "column), once the import is COMPLETED with rejections; null otherwise."
    )
    def rejected_rows_url(self, info: strawberry.Info) -> str | None:
        return query(lambda: _service(info).rejected_rows_url(info.context.principal, self._job))


@strawberry.input(description="Read a file column as an import field.")
class ColumnMappingInput:
    column: str = strawberry.field(description="The header as in the file (case and accents ignored).")
    field: str = strawberry.field(
        description="An import field (`dueDate`, `amount`, `debtorExternalId` …), or empty to ignore "
        "the column."
    )


@strawberry.input(description="Start an import; then PUT the file to `uploadUrl` with `uploadHeaders`.")
class ImportCreateInput:
    portfolio_id: strawberry.ID
    format: ImportFormat  # type: ignore[valid-type]
    file_size: int = strawberry.field(description="The file's exact size in bytes (at most 50 MB).")
    column_mapping: list[ColumnMappingInput] = strawberry.field(
        default_factory=list,
        description="Overrides of the default Spanish/English header names.",
    )
    decimal_separator: str | None = strawberry.field(
        default=None, description="`.` or `,`; by default the tenant's locale decides."
    )
    file_name: str | None = None


@strawberry.type(description="An HTTP header the upload must carry.")
class HttpHeader:
    name: str
    value: str


@strawberry.type
class ImportCreatePayload:
    import_: ImportNode | None = strawberry.field(name="import")
    upload_url: str | None = strawberry.field(description="Presigned PUT, valid 15 minutes.")
    upload_headers: list[HttpHeader]
    errors: list[UserError]


@strawberry.type
class ImportQueries:
    @strawberry.field(
        name="import", description="One import: status, counts, rejected rows (ADMIN, SUPERVISOR)."
    )
    def import_(self, info: strawberry.Info, id: strawberry.ID) -> ImportNode | None:
        def run() -> ImportNode | None:
            job = _service(info).get(info.context.principal, decode_one(id, "Import"))
            return ImportNode.of(job) if job else None

        return query(run)

    @strawberry.field(description="The tenant's imports, newest first (ADMIN, SUPERVISOR).")
    def imports(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[ImportNode]:
        page = query(lambda: _service(info).recent(info.context.principal, page_request(first, after)))
        return to_connection(page, ImportNode.of)


@strawberry.type
class ImportMutations:
    @strawberry.mutation(description="Register an import and get the URL to upload its file to.")
    def import_create(self, info: strawberry.Info, input: ImportCreateInput) -> ImportCreatePayload:
        def run() -> tuple[jb.ImportJob, str]:
            request = ImportRequest(
                portfolio_id=decode_one(input.portfolio_id, "Portfolio", "portfolioId"),
                format=jb.FileFormat(input.format),
                column_mapping={m.column: m.field for m in input.column_mapping},
                decimal_separator=input.decimal_separator,
                file_name=input.file_name,
                file_size=input.file_size,
            )
            return _service(info).create(info.context.principal, request)

        result, errors = attempt(run)
        if result is None:
            return ImportCreatePayload(import_=None, upload_url=None, upload_headers=[], errors=errors)
        job, url = result
        headers = [
            HttpHeader(name="Content-Type", value=jb.CONTENT_TYPES[job.format]),
            HttpHeader(name="Content-Length", value=str(input.file_size)),
        ]
        return ImportCreatePayload(
            import_=ImportNode.of(job), upload_url=url, upload_headers=headers, errors=[]
        )
