"""The local stand-in for Lambda's DynamoDB Stream trigger: polls the table's stream and relays.

moto keeps the table's stream but invokes nothing, so `recaudo dev` runs this pump in a thread; it
feeds the same `events_from_stream` + `OutboxRelay` path the Lambda function uses.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from domain.services.outbox import OutboxRelay
from infra.dynamodb.outbox import events_from_stream

log = logging.getLogger("recaudo.stream")


class StreamPump:
    def __init__(self, streams: Any, stream_arn: str, relay: OutboxRelay, interval: float = 1.0) -> None:
        self.streams, self.stream_arn, self.relay, self.interval = streams, stream_arn, relay, interval
        self._iterators: dict[str, str] = {}
        self._stop = threading.Event()
        self.published = 0

    def poll_once(self) -> int:
        """Read every shard from where the last poll stopped; relay what is new. Returns events relayed."""
        relayed = 0
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            shard_id = shard["ShardId"]
            iterator = (
                self._iterators.get(shard_id)
                or self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            )
            response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            streamed = events_from_stream(response.get("Records", []))
            result = self.relay.relay([s.event for s in streamed])
            if result.failed:
                log.warning("events not published, retrying next poll: %s", result.failed)
                continue  # keep the old iterator: the batch is read again
            relayed += len(result.published)
            self._iterators[shard_id] = response.get("NextShardIterator") or iterator
        self.published += relayed
        return relayed

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll_once()
            except Exception:  # the dev server keeps serving; the next poll tries again
                log.exception("stream poll failed")

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="recaudo-stream-pump", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
