"""Imports as jobs: a frontend asks for an upload URL, a worker processes the file in parts.

`importCreate` stores a PENDING job and returns a presigned upload URL for
`imports/<tenant>/<importId>/source.<ext>`; the storage event starts `process`, which runs the file
from the job's checkpoint (`next_row`) and, when its time runs short, saves the checkpoint and asks
for a continuation. Each chunk's rejected rows and counts are saved before the checkpoint moves,
with the checkpoint as the condition, so a replayed or duplicated invocation counts nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.errors import DomainError, ErrorCode, NotFound
from domain.imports.columns import parse_field
from domain.imports.rows import RowIssue
from domain.imports.runner import ChunkDone, DebtChangeSink, FileImport, ImportCounts, ImportOptions
from domain.ports import Page, PageRequest
from domain.principal import Action, Principal, Role
from domain.services.base import Deps, UseCase

MAX_FILE_BYTES = 50 * 1024 * 1024
"""About 300,000 CSV rows; the upload URL refuses a larger body."""


class ImportStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class FileFormat(StrEnum):
    CSV = "CSV"
    XLSX = "XLSX"


@dataclass
class ImportJob:
    tenant: str
    id: str
    portfolio_id: str
    format: FileFormat
    created_by: str
    created_role: Role
    created_at: datetime
    column_mapping: dict[str, str] = field(default_factory=dict)
    decimal_separator: str | None = None
    file_name: str | None = None
    status: ImportStatus = ImportStatus.PENDING
    counts: ImportCounts = field(default_factory=ImportCounts)
    next_row: int = 2
    """The checkpoint: the first file row not yet processed (the header is row 1)."""
    parts: int = 0
    """How many invocations worked on the file (more than one when it was split)."""
    failure: str | None = None
    updated_at: datetime | None = None
    finished_at: datetime | None = None
    rejected_rows_ready: bool = False

    @property
    def source_key(self) -> str:
        return f"imports/{self.tenant}/{self.id}/source.{self.format.value.lower()}"

    @property
    def rejected_key(self) -> str:
        return f"imports/{self.tenant}/{self.id}/rejected.csv"


@dataclass(frozen=True)
class RejectedRow:
    issue: RowIssue
    cells: list[Any]


@dataclass
class SourceTable:
    header: list[Any]
    rows: Any
    """An iterable of (row number, cells)."""


class ImportJobStore(Protocol):
    def create(self, job: ImportJob) -> None: ...

    def get(self, tenant: str, import_id: str) -> ImportJob | None: ...

    def recent(self, tenant: str, page: PageRequest) -> Page[ImportJob]: ...

    def start(self, job: ImportJob, at: datetime) -> bool:
        """PENDING/PROCESSING → PROCESSING, one more part; False if the job is already finished."""
        ...

    def save_chunk(self, job: ImportJob, done: ChunkDone, at: datetime) -> None:
        """Store the chunk's rejected rows, then move counts and checkpoint on from `job.next_row`
        (conditional: raises StaleCheckpoint when another invocation moved it first)."""
        ...

    def finish(self, job: ImportJob, status: ImportStatus, at: datetime, failure: str | None) -> None: ...

    def rejected(self, tenant: str, import_id: str, page: PageRequest) -> Page[RejectedRow]: ...


class ImportFiles(Protocol):
    """The files bucket, as imports use it."""

    def upload_url(self, key: str, content_type: str, size: int) -> str:
        """A presigned PUT that signs the content type and the exact length (so S3 refuses any
        other body), valid for 15 minutes."""
        ...

    def download_url(self, key: str) -> str: ...

    def read_table(self, key: str, fmt: FileFormat) -> SourceTable: ...

    def write_rejected(self, key: str, header: list[Any], rows: list[RejectedRow]) -> None: ...


class StaleCheckpoint(Exception):
    """Another invocation moved the job's checkpoint: this one stops without counting anything."""


@dataclass(frozen=True)
class ImportRequest:
    portfolio_id: str
    format: FileFormat
    column_mapping: dict[str, str] = field(default_factory=dict)
    decimal_separator: str | None = None
    file_name: str | None = None
    file_size: int = 0


