"""The `recaudo` command: run the whole stack on one machine, issue dev tokens, export the SDL.

Heavy imports (moto, boto3, strawberry, uvicorn) live inside the subcommands so `recaudo token` is fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.services import Ledger

ROLES = ("ADMIN", "SUPERVISOR", "AGENT", "PARTNER")
DEMO_TENANT = "demo"
DEMO_AGENT = "ag-lucia"
PORTFOLIOS_QUERY = "{ portfolios { edges { node { id name currency } } } }"


def _fail(message: str, code: int = 1) -> int:
    print(f"recaudo: {message}", file=sys.stderr)
    return code


def _running_stack(hint: str = " (is `make dev` running?)") -> str | None:
    """The local AWS endpoint (started, or the one in RECAUDO_AWS_ENDPOINT) with the table in place;
    None after saying why not."""
    from infra.local import LocalAwsError, bootstrap, start_local_aws

    try:
        endpoint = start_local_aws()
        bootstrap(endpoint, os.environ.get("RECAUDO_TABLE", "recaudo"))
    except LocalAwsError as err:
        _fail(f"{err}{hint}")
        return None
    return endpoint


def _banner(host: str, port: int, admin_token: str, agent_token: str, seeded: str | None) -> str:
    base = f"http://{host}:{port}"
    body = '{"query": "' + PORTFOLIOS_QUERY + '"}'
    lines = [
        "",
        "Recaudo is running on the embedded AWS (moto).",
        f"  GraphiQL  {base}/graphql   (opens with the ADMIN token below)",
        f"  health    {base}/healthz",
        f"  AWS       {os.environ.get('RECAUDO_AWS_ENDPOINT', '')} (table {os.environ.get('RECAUDO_TABLE')})",
        f"  data      {seeded}" if seeded else "  data      not seeded (--no-seed)",
        "",
        f"ADMIN token (tenant {DEMO_TENANT}, 8 h):",
        f"  {admin_token}",
        f"AGENT token (tenant {DEMO_TENANT}, agent {DEMO_AGENT}):",
        f"  {agent_token}",
        "",
        "Try it:",
        f"  curl -s {base}/graphql \\",
        f"    -H 'Authorization: Bearer {admin_token}' \\",
        "    -H 'Content-Type: application/json' \\",
        f"    -d '{body}'",
        "",
        "Reminders: the planner and dispatcher run every 60 s; one cycle at an instant of your choice:",
        "  recaudo tick --at 2026-12-01T10:00:00-05:00",
        "More tokens: recaudo token --tenant demo --role SUPERVISOR.  Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def cmd_dev(args: argparse.Namespace) -> int:
    from infra.local import LocalAwsError, bootstrap, ensure_port_free, start_local_aws, stop_local_aws

    try:
        ensure_port_free(args.host, args.port, "cannot serve the API", "Choose another one with --port.")
        endpoint = start_local_aws(args.host, args.aws_port)
        bootstrap(endpoint, os.environ.get("RECAUDO_TABLE", "recaudo"))
    except LocalAwsError as err:
        return _fail(str(err))
    try:
        import uvicorn

        from api.app import create_app
        from api.auth import issue_token
        from infra.container import build_ledger

        ledger = build_ledger()
        seeded = None
        if not args.no_seed:
            from infra.seed import seed_demo

            print("Seeding the demo tenant…", flush=True)
            seeded = seed_demo(ledger, ledger.deps.clock).describe()
        from infra.container import build_reminder_engine, build_webhooks
        from infra.local import (
            start_overdue_timer,
            start_reminder_workers,
            start_stream_pump,
            start_webhook_workers,
        )

        reminders = build_reminder_engine(ledger.deps.clock)
        if not args.no_seed:
            from infra.seed_campaign import seed_demo_campaign

            campaign = seed_demo_campaign(reminders)
            steps = len(campaign.steps)
            seeded = f"{seeded}\n  campaign '{campaign.name}' ({campaign.status.value}, {steps} steps)"
            seeded = f"{seeded}\n  {_seed_plan(ledger)}"
        from infra.container import build_workforce, observe_ledger

        workforce = build_workforce(ledger.deps.clock, reminders.deps)
        if not args.no_seed:
            from infra.seed_agents import score_in_background, seed_demo_agents

            agents = seed_demo_agents(workforce, DEMO_TENANT)
            score_in_background(workforce, DEMO_TENANT)
            seeded = (
                f"{seeded}\n  {agents} agents; risk scores and work queues fill in within a minute or two"
            )
        ledger = observe_ledger(ledger, workforce)
        start_stream_pump(endpoint, os.environ["RECAUDO_TABLE"])
        start_overdue_timer(ledger.deps.clock)
        from infra.snapshot_run import start_snapshot_timer

        start_snapshot_timer(ledger.deps.clock)
        webhooks = build_webhooks(ledger.deps.clock)
        start_webhook_workers(endpoint, webhooks, reminders)
        start_reminder_workers(endpoint, reminders)
        from infra.container import build_import_jobs
        from infra.local import start_import_workers

        imports = build_import_jobs(ledger.deps.clock)
        start_import_workers(endpoint, imports)
        admin_token = issue_token(DEMO_TENANT, "ADMIN", sub="dev-admin")
        agent_token = issue_token(DEMO_TENANT, "AGENT", sub="lucia", agent_id=DEMO_AGENT)
        print(_banner(args.host, args.port, admin_token, agent_token, seeded), flush=True)
        from infra.container import build_exports

        exports = build_exports(ledger.deps.clock)
        app = create_app(
            ledger,
            graphiql_token=admin_token,
            webhooks=webhooks,
            reminders=reminders,
            exports=exports,
            imports=imports,
            workforce=workforce,
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    except KeyboardInterrupt:
        return 130
    finally:
        stop_local_aws()
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from api.auth import issue_token

    role = args.role.upper()
    if role not in ROLES:
        return _fail(f"--role must be one of {', '.join(ROLES)} (got {args.role!r})", 2)
    if role == "AGENT" and not args.agent_id:
        return _fail("an AGENT token needs --agent-id", 2)
    if args.ttl <= 0:
        return _fail("--ttl must be a positive number of seconds", 2)
    print(issue_token(args.tenant, role, sub=args.sub, agent_id=args.agent_id, ttl_seconds=args.ttl))
    return 0


def _schema_path() -> Path:
    import schema

    return Path(next(iter(schema.__path__))) / "schema.graphql"


def cmd_export_schema(args: argparse.Namespace) -> int:
    from schema.root import schema

    sdl = schema.as_str().rstrip("\n") + "\n"
    path = Path(args.output) if args.output else _schema_path()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != sdl:
            return _fail(
                f"{path} is out of date: run `recaudo export-schema` (or `make schema`) and commit it"
            )
        print(f"{path} is up to date")
        return 0
    path.write_text(sdl, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    if not os.environ.get("RECAUDO_AWS_ENDPOINT"):
        return _fail(
            "RECAUDO_AWS_ENDPOINT is not set: point it at the running local stack, "
            "e.g. RECAUDO_AWS_ENDPOINT=http://127.0.0.1:5000 recaudo seed"
        )
    from infra.container import build_ledger
    from infra.seed import seed_demo

    endpoint = _running_stack("")
    if endpoint is None:
        return 1
    ledger = build_ledger()
    print(seed_demo(ledger, ledger.deps.clock).describe())
    from infra.container import build_reminder_engine
    from infra.seed_campaign import seed_demo_campaign

    campaign = seed_demo_campaign(build_reminder_engine(ledger.deps.clock, with_senders=False))
    print(f"  campaign '{campaign.name}' ({campaign.status.value})")
    print(f"  {_seed_plan(ledger)}")
    return 0


def _seed_plan(ledger: Ledger) -> str:
    from domain.plans.service import PaymentPlans
    from infra.dynamodb.plan_repository import DynamoPlanRepository
    from infra.seed_plans import seed_demo_plan

    plan = seed_demo_plan(PaymentPlans(ledger.deps, DynamoPlanRepository()))
    if plan is None:
        return "no payment plan (the demo agent has no open debt)"
    count = len(plan.instalments)
    return f"payment plan of {plan.total} {plan.currency} in {count} instalments ({plan.status.value})"


LOCAL_STACK = "http://127.0.0.1:5000"


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the offset too, e.g. {text}-05:00 (Lima) or {text}Z")
    return at


def cmd_tick(args: argparse.Namespace) -> int:
    """One reminder cycle (plan, enqueue, dispatch, drain) at an instant, against the running stack."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from infra.local import reminder_job_queue
    from infra.tick import run_tick

    endpoint = _running_stack()
    if endpoint is None:
        return 1
    summary = run_tick(args.at, forward=reminder_job_queue(endpoint))
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """A report to the files bucket of the stack at RECAUDO_AWS_ENDPOINT (prints the URL), or to --out."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from api.export_cli import run_export

    endpoint = _running_stack()
    if endpoint is None:
        return 1
    return run_export(args)


def cmd_import(args: argparse.Namespace) -> int:
    """A CSV/XLSX into the ledger of the running stack (see api/import_command.py)."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from api.import_command import run_import
    from infra.container import build_ledger

    return run_import(args, build_ledger())


