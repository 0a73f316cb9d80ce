"""Delivery feedback and opt-outs on in-memory stores: deliveries, bounces, complaints, inbound STOP/BAJA
across tenants, and `debtorOptOut` by hand; applying anything twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.campaigns.feedback import OptOutScope, is_opt_out
from domain.campaigns.model import Message, MessageStatus
from domain.entities import Channel, ContactKind, ContactStatus
from domain.errors import DomainError, NotFound
from domain.messaging import Feedback, FeedbackKind, SendChannel
from domain.principal import Principal, Role
from domain.templates import TemplateChannel
from tests.unit.campaigns.dispatch_fakes import AT_10_LIMA, EMAIL, PHONE, Scenario, step

ADMIN = Principal("ana", "acme", Role.ADMIN)
AGENT = Principal("luis", "acme", Role.AGENT, agent_id="ag-1")


@pytest.fixture
def world() -> Scenario:
    return Scenario()


def sent(world: Scenario, channel: TemplateChannel = TemplateChannel.EMAIL) -> Message:
    world.campaign(step(channel))
    result = world.reminders.dispatcher.handle(world.job())
    assert result.status == "SENT"
    [message] = world.messages.all()
    return message


def ses(kind: FeedbackKind, message: Message | None, address: str = EMAIL, **extra: str) -> Feedback:
    provider_id = message.provider_message_id if message else None
    return Feedback(
        kind, SendChannel.EMAIL, address, AT_10_LIMA.isoformat(), provider_id, tenant="acme", **extra
    )


def statuses(world: Scenario, kind: ContactKind) -> list[ContactStatus]:
    return [c.status for c in world.get_debtor().contacts if c.kind is kind]


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("STOP", True),
        ("baja", True),
        ("Bája", True),
        ("¡BAJA!", True),
        ("  Alto ", True),
        ("Cancelar por favor", True),
        ("unsubscribe", True),
        ("QUIT.", True),
        ("no me interesa", False),
        ("no me den de baja", False),
        ("", False),
        (None, False),
    ],
)
def test_opt_out_keywords_are_the_whole_text_or_its_first_word(text: str | None, stop: bool) -> None:
    assert is_opt_out(text) is stop


def test_a_delivery_marks_the_message_delivered_once(world: Scenario) -> None:
    message = sent(world)
    for _ in range(2):
        world.reminders.feedback.apply([ses(FeedbackKind.DELIVERED, message)])
    [after] = world.messages.all()
    assert after.status is MessageStatus.DELIVERED and after.delivered_at == AT_10_LIMA
    assert world.messages.get_stats("acme", "cmp-1").delivered == 1


def test_a_bounce_marks_the_message_bounced_and_the_email_invalid_once(world: Scenario) -> None:
    message = sent(world)
    bounce = ses(FeedbackKind.BOUNCED, message, detail="550 5.1.1 user unknown")
    first = world.reminders.feedback.apply([bounce])
    second = world.reminders.feedback.apply([bounce])
    assert (first.bounced, second.bounced) == (1, 0)
    assert world.messages.all()[0].status is MessageStatus.BOUNCED
    assert statuses(world, ContactKind.EMAIL) == [ContactStatus.INVALID]
    assert statuses(world, ContactKind.PHONE) == [ContactStatus.VALID]
    assert [a.action for a in world.ledger.audits] == ["contactInvalid"]


def test_a_complaint_opts_the_email_out(world: Scenario) -> None:
    message = sent(world)
    summary = world.reminders.feedback.apply([ses(FeedbackKind.COMPLAINED, message, detail="abuse")])
    assert summary.opted_out == 1
    assert statuses(world, ContactKind.EMAIL) == [ContactStatus.OPTED_OUT]
    # a later bounce never turns an opt-out back into a mere invalid address
    world.reminders.feedback.apply([ses(FeedbackKind.BOUNCED, message)])
    assert statuses(world, ContactKind.EMAIL) == [ContactStatus.OPTED_OUT]


def test_feedback_finds_a_message_whose_outcome_was_unknown_by_our_reference(world: Scenario) -> None:
    world.campaign(step(TemplateChannel.EMAIL))
    job = world.job()

    def crash(message: Message) -> None:
        if message.status is MessageStatus.SENT:
            raise RuntimeError("crash after SES accepted")

    world.messages.before_save = crash
    with pytest.raises(RuntimeError):
        world.reminders.dispatcher.handle(job)
    world.messages.before_save = None
    assert world.reminders.dispatcher.handle(job).reason == "OUTCOME_UNKNOWN"
    [unknown] = world.messages.all()
    delivered = Feedback(
        FeedbackKind.DELIVERED,
        SendChannel.EMAIL,
        EMAIL,
        AT_10_LIMA.isoformat(),
        provider_message_id="0100018c-ses-id",
        reference=unknown.id,
        tenant="acme",
    )
    world.reminders.feedback.apply([delivered])
    [after] = world.messages.all()
    assert after.status is MessageStatus.DELIVERED and after.error_code is None
    assert after.provider_message_id == "0100018c-ses-id"
    stats = world.messages.get_stats("acme", "cmp-1")
    assert (stats.sent, stats.failed, stats.delivered) == (1, 0, 1)


def test_unknown_feedback_is_ignored(world: Scenario) -> None:
    summary = world.reminders.feedback.apply(
        [ses(FeedbackKind.DELIVERED, None), ses(FeedbackKind.SOFT_BOUNCED, None)]
    )
    assert summary.ignored == 2 and world.ledger.audits == []


def test_baja_opts_the_number_out_for_every_debtor_texted_at_it(world: Scenario) -> None:
    sent(world, TemplateChannel.SMS)
    world.messages.addresses[PHONE].add(("globex", "dr-9"))  # another tenant texted the same number
    inbound = Feedback(FeedbackKind.INBOUND, SendChannel.SMS, PHONE, "x", text="Baja")
    first = world.reminders.feedback.apply([inbound])
    second = world.reminders.feedback.apply([inbound])
    assert (first.opted_out, second.opted_out) == (1, 0)  # globex's debtor does not exist here
    assert statuses(world, ContactKind.PHONE) == [ContactStatus.OPTED_OUT]
    assert statuses(world, ContactKind.EMAIL) == [ContactStatus.VALID]
    world.clock.advance(timedelta(days=1))
    assert world.reminders.dispatcher.handle(world.job()).status == "DUPLICATE"


def test_an_inbound_reply_that_is_not_an_opt_out_changes_nothing(world: Scenario) -> None:
    sent(world, TemplateChannel.SMS)
    inbound = Feedback(FeedbackKind.INBOUND, SendChannel.SMS, PHONE, "x", text="Pago el viernes, gracias")
    assert world.reminders.feedback.apply([inbound]).ignored == 1
    assert statuses(world, ContactKind.PHONE) == [ContactStatus.VALID]


# --- debtorOptOut -------------------------------------------------------------------------------------


def test_opt_out_one_address_by_hand_is_audited_and_idempotent(world: Scenario) -> None:
    debtor = world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.ADDRESS, address=EMAIL.upper())
    assert [c.status for c in debtor.contacts if c.kind is ContactKind.EMAIL] == [ContactStatus.OPTED_OUT]
    world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.ADDRESS, address=EMAIL)
    [audit] = world.ledger.audits
    assert audit.actor == "ana" and audit.entity_id == "dr-1"


def test_opt_out_a_channel_or_everything(world: Scenario) -> None:
    debtor = world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.CHANNEL, Channel.SMS)
    assert debtor.opted_out_channels == [Channel.SMS]
    world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.CHANNEL, Channel.SMS)
    debtor = world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.ALL)
    assert debtor.opted_out_all and world.get_debtor().opted_out_all
    assert [a.action for a in world.ledger.audits] == ["debtorOptOut", "debtorOptOut"]
    assert world.ledger.audits[-1].after == {
        "opted_out_channels": ["SMS"],
        "opted_out_all": True,
        "scope": "ALL",
    }


def test_opt_out_input_errors(world: Scenario) -> None:
    with pytest.raises(DomainError) as no_address:
        world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.ADDRESS, address="otro@example.pe")
    assert no_address.value.errors[0].field == "address"
    with pytest.raises(DomainError) as no_channel:
        world.reminders.feedback.opt_out(ADMIN, "dr-1", OptOutScope.CHANNEL)
    assert no_channel.value.errors[0].field == "channel"
    with pytest.raises(NotFound):
        world.reminders.feedback.opt_out(ADMIN, "nobody", OptOutScope.ALL)


def test_an_agent_opts_out_only_its_own_debtors(world: Scenario) -> None:
    with pytest.raises(NotFound):
        world.reminders.feedback.opt_out(AGENT, "dr-1", OptOutScope.ALL)
    world.update_debtor(lambda d: setattr(d, "assigned_agent_id", "ag-1"))
    assert world.reminders.feedback.opt_out(AGENT, "dr-1", OptOutScope.ALL).opted_out_all
