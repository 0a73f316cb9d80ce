"""`DynamoMessageRepository` on moto: claims are all-or-nothing, saves are versioned and carry their
contact entry, lookups by provider id and by our id, the address registry, lists newest first with
filters that refill pages, tasks, devices and ADD-only counters; every key where DESIGN.md says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.campaigns.model import AgentDevice, CallTask, CampaignStats, Message, MessageStatus
from domain.campaigns.ports import MessageFilter, SendClaim
from domain.entities import Channel
from domain.errors import ConcurrencyConflict
from domain.policy import ContactRecord
from domain.ports import PageRequest
from domain.templates import TemplateChannel
from infra.dynamodb.message_repository import DynamoMessageRepository

T0 = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
DAY = date(2026, 12, 14)


@pytest.fixture
def store(table: str) -> DynamoMessageRepository:
    return DynamoMessageRepository()


def message(n: int, tenant: str = "acme", debtor: str = "dr-1", **kw: Any) -> Message:
    fields: dict[str, Any] = {
        "channel": TemplateChannel.EMAIL,
        "status": MessageStatus.QUEUED,
        "campaign_id": "cmp-1",
        "step_id": "s0",
        "created_at": T0 + timedelta(minutes=n),
    }
    fields.update(kw)
    return Message(tenant, f"msg-{n:02d}", debtor, [f"dt-{n}"], occurrence=DAY, **fields)


def claim(debt: str, step: str = "s0") -> SendClaim:
    return SendClaim(debt, "cmp-1", step, DAY)


def raw(dynamodb: Any, pk: str, sk: str) -> dict[str, Any]:
    return dict(
        dynamodb.get_item(TableName="recaudo-test", Key={"PK": {"S": pk}, "SK": {"S": sk}}).get("Item", {})
    )


def test_a_claim_is_written_with_its_message_and_refused_the_second_time(
    store: DynamoMessageRepository, dynamodb: Any
) -> None:
    first = message(1)
    assert store.claim_message(first, [claim("dt-1"), claim("dt-2")]) == []
    assert first.version == 1
    item = raw(dynamodb, "T#acme#SEND#dt-1#cmp-1#s0#2026-12-14", "SEND")
    assert item["messagePK"]["S"] == "T#acme#DR#dr-1" and item["messageSK"]["S"] == "MSG#msg-01"
    second = message(2)
    taken = store.claim_message(second, [claim("dt-3"), claim("dt-2")])
    assert taken == [claim("dt-2")]
    assert store.get_message("acme", "dr-1", "msg-02") is None  # nothing of the second was written
    assert raw(dynamodb, "T#acme#SEND#dt-3#cmp-1#s0#2026-12-14", "SEND") == {}
    owner = store.message_for_claim("acme", claim("dt-2"))
    assert owner is not None and owner.id == "msg-01" and owner.status is MessageStatus.QUEUED
    assert store.message_for_claim("acme", claim("dt-9")) is None
    assert store.message_for_claim("globex", claim("dt-1")) is None


def test_saves_are_versioned_and_a_sent_message_carries_its_contact(
    store: DynamoMessageRepository, dynamodb: Any
) -> None:
    m = message(1, channel=TemplateChannel.SMS, to="+51987654321")
    store.claim_message(m, [claim("dt-1")])
    m.status = MessageStatus.SENDING
    store.save_message(m, 1)
    stale = store.get_message("acme", "dr-1", m.id)
    assert stale is not None and stale.version == 2
    m.status, m.provider, m.provider_message_id = MessageStatus.SENT, "sns", "sns-123"
    contact = ContactRecord(Channel.SMS, T0, debt_ids=("dt-1",), address="+51987654321")
    store.save_message(m, 2, contact)
    assert m.version == 3
    stale.status = MessageStatus.FAILED
    with pytest.raises(ConcurrencyConflict):
        store.save_message(stale, stale.version)
    assert store.contact_history("acme", "dr-1", T0 - timedelta(days=1)) == [contact]
    assert store.contact_history("acme", "dr-1", T0 + timedelta(seconds=1)) == []
    entry = raw(dynamodb, "T#acme#DR#dr-1", f"CL#2026-12-14T15:00:00.000000Z#{m.id}")
    assert int(entry["expiresAt"]["N"]) >= int((T0 + timedelta(days=730)).timestamp())
    found = store.find_by_provider_id("acme", "sns-123")
    assert found is not None and found.status is MessageStatus.SENT
    by_ref = store.find_by_provider_id("acme", m.id)  # our own id, as SES echoes it back
    assert by_ref is not None and by_ref.id == m.id
    assert store.find_by_provider_id("globex", "sns-123") is None
    assert store.find_by_provider_id(None, "sns-123") is None
    assert store.debtors_by_address("+51987654321") == [("acme", "dr-1")]
    assert raw(dynamodb, "ADDR#+51987654321", "T#acme#DR#dr-1")["debtorId"]["S"] == "dr-1"


def test_lists_are_newest_first_and_filters_refill_pages(store: DynamoMessageRepository) -> None:
    for n in range(1, 8):
        m = message(n, debtor="dr-1" if n % 2 else "dr-2", campaign_id="cmp-1" if n <= 5 else "cmp-2")
        store.claim_message(m, [claim(f"dt-{n}")])
        if n in (2, 3, 6):
            m.status = MessageStatus.SENT
            store.save_message(m, 1)
    store.claim_message(message(9, tenant="globex"), [claim("dt-9")])

    def ids(query: MessageFilter, first: int = 10, after: str | None = None) -> tuple[list[str], Any]:
        page = store.list_messages("acme", query, PageRequest(first=first, after=after))
        return [m.id for m in page.items], page

    assert ids(MessageFilter())[0] == [f"msg-{n:02d}" for n in (7, 6, 5, 4, 3, 2, 1)]
    assert ids(MessageFilter(campaign_id="cmp-2"))[0] == ["msg-07", "msg-06"]
    assert ids(MessageFilter(debtor_id="dr-2"))[0] == ["msg-06", "msg-04", "msg-02"]
    assert ids(MessageFilter(debtor_id="dr-2", campaign_id="cmp-1"))[0] == ["msg-04", "msg-02"]
    first, page = ids(MessageFilter(status=MessageStatus.SENT), first=2)
    assert first == ["msg-06", "msg-03"] and page.has_next_page
    rest, page = ids(MessageFilter(status=MessageStatus.SENT), first=2, after=page.end_cursor)
    assert rest == ["msg-02"] and not page.has_next_page
    window = MessageFilter(created_from=T0 + timedelta(minutes=2), created_to=T0 + timedelta(minutes=4))
    assert ids(window)[0] == ["msg-04", "msg-03", "msg-02"]
    assert ids(MessageFilter(channel=TemplateChannel.SMS))[0] == []


def test_tasks_by_agent_and_for_the_tenant(store: DynamoMessageRepository) -> None:
    for task_id, agent, hours in (
        ("t-2", "ag-1", 2),
        ("t-1", "ag-1", 1),
        ("t-3", "ag-2", 0),
        ("t-4", None, 3),
    ):
        store.save_task(
            CallTask("acme", task_id, "dr-1", ["dt-1"], agent, "cmp-1", "s0", T0 + timedelta(hours=hours))
        )
    again = CallTask("acme", "t-1", "dr-1", ["dt-1"], "ag-1", "cmp-1", "s0", T0 + timedelta(hours=1))
    store.save_task(again)  # a retried dispatch writes the same item
    mine = store.list_tasks("acme", "ag-1", PageRequest(first=10)).items
    assert [t.id for t in mine] == ["t-1", "t-2"]
    everyone = store.list_tasks("acme", None, PageRequest(first=3))
    assert [t.id for t in everyone.items] == ["t-3", "t-1", "t-2"] and everyone.has_next_page
    assert store.list_tasks("globex", None, PageRequest(first=3)).items == []


def test_devices_follow_their_token_to_the_last_agent(store: DynamoMessageRepository, dynamodb: Any) -> None:
    store.save_device(AgentDevice("acme", "ag-1", "tok-1", "ANDROID", "arn:1", T0))
    store.save_device(AgentDevice("acme", "ag-1", "tok-2", "IOS", "arn:2", T0))
    assert sorted(d.token for d in store.devices_of_agent("acme", "ag-1")) == ["tok-1", "tok-2"]
    store.save_device(AgentDevice("acme", "ag-2", "tok-1", "ANDROID", "arn:1", T0))
    assert [d.token for d in store.devices_of_agent("acme", "ag-1")] == ["tok-2"]
    [moved] = store.devices_of_agent("acme", "ag-2")
    assert (moved.agent_id, moved.endpoint_arn, moved.created_at) == ("ag-2", "arn:1", T0)


def test_counters_only_add_and_keep_money_exact(store: DynamoMessageRepository, dynamodb: Any) -> None:
    store.add_stats("acme", "cmp-1", CampaignStats(planned=3, sent=2, blocked=1, blocked_by_rule={"PE-x": 1}))
    store.add_stats(
        "acme",
        "cmp-1",
        CampaignStats(
            sent=1,
            failed=1,
            blocked=1,
            blocked_by_rule={"PE-x": 1, "NO_CONTACT_POINT": 1},
            payments_within_7_days=1,
            amount_within_7_days={"PEN": Decimal("0.10"), "USD": Decimal("19.99")},
        ),
    )
    store.add_stats("acme", "cmp-1", CampaignStats(amount_within_7_days={"PEN": Decimal("0.20")}))
    store.add_stats("acme", "cmp-1", CampaignStats())  # nothing to add: no write
    stats = store.get_stats("acme", "cmp-1")
    assert (stats.planned, stats.sent, stats.failed, stats.blocked) == (3, 3, 1, 2)
    assert stats.blocked_by_rule == {"PE-x": 2, "NO_CONTACT_POINT": 1}
    assert stats.payments_within_7_days == 1
    assert stats.amount_within_7_days == {"PEN": Decimal("0.30"), "USD": Decimal("19.99")}
    assert Decimal(raw(dynamodb, "T#acme#CMP#cmp-1", "STATS")["amount#PEN"]["N"]) == Decimal("0.3")
    assert store.get_stats("acme", "cmp-9") == CampaignStats()


def test_a_payment_is_attributed_to_a_campaign_once(store: DynamoMessageRepository, dynamodb: Any) -> None:
    assert store.claim_attribution("acme", "pay-1", "cmp-1") is True
    assert store.claim_attribution("acme", "pay-1", "cmp-1") is False
    assert store.claim_attribution("acme", "pay-1", "cmp-2") is True
    assert raw(dynamodb, "T#acme#ATTR#pay-1#cmp-1", "ATTR")["tenant"]["S"] == "acme"


def test_sent_records_go_together_or_not_at_all(store: DynamoMessageRepository) -> None:
    phone = "+51987654321"
    texts = [message(n, channel=TemplateChannel.SMS, to=phone) for n in (1, 2)]
    for m in texts:
        store.claim_message(m, [claim(m.debt_ids[0])])
    email = message(3)
    store.claim_message(email, [claim("dt-3")])
    store.save_message(email, 1)  # someone else moved it: version 2

    def sent(m: Message) -> tuple[Message, int, ContactRecord]:
        m.status, m.provider_message_id = MessageStatus.SENT, f"p-{m.id}"
        return m, m.version, ContactRecord(Channel.SMS, T0, address=m.to)

    with pytest.raises(ConcurrencyConflict):
        store.save_messages([sent(texts[0]), sent(texts[1]), (email, 1, None)])
    assert [store.get_message("acme", "dr-1", m.id).status for m in texts] == [MessageStatus.QUEUED] * 2  # type: ignore[union-attr]
    assert store.contact_history("acme", "dr-1", T0 - timedelta(days=1)) == []
    # Two texts to one number share its registry item, written once in the transaction.
    store.save_messages([sent(texts[0]), sent(texts[1])])
    assert [m.version for m in texts] == [2, 2]
    assert {store.get_message("acme", "dr-1", m.id).status for m in texts} == {MessageStatus.SENT}  # type: ignore[union-attr]
    assert len(store.contact_history("acme", "dr-1", T0 - timedelta(days=1))) == 2
    assert store.debtors_by_address(phone) == [("acme", "dr-1")]
    found = store.find_by_provider_id("acme", "p-msg-02")
    assert found is not None and found.id == "msg-02"