def cmd_promise_sweep(args: argparse.Namespace) -> int:
    """The daily promise sweep at an instant, against the running stack (its jobs go to the stack's
    reminder queue, where the dev server's dispatcher sends them)."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from dataclasses import asdict

    from domain.clock import FixedClock
    from infra.container import build_promise_sweeper

    endpoint = _running_stack()
    if endpoint is None:
        return 1
    summary = build_promise_sweeper(FixedClock(args.at)).run()
    print(json.dumps(asdict(summary), indent=2))
    return 0


def cmd_plan_sweep(args: argparse.Namespace) -> int:
    """The daily payment plan sweep at an instant, against the running stack (its INSTALMENT_DUE jobs
    go to the stack's reminder queue, where the dev server's dispatcher sends them)."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from dataclasses import asdict

    from domain.clock import FixedClock
    from infra.container import build_plan_sweeper

    endpoint = _running_stack()
    if endpoint is None:
        return 1
    summary = build_plan_sweeper(FixedClock(args.at)).run()
    print(json.dumps(asdict(summary), indent=2))
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    """The nightly summary snapshot of every tenant, once, against the running stack."""
    os.environ.setdefault("RECAUDO_AWS_ENDPOINT", LOCAL_STACK)
    from infra.snapshot_run import run_snapshots

    endpoint = _running_stack()
    if endpoint is None:
        return 1
    print(json.dumps(run_snapshots(args.at, args.replace), indent=2, ensure_ascii=False))
    return 0


