"""The dispatcher on in-memory stores: one lawful, rendered message per job, sent at most once, whatever
changed since planning and however often the job comes back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.campaigns.model import AgentDevice, CampaignStatus, Message, MessageStatus
from domain.entities import Channel, ContactKind, ContactPoint, ContactStatus
from domain.messaging import PermanentSendError, TransientSendError
from domain.ports import PageRequest
from domain.templates import TemplateChannel
from tests.unit.campaigns.dispatch_fakes import AT_10_LIMA, DUE, EMAIL, PHONE, Scenario, step

E, S, W, C = TemplateChannel.EMAIL, TemplateChannel.SMS, TemplateChannel.WHATSAPP, TemplateChannel.CALL_TASK


@pytest.fixture
def world() -> Scenario:
    return Scenario()


def only(world: Scenario) -> Message:
    [message] = world.messages.all()
    return message


# --- the happy path ----------------------------------------------------------------------------------


def test_two_due_debts_get_one_rendered_email_with_its_proof_of_compliance(world: Scenario) -> None:
    world.campaign(step(E))
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "SENT" and result.channel == "EMAIL"
    [sent] = world.email.sent
    assert sent.to == EMAIL and sent.sender == "cobranzas@acme.pe" and sent.reference == result.message_id
    assert "Rosa Quispe" in (sent.text or "") and "Acme SAC" in (sent.subject or "")
    unsubscribe = sent.headers["List-Unsubscribe"]
    assert "mailto:cobranzas@acme.pe" in unsubscribe and "https://pay.example/acme/optout/dr-1" in unsubscribe
    message = only(world)
    assert message.status is MessageStatus.SENT and message.provider_message_id == "ses-1"
    assert message.debt_ids == ["dt-1", "dt-2"] and message.amount == Decimal("300.00")
    assert message.currency == "PEN" and message.sent_at == AT_10_LIMA and message.locale == "es-PE"
    assert message.decision is not None and message.decision.policy_id.startswith("PE")
    [contact] = world.messages.contact_history("acme", "dr-1", AT_10_LIMA - timedelta(days=1))
    assert (contact.channel, contact.address, contact.at) == (Channel.EMAIL, EMAIL, AT_10_LIMA)
    assert set(contact.debt_ids) == {"dt-1", "dt-2"}
    assert world.messages.get_stats("acme", "cmp-1").sent == 1


def test_sms_goes_to_the_phone_and_whatsapp_falls_back_to_a_valid_phone(world: Scenario) -> None:
    world.campaign(step(S, step_id="s0"), step(W, step_id="s1"))
    assert world.reminders.dispatcher.handle(world.job("s0")).status == "SENT"
    assert [m.to for m in world.sms.sent] == [PHONE]
    world.update_debtor(
        lambda d: d.contacts.append(
            ContactPoint(ContactKind.WHATSAPP, "+51900000000", True, ContactStatus.INVALID)
        )
    )
    assert world.reminders.dispatcher.handle(world.job("s1")).status == "SENT"
    assert [m.to for m in world.whatsapp.sent] == [PHONE]


# --- exactly once --------------------------------------------------------------------------------------


def test_the_same_job_twice_sends_one_message(world: Scenario) -> None:
    world.campaign(step(E))
    job = world.job()
    first, second = world.reminders.dispatcher.handle(job), world.reminders.dispatcher.handle(job)
    assert (first.status, second.status) == ("SENT", "DUPLICATE")
    assert len(world.email.sent) == 1 and len(world.messages.all()) == 1


def test_a_crash_after_the_provider_accepted_is_never_sent_again(world: Scenario) -> None:
    world.campaign(step(E))
    job = world.job()

    def crash(message: Message) -> None:
        if message.status is MessageStatus.SENT:
            raise RuntimeError("Lambda timed out after SES accepted")

    world.messages.before_save = crash
    with pytest.raises(RuntimeError):
        world.reminders.dispatcher.handle(job)
    world.messages.before_save = None
    world.clock.advance(timedelta(seconds=90))  # SQS visibility timeout
    retried = world.reminders.dispatcher.handle(job)
    assert (retried.status, retried.reason) == ("FAILED", "OUTCOME_UNKNOWN")
    assert world.email.calls == 1
    message = only(world)
    assert message.status is MessageStatus.FAILED and message.error_code == "OUTCOME_UNKNOWN"
    # It may have gone out: it counts against the caps (the stricter reading).
    assert len(world.messages.contact_history("acme", "dr-1", AT_10_LIMA - timedelta(days=1))) == 1
    assert world.reminders.dispatcher.handle(job).status == "DUPLICATE"
    assert world.email.calls == 1


def test_a_crash_before_acting_leaves_nothing_and_the_retry_sends_once(world: Scenario) -> None:
    world.campaign(step(E))
    job = world.job()
    history = world.messages.contact_history

    def timeout(*args: object) -> object:
        world.messages.contact_history = history  # type: ignore[method-assign]
        raise TimeoutError("DynamoDB read timed out")

    world.messages.contact_history = timeout  # type: ignore[method-assign,assignment]
    with pytest.raises(TimeoutError):
        world.reminders.dispatcher.handle(job)
    assert world.messages.all() == [] and world.messages.claims == {}
    assert world.reminders.dispatcher.handle(job).status == "SENT"
    assert world.email.calls == 1 and len(world.messages.all()) == 1


def test_a_crash_while_calling_the_provider_is_never_sent_again(world: Scenario) -> None:
    world.campaign(step(E))
    job = world.job()
    world.email.fail_next.append(RuntimeError("Lambda killed mid-call"))
    with pytest.raises(RuntimeError):
        world.reminders.dispatcher.handle(job)
    assert only(world).status is MessageStatus.SENDING
    assert world.reminders.dispatcher.handle(job).reason == "OUTCOME_UNKNOWN"
    assert world.email.calls == 1


def test_acting_writes_little_and_deferring_nothing(world: Scenario) -> None:
    world.campaign(step(E))
    world.reminders.dispatcher.handle(world.job())
    assert world.messages.writes == 2  # the claim with SENDING, then SENT with its contact
    world.campaign(step(E, step_id="s1"), cid="cmp-2")
    world.update_debtor(lambda d: setattr(d, "opted_out_all", True))
    before = world.messages.writes
    world.reminders.dispatcher.handle(world.job("s1", campaign_id="cmp-2"))
    assert world.messages.writes == before + 1  # a block is its claim


def test_a_duplicate_delivery_racing_the_send_does_not_lose_the_sent_record(world: Scenario) -> None:
    world.campaign(step(E))
    job = world.job()
    racing: list[str] = []

    def duplicate_arrives(message: Message) -> None:
        if message.status is MessageStatus.SENT and not racing:
            world.messages.before_save = None
            racing.append(world.reminders.dispatcher.handle(job).reason)  # sees SENDING

    world.messages.before_save = duplicate_arrives
    assert world.reminders.dispatcher.handle(job).status == "SENT"
    assert racing == ["OUTCOME_UNKNOWN"] and world.email.calls == 1
    message = only(world)
    assert message.status is MessageStatus.SENT and message.error_code is None
    assert message.provider_message_id == "ses-1"
    stats = world.messages.get_stats("acme", "cmp-1")
    assert (stats.sent, stats.failed) == (1, 0)
    assert len(world.messages.contact_history("acme", "dr-1", AT_10_LIMA - timedelta(days=1))) == 1


def test_debts_claimed_by_another_grouping_are_left_to_it(world: Scenario) -> None:
    world.campaign(step(E))
    assert world.reminders.dispatcher.handle(world.job(debts=("dt-1",))).status == "SENT"
    assert world.reminders.dispatcher.handle(world.job()).status == "SENT"
    assert [m.debt_ids for m in world.messages.all()] == [["dt-1"], ["dt-2"]]


# --- state changed since planning --------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda d: setattr(d, "paid_total", d.original_amount),
        lambda d: setattr(d, "disputed", True),
        lambda d: setattr(d, "written_off", True),
        lambda d: setattr(d, "due_date", DUE + timedelta(days=10)),
    ],
    ids=["paid", "disputed", "written-off", "re-dated"],
)
def test_a_debt_that_changed_since_planning_is_not_chased(world: Scenario, change: object) -> None:
    world.campaign(step(E))
    world.update_debt("dt-1", change)  # type: ignore[arg-type]
    assert world.reminders.dispatcher.handle(world.job()).status == "SENT"
    assert only(world).debt_ids == ["dt-2"]
    world.update_debt("dt-2", change)  # type: ignore[arg-type]
    result = world.reminders.dispatcher.handle(world.job(occurrence=DUE))
    assert result.status in ("SKIPPED", "DUPLICATE")
    assert len(world.email.sent) == 1


def test_every_debt_paid_or_the_campaign_paused_sends_nothing(world: Scenario) -> None:
    world.campaign(step(E), status=CampaignStatus.PAUSED)
    assert world.reminders.dispatcher.handle(world.job()).status == "SKIPPED"
    world.campaign(step(E))
    for debt_id in ("dt-1", "dt-2"):
        world.update_debt(debt_id, lambda d: setattr(d, "paid_total", d.original_amount))
    assert world.reminders.dispatcher.handle(world.job()).status == "SKIPPED"
    assert world.email.sent == [] and world.messages.all() == []


# --- the contact policy at send time -----------------------------------------------------------------


def test_an_opted_out_address_is_blocked_with_the_rule_and_counted(world: Scenario) -> None:
    world.campaign(step(E))
    world.update_debtor(lambda d: setattr(d.contacts[0], "status", ContactStatus.OPTED_OUT))
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "BLOCKED" and result.rule_ids == ("PE-PRODUCT-opt-out",)
    message = only(world)
    assert message.status is MessageStatus.BLOCKED and message.decision is not None
    assert message.decision.policy_id == "PE-29571" and message.decision.policy_version
    assert world.messages.get_stats("acme", "cmp-1").blocked_by_rule == {"PE-PRODUCT-opt-out": 1}
    assert world.email.sent == []


def test_a_block_about_the_address_tries_the_fallback_channel(world: Scenario) -> None:
    world.campaign(step(E, fallback=S))
    world.update_debtor(lambda d: setattr(d.contacts[0], "status", ContactStatus.INVALID))
    result = world.reminders.dispatcher.handle(world.job())
    assert (result.status, result.channel) == ("SENT", "SMS")
    assert world.email.sent == [] and [m.to for m in world.sms.sent] == [PHONE]
    assert only(world).channel is S


def test_without_any_address_the_block_is_no_contact_point(world: Scenario) -> None:
    world.campaign(step(E))
    world.update_debtor(
        lambda d: setattr(d, "contacts", [c for c in d.contacts if c.kind is not ContactKind.EMAIL])
    )
    result = world.reminders.dispatcher.handle(world.job())
    assert (result.status, result.rule_ids) == ("BLOCKED", ("NO_CONTACT_POINT",))


def test_stop_all_contact_blocks_every_channel_including_the_fallback(world: Scenario) -> None:
    world.campaign(step(E, fallback=S))
    world.update_debtor(lambda d: setattr(d, "opted_out_all", True))
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "BLOCKED" and world.email.sent == [] and world.sms.sent == []


def test_at_20_00_in_lima_the_job_is_deferred_and_hops(world: Scenario) -> None:
    world.campaign(step(S))
    world.clock.set(datetime(2026, 12, 15, 1, 0, tzinfo=UTC))  # Monday 20:00:00 in Lima
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "DEFERRED" and world.sms.sent == []
    [(job, delay)] = world.queue.jobs
    assert delay == 900 and job == world.job()
    assert world.messages.all() == []  # nothing is written while the job waits
    world.clock.set(datetime(2026, 12, 15, 11, 50, tzinfo=UTC))  # Tuesday 06:50: ten minutes to go
    assert world.reminders.dispatcher.handle(job).status == "DEFERRED"
    assert world.queue.jobs[-1][1] == 600
    world.clock.set(datetime(2026, 12, 15, 12, 0, tzinfo=UTC))  # 07:00
    assert world.reminders.dispatcher.handle(job).status == "SENT"
    assert len(world.messages.all()) == 1


def test_on_sunday_the_job_waits_for_monday_7_00_in_lima(world: Scenario) -> None:
    world.campaign(step(E, offset=-1))
    sunday = DUE - timedelta(days=1)
    world.clock.set(datetime(2026, 12, 13, 15, 0, tzinfo=UTC))
    result = world.reminders.dispatcher.handle(world.job(occurrence=sunday))
    assert result.status == "DEFERRED" and result.rule_ids
    world.clock.set(datetime(2026, 12, 14, 11, 59, tzinfo=UTC))  # Monday 06:59
    world.reminders.dispatcher.handle(world.job(occurrence=sunday))
    assert world.queue.jobs[-1][1] == 60


def test_a_deferral_past_the_campaign_staleness_is_recorded_skipped(world: Scenario) -> None:
    campaign = world.campaign(step(E, offset=-3))
    campaign.staleness_days = 1
    world.campaigns.save_campaign(campaign, campaign.version)
    friday = date(2026, 12, 11)
    world.clock.set(datetime(2026, 12, 12, 1, 30, tzinfo=UTC))  # Friday 20:30: next window Monday
    result = world.reminders.dispatcher.handle(world.job(occurrence=friday))
    assert result.status == "SKIPPED" and world.queue.jobs == []
    assert only(world).status is MessageStatus.SKIPPED
    assert world.messages.get_stats("acme", "cmp-1").skipped == 1


# --- the provider ------------------------------------------------------------------------------------


def test_throttling_goes_back_to_the_queue_with_backoff_and_loses_nothing(world: Scenario) -> None:
    world.campaign(step(E))
    world.email.fail_next.append(TransientSendError("Maximum sending rate exceeded.", "Throttling"))
    assert world.reminders.dispatcher.handle(world.job()).status == "RETRY"
    [(again, delay)] = world.queue.jobs
    assert 10 <= delay <= 20 and again.attempt == 1
    assert only(world).status is MessageStatus.QUEUED
    assert world.reminders.dispatcher.handle(again).status == "SENT"
    message = only(world)
    assert message.status is MessageStatus.SENT and message.attempts == 2 and len(world.email.sent) == 1


def test_throttled_six_times_is_recorded_failed(world: Scenario) -> None:
    world.campaign(step(E))
    world.email.fail_next.extend(TransientSendError("slow down", "Throttling") for _ in range(6))
    job = world.job()
    statuses = []
    for _ in range(6):
        statuses.append(world.reminders.dispatcher.handle(job).status)
        job = world.queue.jobs[-1][0]
    assert statuses == ["RETRY"] * 5 + ["FAILED"]
    assert [d for _, d in world.queue.jobs] == sorted(d for _, d in world.queue.jobs)
    assert only(world).status is MessageStatus.FAILED and world.email.sent == []


def test_a_number_the_provider_reports_opted_out_is_marked_and_the_fallback_used(world: Scenario) -> None:
    world.campaign(step(S, fallback=E))
    world.sms.fail_next.append(PermanentSendError("+51987654321 opted out of SMS", "OPTED_OUT"))
    result = world.reminders.dispatcher.handle(world.job())
    assert (result.status, result.channel) == ("SENT", "EMAIL")
    debtor = world.get_debtor()
    assert [c.status for c in debtor.contacts if c.kind is ContactKind.PHONE] == [ContactStatus.OPTED_OUT]
    assert any(a.action == "contactOptedOut" for a in world.ledger.audits)
    assert only(world).status is MessageStatus.SENT


def test_a_permanent_refusal_is_recorded_and_not_retried(world: Scenario) -> None:
    world.campaign(step(E, fallback=S))
    world.email.fail_next.append(PermanentSendError("Email address is not verified.", "MessageRejected"))
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "FAILED" and "MessageRejected" in result.reason
    assert world.queue.jobs == [] and world.sms.sent == []
    assert only(world).error_code == "MessageRejected"


# --- call tasks --------------------------------------------------------------------------------------


def test_a_call_task_goes_to_the_assigned_agent_and_pings_their_phones(world: Scenario) -> None:
    world.campaign(step(C))
    world.update_debtor(lambda d: setattr(d, "assigned_agent_id", "ag-1"))
    for token in ("phone-a", "phone-b"):
        world.messages.save_device(AgentDevice("acme", "ag-1", token, "ANDROID", f"arn:{token}"))
    world.push.fail_next.append(PermanentSendError("endpoint disabled", "ENDPOINT_DISABLED"))
    job = world.job()
    result = world.reminders.dispatcher.handle(job)
    assert result.status == "SENT" and result.channel == "CALL_TASK"
    [task] = world.messages.list_tasks("acme", "ag-1", PageRequest(first=10)).items
    assert task.due_at == job.planned_at and task.debt_ids == ["dt-1", "dt-2"]
    assert task.script and "Rosa Quispe" in task.script
    message = only(world)
    assert message.channel is C and message.status is MessageStatus.SENT and message.task_id == task.id
    assert world.messages.contact_history("acme", "dr-1", AT_10_LIMA - timedelta(days=1)) == []
    [push] = world.push.sent  # the first phone failed, the second got it
    assert push.data == {"taskId": task.id} and "Rosa" not in (push.text or "")
    assert world.reminders.dispatcher.handle(job).status == "DUPLICATE"
    assert len(world.messages.list_tasks("acme", None, PageRequest(first=10)).items) == 1
