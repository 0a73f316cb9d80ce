"""The embedded AWS for one-machine runs: moto's threaded server, the ledger table and the SES sender.

`start_local_aws` reuses the endpoint in `RECAUDO_AWS_ENDPOINT` when one is given (a moto server
started elsewhere, or DynamoDB Local), else starts moto's server in a daemon thread of this process.
`bootstrap` then creates what the code expects to exist; both are safe to call again.
"""

from __future__ import annotations

import copy
import errno
import json
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domain.clock import Clock

DEFAULT_REGION = "us-east-1"
DEFAULT_TABLE = "recaudo"
DEMO_SENDER = "noreply@demo.recaudo.dev"
TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "template.yaml"

_server: Any = None  # the moto server this process started, if any


class LocalAwsError(RuntimeError):
    """The embedded AWS could not be started or reached; the message says what to do."""


def _set_aws_env() -> None:
    """Point boto3/PynamoDB at fake credentials so that nothing ever reaches a real AWS account."""
    os.environ.setdefault("AWS_DEFAULT_REGION", DEFAULT_REGION)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")


def ensure_port_free(host: str, port: int, what: str, hint: str = "") -> None:
    """Fail with a clear message when `host:port` is taken (moto's server would otherwise hang)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option as the servers we start, so a port in TIME_WAIT does not count as taken.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            reason = "is already in use" if err.errno == errno.EADDRINUSE else f"cannot be bound ({err})"
            raise LocalAwsError(f"{what}: {host}:{port} {reason}." + (f" {hint}" if hint else "")) from None


def _wait_until_up(endpoint: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # something answers HTTP: not moto perhaps (DynamoDB Local), but it is up
        except OSError as err:
            last = err
            time.sleep(0.1)
    raise LocalAwsError(f"the AWS endpoint {endpoint} does not answer: {last}")


_tx_state = threading.local()


def speed_up_moto_transactions() -> None:
    """Make moto's TransactWriteItems cost what the transaction touches, not what the table holds.

    moto 5 backs up a table for rollback with `copy.deepcopy(table)` once per transaction item, so a
    payment (≈10 items) on the seeded demo table (≈2,000 items) takes seconds. Here the table copy is
    skipped and only the touched items (and the stream's length) are snapshotted and restored on
    failure. Idempotent; used by the local stack and available to tests running `mock_aws`.
    """
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    backend = models.DynamoDBBackend
    original = backend.transact_write_items
    if getattr(original, "recaudo_fast", False):
        return

    class _CopyWithoutTables:
        """Stands in for `copy` in moto's module: a Table is not copied while a transaction runs."""

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            if isinstance(value, Table) and getattr(_tx_state, "active", False):
                return value
            return copy.deepcopy(value, memo)

    def snapshot(self: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        saved: list[tuple[Any, ...]] = []
        for entry in transact_items:
            try:
                op_type, op = next(iter(entry.items()))
                table = self.tables[op["TableName"]]
                key = op["Item"] if op_type == "Put" else op["Key"]
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
                current = table.get_item(hash_value, range_value)
            except Exception:  # moto itself reports malformed operations
                continue
            saved.append((table, hash_value, range_value, copy.deepcopy(current)))
        return saved

    def restore(saved: list[tuple[Any, ...]], stream_lengths: dict[int, tuple[Any, int]]) -> None:
        for table, hash_value, range_value, item in reversed(saved):
            if range_value is None:
                table.items.pop(hash_value, None) if item is None else table.items.__setitem__(
                    hash_value, item
                )
            elif item is None:
                table.items[hash_value].pop(range_value, None)
            else:
                table.items[hash_value][range_value] = item
        for shard, length in stream_lengths.values():
            del shard.items[length:]

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        saved = snapshot(self, transact_items)
        shards = [t.stream_shard for t, *_ in saved if getattr(t, "stream_shard", None) is not None]
        stream_lengths = {id(s): (s, len(s.items)) for s in shards}
        _tx_state.active = True
        try:
            return original(self, transact_items)
        except Exception:
            restore(saved, stream_lengths)
            raise
        finally:
            _tx_state.active = False

    transact_write_items.recaudo_fast = True  # type: ignore[attr-defined]
    models.copy = _CopyWithoutTables()  # type: ignore[attr-defined,assignment]
    backend.transact_write_items = transact_write_items  # type: ignore[method-assign]


def start_local_aws(host: str = "127.0.0.1", port: int = 5000) -> str:
    """Start (or reuse) the local AWS endpoint, export it in the environment and return its URL."""
    global _server
    _set_aws_env()
    given = os.environ.get("RECAUDO_AWS_ENDPOINT")
    if given:
        endpoint = given.rstrip("/")
        _wait_until_up(endpoint, timeout=5.0)
        return endpoint
    ensure_port_free(
        host,
        port,
        "cannot start the embedded AWS (moto)",
        "Another `make dev` may be running: stop it, pick another port (--aws-port), or reuse that "
        f"server with RECAUDO_AWS_ENDPOINT=http://{host}:{port}.",
    )
    from moto.server import ThreadedMotoServer

    speed_up_moto_transactions()
    # One access-log line per AWS call would bury the API's own log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    _server.start()
    endpoint = f"http://{host}:{port}"
    _wait_until_up(endpoint)
    os.environ["RECAUDO_AWS_ENDPOINT"] = endpoint
    return endpoint


def stop_local_aws() -> None:
    """Stop the moto server this process started (no-op when the endpoint came from the environment)."""
    global _server
    if _server is not None:
        _server.stop()
        _server = None


def _client(service: str, endpoint: str) -> Any:
    import boto3

    make_client: Any = boto3.client  # the stubs' per-service overloads want a literal name
    return make_client(
        service,
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
    )


def ensure_table(client: Any, table_name: str, template_path: Path = TEMPLATE_PATH) -> bool:
    """Create the ledger table from template.yaml unless it exists; True when it was created."""
    from infra.dynamodb.schema_from_template import create_table

    try:
        return create_table(client, table_name, template_path)
    except client.exceptions.ResourceInUseException:
        return False  # created concurrently by another process


def verify_sender(endpoint: str, sender: str = DEMO_SENDER) -> None:
    """moto's SES refuses mail from unverified identities: verify the address and its domain."""
    ses = _client("ses", endpoint)
    ses.verify_email_identity(EmailAddress=sender)
    ses.verify_domain_identity(Domain=sender.rpartition("@")[2])


def ensure_event_bus(endpoint: str, name: str) -> None:
    """The partners' EventBridge bus (idempotent)."""
    events = _client("events", endpoint)
    if not any(b["Name"] == name for b in events.list_event_buses(NamePrefix=name)["EventBuses"]):
        events.create_event_bus(Name=name)


def start_stream_pump(endpoint: str, table_name: str) -> Any:
    """Drive the outbox publisher from the table's stream, as Lambda's trigger does on AWS."""
    from infra.container import build_outbox_relay
    from infra.stream_pump import StreamPump

    arn = _client("dynamodb", endpoint).describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    pump = StreamPump(_client("dynamodbstreams", endpoint), arn, build_outbox_relay())
    pump.start()
    return pump


OVERDUE_INTERVAL = 3600.0
"""Seconds between overdue-notice runs, as the hourly schedule on AWS."""

_overdue_log = logging.getLogger("recaudo.overdue")


def start_overdue_timer(clock: Clock | None = None, interval: float = OVERDUE_INTERVAL) -> threading.Event:
    """Run the DebtOverdue notices now and then every `interval` seconds in a daemon thread, as the
    schedule does on AWS. Returns the event that stops the timer when set."""
    from infra.container import build_overdue_notices

    notices = build_overdue_notices(clock)
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                emitted = notices.run()
                _overdue_log.info("overdue notices emitted: %d", emitted)
            except Exception:  # the dev server keeps serving; the next run tries again
                _overdue_log.exception("overdue notices failed")
            if stop.wait(interval):
                return

    threading.Thread(target=run, name="recaudo-overdue-timer", daemon=True).start()
    return stop


def ensure_webhook_plumbing(endpoint: str) -> None:
    """KMS key for secrets, the fan-out and delivery queues, and the bus rule feeding the fan-out."""
    import json

    from infra.secrets import ensure_local_key

    os.environ["RECAUDO_WEBHOOK_KEY_ID"] = ensure_local_key(_client("kms", endpoint))
    sqs, events = _client("sqs", endpoint), _client("events", endpoint)
    fanout = sqs.create_queue(QueueName="recaudo-webhook-fanout")["QueueUrl"]
    os.environ["RECAUDO_WEBHOOK_FANOUT_URL"] = fanout
    os.environ["RECAUDO_WEBHOOK_QUEUE_URL"] = sqs.create_queue(QueueName="recaudo-webhook-delivery")[
        "QueueUrl"
    ]
    os.environ.setdefault("RECAUDO_WEBHOOK_ALLOW_LOOPBACK", "1")  # partners' test servers on 127.0.0.1
    arn = sqs.get_queue_attributes(QueueUrl=fanout, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = os.environ["RECAUDO_EVENT_BUS"]
    events.put_rule(Name="webhook-fanout", EventBusName=bus, EventPattern=json.dumps({"source": ["recaudo"]}))
    events.put_targets(Rule="webhook-fanout", EventBusName=bus, Targets=[{"Id": "fanout", "Arn": arn}])


def _published(detail: dict[str, Any], webhooks: Any, reminders: Any) -> None:
    """Locally one bus rule feeds both consumers of published events (two rules on AWS)."""
    webhooks.fan_out(detail)
    if reminders is not None:
        reminders.attribution.apply(detail)


def start_webhook_workers(endpoint: str, webhooks: Any, reminders: Any = None) -> None:
    """Drive the fan-out and delivery functions from their queues, as Lambda's triggers do on AWS."""
    import json

    from infra.queue_pump import QueuePump
    from infra.webhook_queue import parse_job

    sqs = _client("sqs", endpoint)
    QueuePump(
        sqs,
        os.environ["RECAUDO_WEBHOOK_FANOUT_URL"],
        lambda body: _published(json.loads(body)["detail"], webhooks, reminders),
        "webhook-fanout",
    ).start()
    QueuePump(
        sqs,
        os.environ["RECAUDO_WEBHOOK_QUEUE_URL"],
        lambda body: webhooks.attempt(*parse_job(body)),
        "webhook-delivery",
    ).start()


REMINDER_INTERVAL = 60.0
"""Seconds between planner cycles on the local stack (AWS runs it every 15 minutes)."""

_reminder_log = logging.getLogger("recaudo.reminders")


def ensure_reminder_plumbing(endpoint: str) -> None:
    """The reminder job queue (with its dead-letter queue) and the SNS platform application for agents'
    push notifications; their ids go to the environment the container reads."""
    import json

    sqs, sns = _client("sqs", endpoint), _client("sns", endpoint)
    dlq = sqs.create_queue(QueueName="recaudo-reminders-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
    queue = sqs.create_queue(
        QueueName="recaudo-reminders", Attributes={"VisibilityTimeout": "60", "RedrivePolicy": redrive}
    )["QueueUrl"]
    os.environ["RECAUDO_REMINDER_QUEUE_URL"] = queue
    app = sns.create_platform_application(
        Name="recaudo-agents", Platform="GCM", Attributes={"PlatformCredential": "local-development-key"}
    )
    os.environ.setdefault("RECAUDO_PUSH_PLATFORM_ARN", app["PlatformApplicationArn"])


def reminder_job_queue(endpoint: str) -> Any:
    """The stack's reminder queue as a JobQueue."""
    from infra.reminder_queue import SqsJobQueue

    return SqsJobQueue(_client("sqs", endpoint), os.environ["RECAUDO_REMINDER_QUEUE_URL"])


def start_reminder_workers(
    endpoint: str, reminders: Any, interval: float = REMINDER_INTERVAL
) -> threading.Event:
    """The planner every `interval` seconds and the dispatcher on the reminder queue, in daemon threads,
    as EventBridge Scheduler and Lambda's SQS trigger do on AWS. Returns the event that stops them."""
    from domain.campaigns.ports import SendJob
    from infra.queue_pump import QueuePump

    stop = threading.Event()

    def plan() -> None:
        while True:
            try:
                summary = reminders.planner.run()
                if summary.due_debts:
                    _reminder_log.info("planner: %s", summary)
            except Exception:  # the dev server keeps serving; the next cycle tries again
                _reminder_log.exception("planner cycle failed")
            if stop.wait(interval):
                return

    threading.Thread(target=plan, name="recaudo-planner", daemon=True).start()
    QueuePump(
        _client("sqs", endpoint),
        os.environ["RECAUDO_REMINDER_QUEUE_URL"],
        lambda body: reminders.dispatcher.handle(SendJob.from_json(json.loads(body))),
        "reminder-dispatch",
    ).start()
    return stop


def ensure_files(endpoint: str) -> str:
    """The files bucket (report exports); presigned URLs then point at this endpoint."""
    from infra.files import ensure_files_bucket

    return ensure_files_bucket(_client("s3", endpoint))


def start_import_workers(endpoint: str, jobs: Any) -> None:
    """Uploads under imports/ (moto notifies a queue) and continuations go to the import use case."""
    from infra.imports.local import start_import_worker

    start_import_worker(_client("sqs", endpoint), os.environ["RECAUDO_IMPORT_UPLOADS_URL"], jobs)


def bootstrap(
    endpoint: str, table_name: str | None = None, senders: tuple[str, ...] = (DEMO_SENDER,)
) -> None:
    """Create the table (idempotent), verify the SES senders and point the PynamoDB models at them."""
    _set_aws_env()
    table = table_name or os.environ.get("RECAUDO_TABLE", DEFAULT_TABLE)
    os.environ["RECAUDO_TABLE"] = table
    os.environ["RECAUDO_AWS_ENDPOINT"] = endpoint
    ensure_table(_client("dynamodb", endpoint), table)
    for sender in senders:
        verify_sender(endpoint, sender)
    ensure_event_bus(endpoint, os.environ.setdefault("RECAUDO_EVENT_BUS", "recaudo-events"))
    ensure_webhook_plumbing(endpoint)
    ensure_reminder_plumbing(endpoint)
    ensure_files(endpoint)
    from infra.imports.local import ensure_import_plumbing

    uploads = ensure_import_plumbing(_client("s3", endpoint), _client("sqs", endpoint))
    os.environ["RECAUDO_IMPORT_UPLOADS_URL"] = uploads
    from infra.dynamodb.models import configure

    configure(table_name=table, host=endpoint, region=os.environ["AWS_DEFAULT_REGION"])
