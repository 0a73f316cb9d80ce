"""The local stand-in for Lambda's SQS trigger: polls a queue and hands each body to a function."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger("recaudo.queue")


class QueuePump:
    def __init__(self, sqs: Any, queue_url: str, handle: Callable[[str], object], name: str) -> None:
        self.sqs, self.queue_url, self.handle, self.name = sqs, queue_url, handle, name
        self._stop = threading.Event()

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Handle what is visible now; a failed message stays and comes back after its visibility timeout."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=30,
        ).get("Messages", [])
        handled = 0
        for message in messages:
            try:
                self.handle(message["Body"])
            except Exception:
                log.exception("%s: message failed; it will be retried", self.name)
                continue
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
            handled += 1
        return handled

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                if not self.poll_once(wait_seconds=1):
                    self._stop.wait(0.5)
            except Exception:
                log.exception("%s: poll failed", self.name)
                self._stop.wait(2)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name=f"recaudo-{self.name}", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
