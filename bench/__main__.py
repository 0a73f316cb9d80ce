"""Run every benchmark: `python -m bench [--debts 10000] [--runs 50]`."""

from __future__ import annotations

import argparse
import json
import platform
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.cold_start import import_times, worker_import_times
from bench.events import run_event_benchmarks
from bench.exports import print_exports, run_export_benchmarks
from bench.imports import run_import_benchmarks
from bench.ledger import run_ledger_benchmarks
from bench.queues import run_queue_benchmarks
from bench.reminders import run_dispatcher_benchmark, run_planner_benchmarks
from bench.summaries import run_summary_benchmarks

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
    parser.add_argument("--import-rows", type=int, default=100_000, help="rows of the generated import file")
    parser.add_argument("--queue-debtors", type=int, default=5_000, help="debtors of the larger agent")
    parser.add_argument(
        "--summary-large", type=int, default=2000, help="debts in the large dashboard portfolio"
    )
    parser.add_argument("--export-sizes", default="5000,20000", help="rows for the export writers")
    parser.add_argument("--export-moto-sizes", default="5000,20000", help="rows for whole exports on moto")
    for name in ONLY:
        parser.add_argument(
            f"--only-{name}",
            action="store_true",
            help=f"re-run only the {name} benchmarks and update that section of latest.json",
        )
    args = parser.parse_args(argv)
    chosen = [name for name in ONLY if getattr(args, f"only_{name}")]
    if chosen:
        path = RESULTS / "latest.json"
        figures = json.loads(path.read_text()) if path.exists() else {}
        for name in chosen:
            section, run = ONLY[name]
            figures[section] = run(args)
            figures[f"{section}_when"] = datetime.now(UTC).isoformat(timespec="seconds")
        RESULTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(figures, indent=2) + "\n")
        if "exports" in chosen:
            print_exports(figures["exports"])
        print_table(figures)
        return 0

    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    figures.update(run_ledger_benchmarks(args.debts, args.runs))
    figures["events"] = run_event_benchmarks(args.event_debts, args.deliveries)
    for section, run in ONLY.values():
        figures[section] = run(args)
    figures["cold_start"] = import_times(args.import_runs)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(figures, indent=2) + "\n")
    print_table(figures)
    print(f"\nwritten to {RESULTS / 'latest.json'}")
    return 0


def _exports(args: argparse.Namespace) -> dict[str, Any]:
    def pair(text: str) -> tuple[int, int]:
        small, large = (int(x) for x in text.split(","))
        return small, large

    return run_export_benchmarks(pair(args.export_sizes), pair(args.export_moto_sizes))


def _reminders(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "planner": run_planner_benchmarks(args.planner_small, args.planner_large),
        "dispatcher": run_dispatcher_benchmark(args.messages),
        "worker_import_ms": worker_import_times(args.import_runs),
    }


ONLY: dict[str, tuple[str, Callable[[argparse.Namespace], dict[str, Any]]]] = {
    "reminders": ("reminders", _reminders),
    "exports": ("exports", _exports),
    "imports": ("file_import", lambda args: run_import_benchmarks(args.import_rows)),
    "summaries": ("summaries", lambda args: run_summary_benchmarks(large=args.summary_large, runs=5)),
    "queues": ("queues", lambda args: run_queue_benchmarks(large=args.queue_debtors)),
}
"""`--only-<name>` → (section of latest.json, how to run it); the full run runs them all too."""


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
        *[
            (
                f"planner s over its floor, {name} (10k / 100k)",
                f"{run['small']['over_floor']:.2f} / {run['large']['over_floor']:.2f}",
                f"ratio {run['over_floor_ratio']:.2f}× (raw {run['time_ratio']:.2f}×, floor "
                f"{run['floor_ratio']:.2f}×; CPU: raw {run['cpu_time_ratio']:.2f}×, "
                f"over floor {run['cpu_over_floor_ratio']:.2f}×)",
            )
            for name, run in (("plain moto", plain), ("indexed moto", indexed))
        ],
        *[
            row
            for name, d in (
                ("plain moto", disp["plain_moto"]),
                ("indexed moto", disp["partition_indexed_moto"]),
                ("indexed fast moto", disp.get("partition_indexed_fast_moto")),
            )
            if d is not None
            for row in (
                (
                    f"dispatcher: messages/s (EMAIL over SES), {name}",
                    f"{d['messages_per_second']:.0f}",
                    f"SES {d['floor_ses_per_second']:.0f}/s; ratio {d['ratio_to_floor']:.1f}× "
                    f"(CPU {d['cpu_ratio_to_floor']:.1f}×; target ≤ 2×)",
                ),
                (
                    "  DynamoDB requests per message",
                    f"{d['dynamodb_requests_per_message']:.2f}",
                    f"batches of {d['batch']}",
                ),
            )
        ],
        *[
            (f"import {m} (median ms)", f"{ms:.0f}", "no Strawberry")
            for m, ms in rem["worker_import_ms"].items()
        ],
        ("import api.handler (median ms)", f"{cold['api_handler_ms']:.0f}", "python -X importtime"),
        ("import Starlette+Mangum hello (median ms)", f"{cold['hello_ms']:.0f}", "floor"),
        ("cold-start import ratio", f"{cold['ratio']:.2f}×", ""),
    ]
    rows += _file_import_rows(f.get("file_import"))
    if "summaries" in f:
        sm = f["summaries"]
        rows += [
            (
                f"portfolio.summary requests: {sm['small']['debts']} / {sm['large']['debts']} debts",
                f"{sm['small']['dynamodb_requests']} / {sm['large']['dynamodb_requests']}",
                "constant",
            ),
            ("nightly snapshot: debts per second", f"{sm['snapshot_debts_per_second']}", "on moto"),
        ]
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>14}  {note}")
    if "exports" in f:
        print_exports(f["exports"])


def _file_import_rows(fi: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    if not fi:
        return []
    first, again, fixed = fi["first_import"], fi["reimport_same_file"], fi["corrected_file_1pct"]
    return [
        (
            f"file import {fi['rows']} rows: rows/s",
            f"{first['rows_per_second']:.0f}",
            f"{first['seconds']:.0f} s, moto",
        ),
        (
            "  DynamoDB requests per row (first import)",
            f"{first['requests_per_row']:.3f}",
            f"{first['items_written_per_row']:.1f} items written per row; floor 1/25 per item",
        ),
        (
            "  re-import of the same file: requests per row",
            f"{again['requests_per_row']:.3f}",
            f"items written {again['items_written_per_row']:.0f}; {again['rows_per_second']:.0f} rows/s",
        ),
        (
            "  1% corrected: updated / requests per row",
            f"{fixed['updated']} / {fixed['requests_per_row']:.3f}",
            f"{fixed['rows_per_second']:.0f} rows/s",
        ),
        ("  parse + validate only: rows/s", f"{fi['parse_floor']['rows_per_second']:.0f}", "CPU floor"),
    ]


if __name__ == "__main__":
    raise SystemExit(main())
