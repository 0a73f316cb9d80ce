"""`SqsJobQueue`: the planner's send jobs on the dispatcher's SQS queue (batches of 10)."""

from __future__ import annotations

import json
from typing import Any

from domain.campaigns.ports import SendJob

MAX_DELAY = 900
"""SQS caps a message's delay at 15 minutes; longer waits hop (the dispatcher re-enqueues)."""


class SqsJobQueue:
    def __init__(self, client: Any, queue_url: str) -> None:
        self.client, self.queue_url = client, queue_url

    def enqueue(self, jobs: list[SendJob], delay_seconds: int = 0) -> None:
        delay = max(0, min(MAX_DELAY, int(delay_seconds)))
        for start in range(0, len(jobs), 10):
            batch = jobs[start : start + 10]
            entries = [
                {"Id": str(i), "MessageBody": json.dumps(job.to_json()), "DelaySeconds": delay}
                for i, job in enumerate(batch)
            ]
            failed = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries).get(
                "Failed", []
            )
            if failed:  # retried once; a second failure surfaces (the planner's cycle fails and re-runs)
                retry = [e for e in entries if e["Id"] in {f["Id"] for f in failed}]
                again = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=retry).get(
                    "Failed", []
                )
                if again:
                    raise RuntimeError(f"could not enqueue {len(again)} reminder jobs: {again[0]}")
