"""Worker Lambdas stay lean: importing them pulls in no Strawberry (nor Starlette)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKERS = [
    "functions.planner",
    "functions.dispatcher",
    "functions.delivery_feedback",
    "functions.overdue_notices",
    "functions.promise_sweeper",
    "functions.plan_sweeper",
    "functions.queue_rescore",
    "functions.daily_digest",
    "functions.payment_attribution",
    "functions.import_processor",
    "functions.ledger_snapshot",
    "functions.outbox_publisher",
]


@pytest.mark.parametrize("module", WORKERS)
def test_worker_module_imports_no_graphql_or_http_framework(module: str) -> None:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    env.pop("RECAUDO_AWS_ENDPOINT", None)
    code = (
        f"import sys, json, {module}\n"
        "print(json.dumps(sorted(m for m in ('strawberry', 'starlette', 'graphql') if m in sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
