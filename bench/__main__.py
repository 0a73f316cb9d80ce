"""Run every benchmark: `python -m bench [--debts 10000] [--runs 50]`."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cold_start import import_times, worker_import_times
from bench.events import run_event_benchmarks
from bench.ledger import run_ledger_benchmarks
from bench.queues import run_queue_benchmarks
from bench.reminders import run_dispatcher_benchmark, run_planner_benchmarks

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--debts", type=int, default=10_000, help="debts to seed (default 10000)")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of the nested query")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh interpreters per import timing")
    parser.add_argument("--event-debts", type=int, default=2000, help="debts whose events are published")
    parser.add_argument("--deliveries", type=int, default=200, help="webhook deliveries to a local receiver")
    parser.add_argument(
        "--planner-small", type=int, default=10_000, help="debts in the smaller planner table"
    )
    parser.add_argument(
        "--planner-large", type=int, default=100_000, help="debts in the larger planner table"
    )
    parser.add_argument("--messages", type=int, default=300, help="reminders through the dispatcher")
    parser.add_argument(
        "--only-reminders",
        action="store_true",
        help="re-run only the reminder benchmarks and update that section of latest.json",
    )
    parser.add_argument(
        "--only-queues",
        action="store_true",
        help="re-run only the work-queue benchmarks and update that section of latest.json",
    )
    parser.add_argument("--queue-debtors", type=int, default=5_000, help="debtors of the larger agent")
    args = parser.parse_args(argv)
    if args.only_queues:
        figures = json.loads((RESULTS / "latest.json").read_text())
        figures["queues"] = run_queue_benchmarks(large=args.queue_debtors)
        figures["queues_when"] = datetime.now(UTC).isoformat(timespec="seconds")
        (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")
        print(json.dumps(figures["queues"], indent=2))
        return 0
    if args.only_reminders:
        figures = json.loads((RESULTS / "latest.json").read_text())
        figures["reminders"] = _reminders(args)
        figures["reminders_when"] = datetime.now(UTC).isoformat(timespec="seconds")
        (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")
        print_table(figures)
        return 0

    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    figures.update(run_ledger_benchmarks(args.debts, args.runs))
    figures["events"] = run_event_benchmarks(args.event_debts, args.deliveries)
    figures["reminders"] = _reminders(args)
    figures["queues"] = run_queue_benchmarks(large=args.queue_debtors)
    figures["cold_start"] = import_times(args.import_runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")
    print_table(figures)
    print(f"\nwritten to {RESULTS / 'latest.json'}")
    return 0


def _reminders(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "planner": run_planner_benchmarks(args.planner_small, args.planner_large),
        "dispatcher": run_dispatcher_benchmark(args.messages),
        "worker_import_ms": worker_import_times(args.import_runs),
    }


def per_debt(run: dict[str, Any]) -> float:
    return float(run["items_read_per_due_debt"])


def print_table(f: dict[str, Any]) -> None:
    q, imp, cold, ev = f["nested_query"], f["import"], f["cold_start"], f["events"]
    rem = f["reminders"]
    plain, indexed, disp = (
        rem["planner"]["plain_moto"],
        rem["planner"]["partition_indexed_moto"],
        rem["dispatcher"],
    )
    pub = ev["publish"]
    rows = [
        ("seeded debts", f"{f['seeded_debts']}", ""),
        ("nested query: DynamoDB requests", f"{q['dynamodb_requests']}", "budget ≤ 3 (naive: 201)"),
        ("nested query: median / p95 ms", f"{q['median_ms']:.1f} / {q['p95_ms']:.1f}", f"{q['runs']} runs"),
        (
            "floor (repository + JSON): median / p95 ms",
            f"{q['floor_median_ms']:.1f} / {q['floor_p95_ms']:.1f}",
            "same data, same run",
        ),
        ("nested query / floor (median)", f"{q['ratio_to_floor']:.2f}×", "target ≤ 3×"),
        (
            "debtsImport 500 rows: requests per row",
            f"{imp['requests_per_row']:.3f}",
            f"floor {1 / 25:.3f} (batch of 25)",
        ),
        ("debtsImport 500 rows: rows/s", f"{imp['rows_per_second']:.0f}", f"{imp['seconds']:.2f} s"),
        ("re-run of the same 500 rows: writes", f"{imp['rerun_writes']}", "idempotent: 0"),
        (
            "outbox → EventBridge: events/s",
            f"{ev['publish']['events_per_second']:.0f}",
            f"{ev['publish']['events']} events, stream batches of 100",
        ),
        (
            "  AWS requests per event (DynamoDB + EventBridge)",
            f"{pub['dynamodb_requests_per_event']:.3f} + {pub['eventbridge_requests_per_event']:.3f}",
            "batch write of 25 + PutEvents of 10",
        ),
        (
            "webhook deliveries to a local receiver: per s",
            f"{ev['webhooks']['deliveries_per_second']:.0f}",
            f"{ev['webhooks']['deliveries']} signed POSTs",
        ),
        (
            "  DynamoDB requests per delivery",
            f"{ev['webhooks']['dynamodb_requests_per_delivery']:.1f}",
            "read delivery + subscription, lease, result",
        ),
        (
            "planner: items read per due debt (10k / 100k table)",
            f"{per_debt(indexed['small']):.3f} / {per_debt(indexed['large']):.3f}",
            f"{indexed['small']['due_debts']} due debts; target ≤ 1.2",
        ),
        (
            "planner cycle s, partition-indexed moto (10k / 100k)",
            f"{indexed['small']['seconds']:.2f} / {indexed['large']['seconds']:.2f}",
            f"ratio {indexed['time_ratio']:.2f}× (target ≤ 1.3)",
        ),
        (
            "planner cycle s, plain moto (10k / 100k)",
            f"{plain['small']['seconds']:.2f} / {plain['large']['seconds']:.2f}",
            f"ratio {plain['time_ratio']:.2f}× (moto walks the table per GSI query)",
        ),
        (
            "dispatcher: messages/s (EMAIL over SES)",
            f"{disp['messages_per_second']:.0f}",
            f"SES {disp['floor_ses_per_second']:.0f}/s; ratio {disp['ratio_to_floor']:.1f}× (target ≤ 2×)",
        ),
        ("  DynamoDB requests per message", f"{disp['dynamodb_requests_per_message']:.1f}", ""),
        *[
            (f"import {m} (median ms)", f"{ms:.0f}", "no Strawberry")
            for m, ms in rem["worker_import_ms"].items()
        ],
        ("import api.handler (median ms)", f"{cold['api_handler_ms']:.0f}", "python -X importtime"),
        ("import Starlette+Mangum hello (median ms)", f"{cold['hello_ms']:.0f}", "floor"),
        ("cold-start import ratio", f"{cold['ratio']:.2f}×", ""),
    ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")


if __name__ == "__main__":
    raise SystemExit(main())