def cmd_webhook_listen(args: argparse.Namespace) -> int:
    from api.webhook_listen import run

    try:
        run(args.port, args.secret, host=args.host)
    except ValueError as err:
        return _fail(f"--secret: {err}", 2)
    except OSError as err:
        return _fail(f"cannot listen on {args.host}:{args.port}: {err}")
    except KeyboardInterrupt:
        return 130
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recaudo", description="Recaudo collections platform, local tools.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    dev = sub.add_parser("dev", help="run the API with an embedded AWS (moto) and demo data")
    dev.add_argument(
        "--host", default="127.0.0.1", help="interface for the API and moto (default %(default)s)"
    )
    dev.add_argument("--port", type=int, default=8000, help="API port (default %(default)s)")
    dev.add_argument("--aws-port", type=int, default=5000, help="moto server port (default %(default)s)")
    dev.add_argument("--no-seed", action="store_true", help="start with an empty table")
    dev.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))
    dev.set_defaults(func=cmd_dev)

    token = sub.add_parser("token", help="print a bearer JWT the local server accepts")
    token.add_argument("--tenant", required=True)
    token.add_argument("--role", required=True, help=" | ".join(ROLES))
    token.add_argument("--sub", default="dev-user", help="subject (default %(default)s)")
    token.add_argument("--agent-id", help="required with --role AGENT")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="seconds (default %(default)s)")
    token.set_defaults(func=cmd_token)

    export = sub.add_parser("export-schema", help="write schema/schema.graphql from the Strawberry schema")
    export.add_argument("--check", action="store_true", help="exit 1 if the file differs instead of writing")
    export.add_argument("--output", help="another path to write")
    export.set_defaults(func=cmd_export_schema)

    seed = sub.add_parser("seed", help="seed the demo tenant into the stack at RECAUDO_AWS_ENDPOINT")
    seed.set_defaults(func=cmd_seed)

    tick = sub.add_parser(
        "tick", help="one reminder cycle (plan, enqueue, dispatch, drain) at an instant, on the local stack"
    )
    tick.add_argument(
        "--at", type=_instant, required=True, help="ISO 8601 with offset, e.g. 2026-12-01T10:00:00-05:00"
    )
    tick.set_defaults(func=cmd_tick)

    from api.export_cli import add_export_parser

    add_export_parser(sub, cmd_export)
    from api.import_command import add_parser as add_import_parser

    add_import_parser(sub).set_defaults(func=cmd_import)
    sweep = sub.add_parser(
        "promise-sweep",
        help="judge overdue promises and queue promise steps at an instant, on the local stack",
    )
    sweep.add_argument(
        "--at", type=_instant, required=True, help="ISO 8601 with offset, e.g. 2026-12-01T10:00:00-05:00"
    )
    sweep.set_defaults(func=cmd_promise_sweep)
    plan_sweep = sub.add_parser(
        "plan-sweep",
        help="break late payment plans and queue instalment reminders at an instant, on the local stack",
    )
    plan_sweep.add_argument(
        "--at", type=_instant, required=True, help="ISO 8601 with offset, e.g. 2026-12-01T10:00:00-05:00"
    )
    plan_sweep.set_defaults(func=cmd_plan_sweep)
    snap = sub.add_parser("snapshot", help="take the daily summary snapshots now, on the local stack")
    snap.add_argument(
        "--at", type=_instant, default=None, help="the instant to run at (ISO 8601 with offset)"
    )
    snap.add_argument("--replace", action="store_true", help="retake a day already taken")
    snap.set_defaults(func=cmd_snapshot)

    listen = sub.add_parser("webhook-listen", help="receive webhooks locally, verify and print each one")
    listen.add_argument("--port", type=int, required=True, help="port to listen on")
    listen.add_argument("--secret", required=True, help="the subscription's whsec_ signing secret")
    listen.add_argument("--host", default="127.0.0.1", help="interface (default %(default)s)")
    listen.set_defaults(func=cmd_webhook_listen)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
