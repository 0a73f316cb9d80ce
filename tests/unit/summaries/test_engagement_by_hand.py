"""Contact rates per channel and message-to-payment conversion, by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.campaigns.model import Message, MessageStatus
from domain.entities import Allocation, Payment, PaymentMethod
from domain.summaries.engagement import ChannelContact, contact_rates, conversion
from domain.templates import TemplateChannel

S = MessageStatus


def msg(id: str, debtor: str, channel: TemplateChannel, status: MessageStatus, day: int) -> Message:
    at = datetime(2026, 3, day, 15, 0, tzinfo=UTC)
    return Message(
        tenant="acme",
        id=id,
        debtor_id=debtor,
        debt_ids=["d-" + debtor],
        channel=channel,
        status=status,
        occurrence=date(2026, 3, day),
        created_at=at,
        sent_at=at if status in (S.SENT, S.DELIVERED) else None,
    )


def payment(
    id: str, debtor: str, amount: str, cur: str, paid_at: datetime, reversed: bool = False
) -> Payment:
    return Payment(
        tenant="acme",
        id=id,
        debtor_id=debtor,
        amount=Decimal(amount),
        currency=cur,
        paid_at=paid_at,
        method=PaymentMethod.TRANSFER,
        allocations=[Allocation("d-" + debtor, Decimal(amount))],
        unapplied=Decimal(0),
        idempotency_key=id,
        reversed_at=paid_at if reversed else None,
    )


EMAIL, SMS = TemplateChannel.EMAIL, TemplateChannel.SMS
MESSAGES = [
    msg("m1", "x", EMAIL, S.DELIVERED, 2),
    msg("m2", "y", EMAIL, S.BOUNCED, 2),
    msg("m3", "x", SMS, S.SENT, 3),
    msg("m4", "z", SMS, S.BLOCKED, 3),  # the policy refused it: not an attempt
    msg("m5", "x", EMAIL, S.DELIVERED, 20),
    msg("m6", "w", EMAIL, S.QUEUED, 21),  # not sent yet: not an attempt
]
PAYMENTS = [
    payment("p1", "x", "50.00", "PEN", datetime(2026, 3, 5, 12, tzinfo=UTC)),  # 3 and 2 days after m1, m3
    payment("p2", "y", "20.00", "PEN", datetime(2026, 3, 3, 12, tzinfo=UTC)),  # y was never reached
    payment("p3", "x", "10.00", "USD", datetime(2026, 4, 10, 12, tzinfo=UTC)),  # 21 days after m5
    payment("p4", "x", "99.00", "PEN", datetime(2026, 3, 21, 12, tzinfo=UTC), reversed=True),
]


def test_contact_rate_per_channel() -> None:
    assert contact_rates(MESSAGES) == [
        ChannelContact("EMAIL", attempted=2, reached=1, rate=Decimal("0.5000")),  # x of {x, y}
        ChannelContact("SMS", attempted=1, reached=1, rate=Decimal("1.0000")),
    ]


def test_messages_to_payment_conversion() -> None:
    result = conversion(MESSAGES, PAYMENTS)
    # Reached: m1, m3, m5. m1 and m3 are followed by p1 within 7 days; m5 only by a reversed payment.
    assert (result.messages, result.converted, result.rate) == (3, 2, Decimal("0.6667"))
    assert result.collected == {"PEN": Decimal("50.00")}  # p1 once, though it follows two messages


def test_no_messages_no_rate() -> None:
    assert contact_rates([]) == []
    assert conversion([], PAYMENTS).rate is None
