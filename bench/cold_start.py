"""Import time of the API's Lambda module in fresh interpreters, beside a bare Starlette + Mangum app."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cumulative_us(module: str) -> int:
    """`python -X importtime -c 'import module'`: the module's cumulative import time, in µs."""
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    total = 0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, cumulative, name = line[len("import time:") :].split("|", 2)
        # Top-level entries (one space after the bar, no nesting indent) add up to the whole import.
        if self_us.strip().isdigit() and not name[1:].startswith(" "):
            total += int(cumulative)
    return total


def import_times(runs: int) -> dict[str, float]:
    _cumulative_us("api.handler")  # warm the bytecode cache so both sides start alike
    _cumulative_us("bench.hello_lambda")
    api = statistics.median(_cumulative_us("api.handler") for _ in range(runs)) / 1000
    hello = statistics.median(_cumulative_us("bench.hello_lambda") for _ in range(runs)) / 1000
    return {"api_handler_ms": api, "hello_ms": hello, "ratio": api / hello, "runs": runs}


WORKERS = ("functions.planner", "functions.dispatcher", "functions.delivery_feedback")


def worker_import_times(runs: int) -> dict[str, float]:
    """Import time of each reminder worker Lambda module (they import no Strawberry or Starlette)."""
    out: dict[str, float] = {}
    for module in WORKERS:
        _cumulative_us(module)
        out[module] = statistics.median(_cumulative_us(module) for _ in range(runs)) / 1000
    return out
