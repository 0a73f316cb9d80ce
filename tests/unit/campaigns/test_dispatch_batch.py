"""The dispatcher given a whole SQS batch: each job keeps every guarantee it has alone, one job's failure
is its own, and the jobs of one batch see each other's messages."""

from __future__ import annotations

import pytest

from domain.campaigns.dispatch.job import DispatchResult
from domain.campaigns.model import MessageStatus
from domain.campaigns.ports import SendClaim, SendJob
from domain.messaging import OutgoingMessage, SendChannel, SendReceipt
from domain.templates import TemplateChannel
from tests.unit.campaigns.dispatch_fakes import RecordingSender, Scenario, step

E = TemplateChannel.EMAIL


class FailsOnCall:
    """The e-mail provider, except that the n-th call dies (a Lambda killed mid-call)."""

    def __init__(self, inner: RecordingSender, n: int) -> None:
        self.inner, self.n, self.calls = inner, n, 0

    def send(self, message: OutgoingMessage) -> SendReceipt:
        self.calls += 1
        if self.calls == self.n:
            raise RuntimeError("killed while calling the provider")
        return self.inner.send(message)


@pytest.fixture
def world() -> Scenario:
    w = Scenario()
    w.campaign(step(E))
    w.campaign(step(E), cid="cmp-2")
    return w


def three_jobs(world: Scenario) -> list[SendJob]:
    """Two debts of one campaign as separate jobs, and the first debt again for another campaign."""
    return [world.job(debts=("dt-1",)), world.job(debts=("dt-2",)), world.job(campaign_id="cmp-2")]


def statuses(outcomes: list[DispatchResult | Exception]) -> list[str]:
    return [o.status if isinstance(o, DispatchResult) else type(o).__name__ for o in outcomes]


def test_the_same_job_twice_in_one_batch_sends_once(world: Scenario) -> None:
    job = world.job()
    outcomes = world.reminders.dispatcher.handle_batch([job, job])
    assert statuses(outcomes) == ["SENT", "DUPLICATE"]
    assert world.email.calls == 1 and len(world.messages.all()) == 1
    assert world.messages.get_stats("acme", "cmp-1").sent == 1


def test_a_job_killed_mid_send_fails_alone_and_is_never_sent_again(world: Scenario) -> None:
    jobs = three_jobs(world)
    world.deps.senders = {**world.deps.senders, SendChannel.EMAIL: FailsOnCall(world.email, 2)}
    outcomes = world.reminders.dispatcher.handle_batch(jobs)
    assert statuses(outcomes) == ["SENT", "RuntimeError", "SENT"]
    assert len(world.email.sent) == 2
    assert sorted(m.status.value for m in world.messages.all()) == ["SENDING", "SENT", "SENT"]
    assert world.messages.get_stats("acme", "cmp-1").sent == 1
    assert world.messages.get_stats("acme", "cmp-2").sent == 1
    # SQS delivers the whole batch again (or only the failed record): nothing goes out twice.
    again = world.reminders.dispatcher.handle_batch(jobs)
    assert [(o.status, o.reason) for o in again if isinstance(o, DispatchResult)][1] == (
        "FAILED",
        "OUTCOME_UNKNOWN",
    )
    assert statuses(again) == ["DUPLICATE", "FAILED", "DUPLICATE"] and len(world.email.sent) == 2


def test_a_job_whose_claim_write_fails_is_retried_and_sent_once(world: Scenario) -> None:
    jobs = three_jobs(world)
    claim = world.messages.claim_message

    def timeout_for_dt2(message: object, claims: list[SendClaim]) -> list[SendClaim]:
        if [c.debt_id for c in claims] == ["dt-2"]:
            raise TimeoutError("DynamoDB write timed out")
        return claim(message, claims)  # type: ignore[arg-type]

    world.messages.claim_message = timeout_for_dt2  # type: ignore[method-assign,assignment]
    outcomes = world.reminders.dispatcher.handle_batch(jobs)
    assert statuses(outcomes) == ["SENT", "TimeoutError", "SENT"] and world.email.calls == 2
    world.messages.claim_message = claim  # type: ignore[method-assign]
    assert statuses(world.reminders.dispatcher.handle_batch([jobs[1]])) == ["SENT"]
    assert world.email.calls == 3 and len(world.messages.all()) == 3


def test_a_second_job_for_the_same_debtor_is_judged_on_the_first_ones_message(world: Scenario) -> None:
    # Colombia (Ley 2300): one contact a day. Both jobs are read before either is sent.
    world.update_debtor(
        lambda d: (setattr(d, "jurisdiction", "CO"), setattr(d, "time_zone", "America/Bogota"))
    )
    outcomes = world.reminders.dispatcher.handle_batch([world.job(), world.job(campaign_id="cmp-2")])
    assert statuses(outcomes)[0] == "SENT" and statuses(outcomes)[1] in ("DEFERRED", "BLOCKED", "SKIPPED")
    assert world.email.calls == 1
    assert any("CO-2300-one-per-day" in o.rule_ids for o in outcomes if isinstance(o, DispatchResult))


def test_a_batch_writes_its_sent_records_together_and_its_counters_once(world: Scenario) -> None:
    writes = world.messages.writes
    outcomes = world.reminders.dispatcher.handle_batch(three_jobs(world))
    assert statuses(outcomes) == ["SENT", "SENT", "SENT"]
    assert world.messages.writes - writes == 3 + 1  # three claims with SENDING, one group of SENT
    assert all(m.status is MessageStatus.SENT for m in world.messages.all())
    assert world.messages.get_stats("acme", "cmp-1").sent == 2


def test_a_duplicate_that_claims_after_the_batch_read_is_looked_up_again(world: Scenario) -> None:
    job = world.job()
    claim = world.messages.claim_message
    raced: list[str] = []

    def a_duplicate_gets_there_first(message: object, claims: list[SendClaim]) -> list[SendClaim]:
        if not raced:
            world.messages.claim_message = claim  # type: ignore[method-assign]
            raced.append(world.reminders.dispatcher.handle(job).status)
        return claim(message, claims)  # type: ignore[arg-type]

    world.messages.claim_message = a_duplicate_gets_there_first  # type: ignore[method-assign,assignment]
    [outcome] = world.reminders.dispatcher.handle_batch([job])
    assert raced == ["SENT"] and world.email.calls == 1
    # The snapshot said unclaimed; the store, read again, says this very job did it.
    assert isinstance(outcome, DispatchResult) and (outcome.status, outcome.reason) == (
        "DUPLICATE",
        "already handled",
    )
