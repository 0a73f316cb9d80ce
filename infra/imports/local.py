"""The local stack's stand-in for the S3 → import processor trigger.

The embedded moto does not invoke Lambdas on S3 events, but it does deliver bucket notifications to
SQS: uploads under `imports/` notify the queue `recaudo-import-uploads`, and a pump hands each
notification (and each continuation message) to the same use case the processor runs.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from infra.files import ensure_files_bucket
from infra.imports.events import import_refs

UPLOADS_QUEUE = "recaudo-import-uploads"
CONTINUE_QUEUE = "recaudo-import-continue"
log = logging.getLogger("recaudo.imports")


def ensure_import_plumbing(s3: Any, sqs: Any) -> str:
    """The files bucket, the uploads and continuation queues, and the bucket's notification."""
    bucket = ensure_files_bucket(s3)
    os.environ["RECAUDO_FILES_BUCKET"] = bucket
    uploads = sqs.create_queue(QueueName=UPLOADS_QUEUE)["QueueUrl"]
    os.environ["RECAUDO_IMPORT_QUEUE_URL"] = sqs.create_queue(QueueName=CONTINUE_QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=uploads, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "imports/"}]}},
                }
            ]
        },
    )
    return str(uploads)


def handle_message(body: str, jobs: Any) -> None:
    """An S3 notification or a continuation: process each import it names (no time limit here)."""
    message = json.loads(body)
    if "tenant" in message:
        refs = [(str(message["tenant"]), str(message["importId"]))]
    else:
        refs = import_refs(message)  # an S3 notification (or its test event, which names nothing)
    for tenant, import_id in refs:
        job = jobs.process(tenant, import_id)
        log.info("import %s: %s, %s rows", import_id, job.status.value, job.counts.rows)


def start_import_worker(sqs: Any, uploads_url: str, jobs: Any) -> None:
    from infra.queue_pump import QueuePump

    QueuePump(sqs, uploads_url, lambda body: handle_message(body, jobs), "import-uploads").start()
    continuation = os.environ["RECAUDO_IMPORT_QUEUE_URL"]
    QueuePump(sqs, continuation, lambda body: handle_message(body, jobs), "import-continue").start()
