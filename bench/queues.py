"""Work-queue benchmarks: what `myQueue(first: 50)` costs for an agent with 500 and with 5,000 debtors.

Each size is seeded in a fresh in-process moto table (`infra.seed_queues`: assigned debtors, one open
debt each, their work items), with `bench.moto_gsi` so moto answers an index Query from the queried
partition as DynamoDB does. The read is the domain use case the resolver calls, with the contact-policy
call check on (a Monday 10:00 in Lima, so office hours allow calls and each entry's contact history is
read). Figures: DynamoDB requests per operation, items read, and the median wall time of `runs` reads.
A refresh (what every ledger commit, promise or interaction triggers per debtor) is measured too.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from typing import Any

from bench.reminders import ItemsRead, _aws, _engine

AGENT = "ag-bench"


def _workforce(now: datetime) -> Any:
    from domain.clock import FixedClock
    from domain.ids import TimeOrderedIds
    from domain.queues.callable import PolicyCallCheck
    from domain.workforce import Workforce, WorkforceDeps
    from infra.dynamodb.agent_repository import DynamoAgentRepository
    from infra.dynamodb.queue_repository import DynamoWorkStore
    from infra.dynamodb.repository import DynamoLedgerRepository

    clock = FixedClock(now)
    return Workforce.build(
        WorkforceDeps(
            ledger=DynamoLedgerRepository(),
            agents=DynamoAgentRepository(),
            work=DynamoWorkStore(),
            clock=clock,
            ids=TimeOrderedIds(clock),
            calls=PolicyCallCheck(_engine(now).deps),
        )
    )


def queue_read(debtors: int, runs: int) -> dict[str, Any]:
    from bench import moto_gsi
    from domain.ports import PageRequest
    from domain.principal import Principal, Role
    from infra.seed_queues import seed_queue_entries

    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday 10:00 in Lima
    agent = Principal(sub="bench", tenant="bench", role=Role.AGENT, agent_id=AGENT)
    with _aws():
        moto_gsi.install()
        seed_queue_entries("bench", AGENT, debtors, now)
        seed_queue_entries("bench", "ag-other", 200, now, prefix="o")
        workforce = _workforce(now)
        workforce.queues.my_queue(agent, PageRequest(50))  # warm the tenant's policy cache
        with ItemsRead() as reads:
            first = workforce.queues.my_queue(agent, PageRequest(50))
        with ItemsRead() as second_reads:
            second = workforce.queues.my_queue(agent, PageRequest(50, first.end_cursor))
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            workforce.queues.my_queue(agent, PageRequest(50))
            timings.append(time.perf_counter() - start)
        with ItemsRead() as refresh_reads:
            workforce.refresher.refresh("bench", first.items[0].debtor_id)
    overlap = {e.debtor_id for e in first.items} & {e.debtor_id for e in second.items}
    return {
        "debtors_of_agent": debtors,
        "entries": len(first.items),
        "requests": reads.requests,
        "requests_total": sum(reads.requests.values()),
        "items_read": reads.items,
        "second_page_requests_total": sum(second_reads.requests.values()),
        "pages_overlap": len(overlap),
        "median_ms": statistics.median(timings) * 1000,
        "refresh_requests": refresh_reads.requests,
    }


NOTE = (
    "requests and items read are the design's cost and do not grow with the agent's debtors; "
    "median_ms is moto's: in-process moto answers an index Query (the queue index, the due list) by "
    "walking the whole table, so its time grows with the table, unlike DynamoDB; the page's contact "
    "checks read the debtors' contact logs in one BatchGetItem"
)


def run_queue_benchmarks(small: int = 500, large: int = 5_000, runs: int = 5) -> dict[str, Any]:
    a, b = queue_read(small, runs), queue_read(large, runs)
    return {
        "my_queue_first_50": {"small": a, "large": b, "time_ratio": b["median_ms"] / a["median_ms"]},
        "note": NOTE,
    }
