"""The delivery queue on SQS: one message per due attempt, delayed up to SQS's 15-minute maximum."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from domain.clock import Clock

MAX_DELAY_SECONDS = 900


class SqsDeliveryQueue:
    """Longer waits (the retry schedule reaches 14 hours) hop through the queue: a message that
    arrives early is re-queued by the worker until the delivery is due."""

    def __init__(self, client: Any, queue_url: str, clock: Clock) -> None:
        self.client, self.queue_url, self.clock = client, queue_url, clock

    def enqueue(self, tenant: str, subscription_id: str, delivery_id: str, not_before: datetime) -> None:
        wait = (not_before - self.clock.now()).total_seconds()
        self.client.send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(
                {"tenant": tenant, "subscriptionId": subscription_id, "deliveryId": delivery_id}
            ),
            DelaySeconds=int(min(MAX_DELAY_SECONDS, max(0, wait))),
        )


def parse_job(body: str) -> tuple[str, str, str]:
    job = json.loads(body)
    return str(job["tenant"]), str(job["subscriptionId"]), str(job["deliveryId"])
