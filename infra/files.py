"""The files bucket (S3): exports under `exports/<tenant>/`, imports under their own prefix."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_FILES_BUCKET = "recaudo-files"


def files_bucket_name() -> str:
    """The bucket named by RECAUDO_FILES_BUCKET (template.yaml's `FilesBucket`)."""
    return os.environ.get("RECAUDO_FILES_BUCKET") or DEFAULT_FILES_BUCKET


def ensure_files_bucket(s3: Any) -> str:
    """Create the files bucket when it does not exist (local stack and tests); returns its name."""
    name = files_bucket_name()
    try:
        s3.head_bucket(Bucket=name)
    except s3.exceptions.ClientError:
        region = s3.meta.region_name
        if region and region != "us-east-1":
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        else:
            s3.create_bucket(Bucket=name)
    return name
