"""`S3ImportFiles`: the import side of the files bucket (presigned URLs, reading, rejected rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.imports.jobs import FileFormat, RejectedRow, SourceTable
from infra.imports.readers import read_table, rejected_rows_csv

if TYPE_CHECKING:
    from domain.imports.jobs import ImportFiles

URL_SECONDS = 15 * 60


class S3ImportFiles:
    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket = s3, bucket

    def upload_url(self, key: str, content_type: str, size: int) -> str:
        params = {"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size}
        return str(self.s3.generate_presigned_url("put_object", Params=params, ExpiresIn=URL_SECONDS))

    def download_url(self, key: str) -> str:
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": 'attachment; filename="rejected-rows.csv"',
        }
        return str(self.s3.generate_presigned_url("get_object", Params=params, ExpiresIn=URL_SECONDS))

    def read_table(self, key: str, fmt: FileFormat) -> SourceTable:
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        table = read_table(body, fmt)
        return SourceTable(table.header, table.rows)

    def write_rejected(self, key: str, header: list[Any], rows: list[RejectedRow]) -> None:
        body = rejected_rows_csv(header, rows)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="text/csv; charset=utf-8")


if TYPE_CHECKING:
    _conforms: ImportFiles = S3ImportFiles(None, "")
