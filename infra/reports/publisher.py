"""`S3ReportPublisher`: write the report to a temporary file, upload it with boto3's managed (multipart
above 8 MB) transfer, and return a presigned GET that downloads it under a friendly file name."""

from __future__ import annotations

import os
import tempfile
from typing import Any

from boto3.s3.transfer import TransferConfig

from domain.reports.model import PublishedFile, Report, ReportFormat

CONTENT_TYPES = {
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.CSV: "text/csv; charset=utf-8",
}
_TRANSFER = TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)


def write_report(report: Report, fmt: ReportFormat, path: str) -> int:
    """Write `report` in `fmt` to `path` (streaming); returns the number of data rows."""
    # Imported on first use: openpyxl costs the API Lambda's cold start ~100 ms otherwise.
    if fmt is ReportFormat.XLSX:
        from infra.reports.xlsx import write_xlsx

        return write_xlsx(report, path)
    from infra.reports.delimited import write_csv

    return write_csv(report, path)


class S3ReportPublisher:
    """`s3` is a client, or a function making one on first use (the API's cold start skips it)."""

    def __init__(self, s3: Any, bucket: str, tmp_dir: str | None = None) -> None:
        self._s3, self.bucket, self.tmp_dir = s3, bucket, tmp_dir

    @property
    def s3(self) -> Any:
        if callable(self._s3):
            self._s3 = self._s3()
        return self._s3

    def publish(
        self, report: Report, fmt: ReportFormat, key: str, filename: str, expires_in: int
    ) -> PublishedFile:
        fd, path = tempfile.mkstemp(suffix=f".{fmt.extension}", dir=self.tmp_dir)
        os.close(fd)
        try:
            rows = write_report(report, fmt, path)
            size = os.path.getsize(path)
            self.s3.upload_file(
                path,
                self.bucket,
                key,
                ExtraArgs={
                    "ContentType": CONTENT_TYPES[fmt],
                    "ContentDisposition": f'attachment; filename="{filename}"',
                },
                Config=_TRANSFER,
            )
        finally:
            os.unlink(path)
        url = self.s3.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": CONTENT_TYPES[fmt],
            },
            ExpiresIn=expires_in,
        )
        return PublishedFile(url=url, rows=rows, size=size)


class LocalReportPublisher:
    """Writes the file to a local path (the CLI's `--out`); the URL is a file:// URL."""

    def __init__(self, path: str) -> None:
        self.path = path

    def publish(
        self, report: Report, fmt: ReportFormat, key: str, filename: str, expires_in: int
    ) -> PublishedFile:
        partial = f"{self.path}.part"
        try:
            rows = write_report(report, fmt, partial)
            os.replace(partial, self.path)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        return PublishedFile(
            url=f"file://{os.path.abspath(self.path)}", rows=rows, size=os.path.getsize(self.path)
        )