class ImportJobs(UseCase):
    """Create, read and process file imports (the GraphQL flow and the S3-triggered worker)."""

    def __init__(self, deps: Deps, store: ImportJobStore, files: ImportFiles) -> None:
        super().__init__(deps)
        self.store, self.files = store, files

    def create(self, principal: Principal, request: ImportRequest) -> tuple[ImportJob, str]:
        """A PENDING job and the presigned URL to PUT the file to (with its content type and size)."""
        principal.require(Action.DEBT_IMPORT)
        if not 0 < request.file_size <= MAX_FILE_BYTES:
            raise DomainError(
                ErrorCode.INVALID, f"fileSize is between 1 and {MAX_FILE_BYTES} bytes", "fileSize"
            )
        self.settings(principal)
        if self.repo.get_portfolio(principal.tenant, request.portfolio_id) is None:
            raise DomainError(ErrorCode.NOT_FOUND, "portfolio not found", "portfolioId")
        for target in request.column_mapping.values():
            if target.strip():
                parse_field(target)
        if request.decimal_separator not in (None, ".", ","):
            raise DomainError(ErrorCode.INVALID, "decimalSeparator is '.' or ','", "decimalSeparator")
        job = ImportJob(
            tenant=principal.tenant,
            id=self.deps.ids.new_id(),
            portfolio_id=request.portfolio_id,
            format=request.format,
            created_by=principal.sub,
            created_role=principal.role,
            created_at=self.now(),
            column_mapping=dict(request.column_mapping),
            decimal_separator=request.decimal_separator,
            file_name=(request.file_name or "").strip()[:200] or None,
            updated_at=self.now(),
        )
        self.store.create(job)
        upload = self.files.upload_url(job.source_key, CONTENT_TYPES[job.format], request.file_size)
        return job, upload

    def get(self, principal: Principal, import_id: str) -> ImportJob | None:
        principal.require(Action.DEBT_IMPORT)
        return self.store.get(principal.tenant, import_id)

    def recent(self, principal: Principal, page: PageRequest) -> Page[ImportJob]:
        """The tenant's imports, newest first."""
        principal.require(Action.DEBT_IMPORT)
        return self.store.recent(principal.tenant, page)

    def rejected(self, principal: Principal, import_id: str, page: PageRequest) -> Page[RejectedRow]:
        principal.require(Action.DEBT_IMPORT)
        return self.store.rejected(principal.tenant, import_id, page)

    def rejected_rows_url(self, principal: Principal, job: ImportJob) -> str | None:
        principal.require(Action.DEBT_IMPORT)
        return self.files.download_url(job.rejected_key) if job.rejected_rows_ready else None

    def process(
        self,
        tenant: str,
        import_id: str,
        *,
        time_left: Callable[[], bool] = lambda: True,
        sink: DebtChangeSink | None = None,
    ) -> ImportJob:
        """Work on the file from its checkpoint while `time_left()`; the caller continues an
        unfinished job (status PROCESSING) later. A finished job is returned as it is."""
        job = self.store.get(tenant, import_id)
        if job is None:
            raise NotFound("import")
        if not self.store.start(job, self.now()):
            return job
        principal = Principal(sub=job.created_by, tenant=tenant, role=job.created_role)
        options = ImportOptions(job.portfolio_id, job.column_mapping, job.decimal_separator)
        try:
            table = self.files.read_table(job.source_key, job.format)
            outcome = FileImport(self.deps).run(
                principal,
                options,
                table.header,
                table.rows,
                start_row=job.next_row,
                on_chunk=lambda done: self.store.save_chunk(job, done, self.now()),
                should_stop=lambda: not time_left(),
                sink=sink,
            )
        except StaleCheckpoint:
            return job
        except DomainError as error:
            message = "; ".join(e.message for e in error.errors)
            self.store.finish(job, ImportStatus.FAILED, self.now(), message)
            return job
        if not outcome.finished:
            return job
        rejected = self._all_rejected(tenant, import_id)
        if rejected:
            self.files.write_rejected(job.rejected_key, table.header, rejected)
            job.rejected_rows_ready = True
        self.store.finish(job, ImportStatus.COMPLETED, self.now(), None)
        return job

    def _all_rejected(self, tenant: str, import_id: str) -> list[RejectedRow]:
        rows: list[RejectedRow] = []
        page = PageRequest(first=1000)
        while True:
            found = self.store.rejected(tenant, import_id, page)
            rows.extend(found.items)
            if not found.has_next_page or found.end_cursor is None:
                return rows
            page = PageRequest(first=1000, after=found.end_cursor)


CONTENT_TYPES = {
    FileFormat.CSV: "text/csv",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
