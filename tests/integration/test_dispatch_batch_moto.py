"""The dispatcher's batch path on moto: the DynamoDB requests a batch of ten costs, pinned, and the
Lambda reporting only the job that failed while the others go out once."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from typing import Any

import botocore.client
import pytest

from domain.campaigns.dispatcher import DispatchResult
from domain.campaigns.ports import SendJob
from domain.entities import ContactKind
from domain.messaging import OutgoingMessage, SendChannel, SendReceipt
from domain.services.debtors import ContactInput, DebtorInput
from domain.services.debts import DebtInput
from domain.services.portfolios import PortfolioInput
from tests.integration import test_dispatcher_moto as single
from tests.integration.test_dispatcher_moto import ADMIN, DUE, Context, World, _sqs_record, sent_emails

world = single.world  # the same fixture: tenant acme (Peru), SES and SNS on moto, a fixed clock


def jobs_for_new_debtors(world: World, n: int) -> list[SendJob]:
    """`n` debtors with one e-mail and one debt due today each, and one job each of an e-mail step."""
    campaign_id = world.campaign("EMAIL")
    template = world.job(campaign_id)
    portfolio = world.ledger.portfolios.create(ADMIN, PortfolioInput(name="Lote", currency="PEN"))
    jobs = []
    for i in range(n):
        contact = ContactInput(ContactKind.EMAIL, f"deudor{i}@example.pe", consent=True)
        debtor = world.ledger.debtors.create(
            ADMIN, DebtorInput(name=f"Deudor {i}", external_id=f"L-{i}", contacts=[contact])
        )
        debt = world.ledger.debts.create(
            ADMIN, DebtInput(debtor.id, portfolio.id, "80.00", DUE, external_id=f"L-{i}")
        )
        jobs.append(
            SendJob("acme", debtor.id, (debt.id,), campaign_id, template.step_id, DUE, template.planned_at)
        )
    return jobs


class DynamoRequests:
    """DynamoDB requests by operation while installed (every client goes through `_make_api_call`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        original = botocore.client.BaseClient._make_api_call

        def counting(client: Any, operation: str, params: Any) -> Any:
            if client.meta.service_model.endpoint_prefix == "dynamodb":
                self.counts[operation] += 1
            return original(client, operation, params)

        monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)


def test_a_batch_of_ten_emails_costs_one_and_a_third_requests_a_message(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = jobs_for_new_debtors(world, 10)
    before = len(sent_emails())
    requests = DynamoRequests(monkeypatch)
    outcomes = world.reminders.dispatcher.handle_batch(jobs)
    assert [o.status for o in outcomes if isinstance(o, DispatchResult)] == ["SENT"] * 10
    assert len(sent_emails()) == before + 10
    assert requests.counts == {
        "BatchGetItem": 2,  # tenant, debtors, contact logs, debts and claims of the ten jobs; the template
        "GetItem": 1,  # the campaign (template and campaign: once a batch here, a minute in the Lambda)
        "TransactWriteItems": 11,  # each claim with SENDING, then the ten SENT records together
        "UpdateItem": 1,  # the campaign's counters
    }
    stats = world.reminders.deps.messages.get_stats("acme", jobs[0].campaign_id)
    assert stats.sent == 10
    history = world.reminders.deps.messages.contact_history("acme", jobs[3].debtor_id, world.clock.now())
    assert [c.address for c in history] == ["deudor3@example.pe"]


def test_the_lambda_reports_only_the_job_that_died_and_sends_the_others_once(world: World) -> None:
    jobs = jobs_for_new_debtors(world, 3)
    ses = world.reminders.deps.senders[SendChannel.EMAIL]

    class DiesForTheSecond:
        def send(self, message: OutgoingMessage) -> SendReceipt:
            if message.to == "deudor1@example.pe":
                raise RuntimeError("killed while calling SES")
            return ses.send(message)

    world.reminders.deps.senders = {**world.reminders.deps.senders, SendChannel.EMAIL: DiesForTheSecond()}
    module = importlib.import_module("functions.dispatcher")
    module.reminders = world.reminders
    event = {"Records": [_sqs_record(f"m-{i}", json.dumps(job.to_json())) for i, job in enumerate(jobs)]}
    before = len(sent_emails())
    assert module.handler(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert len(sent_emails()) == before + 2
    # SQS redelivers the failed record: never sent again (SES may have taken it).
    retry = {"Records": [_sqs_record("m-1", json.dumps(jobs[1].to_json()))]}
    assert module.handler(retry, Context()) == {"batchItemFailures": []}
    assert len(sent_emails()) == before + 2
    assert {m.status.value for m in world.messages()} == {"SENT", "FAILED"}
