"""The contact log on moto: every writer of the contact history adds to it in the same transaction,
the dispatcher judges caps from it without a history Query, and stale elements are pruned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.campaigns.dispatcher import DispatchResult
from domain.campaigns.ports import SendJob
from domain.entities import Channel, ContactKind
from domain.policy import AttemptKind, CapRule, ContactRecord
from domain.policy.engine import PolicyBook
from domain.policy.overlays import TenantOverlay
from domain.services.debts import DebtInput
from infra.dynamodb import contact_log
from infra.dynamodb.contact_log import ContactLogItem, log_key
from tests.integration.test_dispatch_batch_moto import DynamoRequests, jobs_for_new_debtors
from tests.integration.test_dispatcher_moto import ADMIN, DUE, World, sent_emails
from tests.integration.test_dispatcher_moto import world as world  # noqa: PLC0414 - the fixture

ONE_A_DAY = CapRule("TENANT-one-a-day", "tenant test cap", max=1, calendar_day=True)


def cap_one_contact_a_day(world: World) -> None:
    deps = world.reminders.deps
    deps.policies = PolicyBook({"PE": TenantOverlay(caps=[ONE_A_DAY])})
    deps._books = None


def test_a_sent_message_is_in_the_log_and_counts_for_the_next_batch_without_a_query(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    cap_one_contact_a_day(world)
    [first] = jobs_for_new_debtors(world, 1)
    [sent] = world.reminders.dispatcher.handle_batch([first])
    assert isinstance(sent, DispatchResult) and sent.status == "SENT"
    messages = world.reminders.deps.messages
    [entry] = messages.recent_contacts("acme", [first.debtor_id], world.clock.now())[first.debtor_id].records
    assert entry.channel is Channel.EMAIL and entry.address == "deudor0@example.pe"

    world.clock.advance(timedelta(minutes=5))
    debt = world.ledger.deps.repo.get_debts("acme", [(first.debtor_id, first.debt_ids[0])])
    portfolio = next(iter(debt.values())).portfolio_id
    other = world.ledger.debts.create(
        ADMIN, DebtInput(first.debtor_id, portfolio, "50.00", DUE, external_id="L-0-b")
    )
    second = SendJob(
        "acme", first.debtor_id, (other.id,), first.campaign_id, first.step_id, DUE, world.clock.now()
    )
    before = len(sent_emails())
    requests = DynamoRequests(monkeypatch)
    [outcome] = world.reminders.dispatcher.handle_batch([second])
    assert isinstance(outcome, DispatchResult)
    assert outcome.status == "DEFERRED" and outcome.rule_ids == (ONE_A_DAY.id,)
    assert len(sent_emails()) == before
    assert "Query" not in requests.counts  # judged on the log read with the batch


def test_an_agents_call_and_a_recorded_contact_reach_the_log_once(world: World) -> None:
    [job] = jobs_for_new_debtors(world, 1)
    messages = world.reminders.deps.messages
    call = ContactRecord(Channel.CALL, world.clock.now() - timedelta(hours=1), kind=AttemptKind.ATTEMPT)
    messages.record_contact("acme", job.debtor_id, call)
    messages.record_contact("acme", job.debtor_id, call)  # the same contact again: one element
    recent = messages.recent_contacts("acme", [job.debtor_id, "nobody"], world.clock.now())
    assert [r.channel for r in recent[job.debtor_id].records] == [Channel.CALL]
    assert recent["nobody"].records == ()  # no log: never contacted
    history = messages.contact_history("acme", job.debtor_id, world.clock.now() - timedelta(days=1))
    assert list(recent[job.debtor_id].records) == history


def test_elements_older_than_the_span_are_pruned_once_enough_are_stale(world: World) -> None:
    [job] = jobs_for_new_debtors(world, 1)
    messages = world.reminders.deps.messages
    now = world.clock.now()
    old = [
        ContactRecord(Channel.SMS, now - contact_log.SPAN - timedelta(days=1, minutes=i), address=f"+51{i}")
        for i in range(contact_log.PRUNE_AT)
    ]
    for record in [*old, ContactRecord(Channel.SMS, now - timedelta(days=1), address="+51new")]:
        messages.record_contact("acme", job.debtor_id, record)
    recent = messages.recent_contacts("acme", [job.debtor_id], now)[job.debtor_id]
    assert [r.address for r in recent.records] == ["+51new"]
    assert recent.covers(now - timedelta(days=7), now) and not recent.covers(now - timedelta(days=41), now)
    item = ContactLogItem.get(*log_key("acme", job.debtor_id), consistent_read=True)
    assert len(item.entries or ()) == 1  # the stale ones were deleted after that read


def test_a_debtor_with_a_phone_gets_an_sms_logged_with_its_address(world: World) -> None:
    world.campaign("SMS")
    debtor = world.ledger.deps.repo.get_debtor("acme", world.debtor_id)
    assert debtor is not None and any(c.kind is ContactKind.PHONE for c in debtor.contacts)
    result = world.dispatch(world.job(world.campaign("SMS")))
    assert result.status == "SENT"
    recent = world.reminders.deps.messages.recent_contacts("acme", [world.debtor_id], world.clock.now())
    assert [r.channel for r in recent[world.debtor_id].records] == [Channel.SMS]
