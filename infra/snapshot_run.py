"""Running the nightly summary snapshot outside Lambda: once (`recaudo snapshot`) or on a timer in
`make dev` (moto never fires EventBridge schedules)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import Any

from domain.clock import Clock, FixedClock

SNAPSHOT_INTERVAL = 3600.0
"""Seconds between runs, as the hourly schedule on AWS (each tenant is taken once a local day)."""

_log = logging.getLogger("recaudo.snapshot")


def run_snapshots(
    at: datetime | None = None, replace: bool = False, clock: Clock | None = None
) -> dict[str, Any]:
    """One run over every tenant, at `at` (default: now); `replace` retakes a day already taken."""
    from infra.container import build_ledger_snapshots

    snapshots = build_ledger_snapshots(FixedClock(at) if at else clock)
    run = snapshots.run(replace=replace)
    return {
        "taken": run.taken,
        "repaired": [{"scope": d.scope, "currency": d.currency} for d in run.repaired],
        "skippedRepairs": run.skipped_repairs,
        "failed": {tenant: repr(error) for tenant, error in run.failed.items()},
    }


def start_snapshot_timer(clock: Clock | None = None, interval: float = SNAPSHOT_INTERVAL) -> threading.Event:
    """Run the snapshot now and then every `interval` seconds in a daemon thread; set the returned
    event to stop it."""
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                _log.info("summary snapshots: %s", run_snapshots(clock=clock))
            except Exception:  # the dev server keeps serving; the next run tries again
                _log.exception("summary snapshots failed")
            if stop.wait(interval):
                return

    threading.Thread(target=run, name="recaudo-snapshot-timer", daemon=True).start()
    return stop
