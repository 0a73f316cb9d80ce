"""The files bucket (FilesBucket in template.yaml): imports under `imports/`, exports under `exports/`."""

from __future__ import annotations

import os
from typing import Any

DEFAULT_BUCKET = "recaudo-files"


def files_bucket_name() -> str:
    """The bucket named by RECAUDO_FILES_BUCKET (the stack sets it; locally the default)."""
    return os.environ.get("RECAUDO_FILES_BUCKET") or DEFAULT_BUCKET


def ensure_files_bucket(s3: Any) -> str:
    """Create the bucket if it is missing (local stack and tests; the stack owns it in AWS)."""
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
