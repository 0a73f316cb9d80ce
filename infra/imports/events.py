"""Which imports an invocation is about: S3 object-created records or continuation messages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_plus

_SOURCE_KEY = re.compile(r"^imports/([a-z0-9-]{1,40})/([A-Za-z0-9_-]{1,64})/source\.(csv|xlsx)$")


def import_refs(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(tenant, import id) pairs; other objects under `imports/` (rejected-row CSVs) are ignored."""
    refs: list[tuple[str, str]] = []
    for record in event.get("Records", []):
        if "s3" in record:
            key = unquote_plus(record["s3"]["object"]["key"])
            if m := _SOURCE_KEY.match(key):
                refs.append((m[1], m[2]))
        elif "body" in record:
            body = json.loads(record["body"])
            refs.append((str(body["tenant"]), str(body["importId"])))
    return refs


class SqsImportContinuation:
    """Asks for another invocation to go on from the checkpoint (the processor's own queue)."""

    def __init__(self, sqs: Any, queue_url: str) -> None:
        self.sqs, self.queue_url = sqs, queue_url

    def continue_later(self, tenant: str, import_id: str) -> None:
        body = json.dumps({"tenant": tenant, "importId": import_id})
        self.sqs.send_message(QueueUrl=self.queue_url, MessageBody=body)
