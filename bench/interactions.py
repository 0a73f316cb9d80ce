"""Interactions benchmark on in-process moto: `python -m bench.interactions [--interactions 500]`.

Per log: DynamoDB requests and time, first write and replay. Per timeline page: requests and time, for
a debtor with many interactions, payments and disputes, walking every page. Prints JSON; the figures
are moto's (in-process), useful for request counts and relative cost, not for DynamoDB latency.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.ledger import TABLE, TEMPLATE, Calls
from domain.clock import FixedClock
from domain.entities import ContactKind, PaymentMethod
from domain.ids import TimeOrderedIds
from domain.interactions.model import InteractionChannel, InteractionOutcome
from domain.interactions.service import InteractionDeps, Interactions
from domain.interactions.validation import InteractionInput
from domain.policy import PolicyBook
from domain.ports import PageRequest
from domain.principal import Principal, Role
from domain.services import Deps, Ledger
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.payments import PaymentInput
from domain.services.portfolios import PortfolioInput
from domain.services.tenants import TenantPatch

ADMIN = Principal(sub="bench", tenant="bench", role=Role.ADMIN)
AGENT = Principal(sub="agent", tenant="bench", role=Role.AGENT, agent_id="ag-1")


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
    }


def run(interactions: int, payments: int, page_size: int) -> dict[str, Any]:
    import boto3
    from moto import mock_aws

    from infra.dynamodb.interaction_repository import DynamoInteractionRepository
    from infra.dynamodb.message_repository import DynamoMessageRepository
    from infra.dynamodb.models import configure
    from infra.dynamodb.repository import DynamoLedgerRepository
    from infra.dynamodb.schema_from_template import create_table
    from infra.dynamodb.timeline_sources import default_sources

    with mock_aws():
        create_table(boto3.client("dynamodb", region_name="us-east-1"), TABLE, TEMPLATE)
        configure(table_name=TABLE, host=None, region="us-east-1")
        clock = FixedClock(datetime(2026, 3, 16, 22, 0, tzinfo=UTC))
        ledger = Ledger.build(Deps(DynamoLedgerRepository(), clock, TimeOrderedIds(clock)))
        book = PolicyBook()
        service = Interactions(
            InteractionDeps(
                ledger,
                DynamoInteractionRepository(),
                DynamoMessageRepository(),
                lambda t: book,
                sources=default_sources(),
            )  # fmt: skip
        )
        ledger.tenants.update(ADMIN, TenantPatch(name="Bench", country="PE"))
        pf = ledger.portfolios.create(ADMIN, PortfolioInput(name="P", currency="PEN"))
        debtor = ledger.debtors.create(
            ADMIN,
            DebtorInput(
                name="Bench Debtor",
                contacts=[ContactInput(ContactKind.PHONE, "987 654 321", consent=True)],
                assigned_agent_id="ag-1",
            ),
        )
        debts = [
            ledger.debts.create(
                ADMIN, DebtInput(debtor.id, pf.id, "1000.00", date(2026, 1, 1) + timedelta(n))
            )
            for n in range(5)
        ]
        for n in range(payments):
            clock.advance(timedelta(minutes=7))
            ledger.payments.record(
                ADMIN,
                PaymentInput(
                    amount=Decimal("1.00"),
                    currency="PEN",
                    method=PaymentMethod.CASH,
                    idempotency_key=f"p-{n}",
                    debtor_id=debtor.id,
                ),  # fmt: skip
            )
        log_times, log_requests, replay_times, replay_requests = [], [], [], []
        for n in range(interactions):
            clock.advance(timedelta(minutes=3))
            data = InteractionInput(
                debtor.id, InteractionChannel.CALL, InteractionOutcome.NO_ANSWER,
                clock.now() - timedelta(minutes=1), f"k-{n}",
            )  # fmt: skip
            with Calls() as calls:
                start = time.perf_counter()
                service.log(AGENT, data)
                log_times.append(time.perf_counter() - start)
            log_requests.append(len(calls.names))
            if n % 10 == 0:
                with Calls() as calls:
                    start = time.perf_counter()
                    assert service.log(AGENT, data).replayed
                    replay_times.append(time.perf_counter() - start)
                replay_requests.append(len(calls.names))
        ledger.debts.dispute_open(ADMIN, debtor.id, debts[0].id, "bench")
        page_times, page_requests, after, pages, entries = [], [], None, 0, 0
        while True:
            with Calls() as calls:
                start = time.perf_counter()
                page = service.timeline.page(AGENT, debtor, PageRequest(first=page_size, after=after))
                page_times.append(time.perf_counter() - start)
            page_requests.append(len(calls.names))
            pages, entries = pages + 1, entries + len(page.items)
            if not page.has_next_page:
                break
            after = page.end_cursor
        return {
            "interactions": interactions,
            "payments": payments,
            "log": {"requests": max(log_requests), **_ms(log_times)},
            "replay": {"requests": max(replay_requests), **_ms(replay_times)},
            "timeline": {
                "page_size": page_size,
                "pages": pages,
                "entries": entries,
                "max_requests_per_page": max(page_requests),
                "first_page_ms": round(page_times[0] * 1000, 2),
                **_ms(page_times),
            },
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.interactions")
    parser.add_argument("--interactions", type=int, default=500)
    parser.add_argument("--payments", type=int, default=100)
    parser.add_argument("--page", type=int, default=50)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.interactions, args.payments, args.page), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
