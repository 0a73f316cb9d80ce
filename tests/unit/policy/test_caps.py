"""Frequency caps: compliance.md section 3, edge cases 6 (rolling windows) and 7 (counting)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from domain.entities import Channel
from domain.policy import AttemptKind, CapRule, Direction, Outcome, PolicyBook, Recipient, TenantOverlay
from domain.policy.caps import CapCheck
from tests.unit.policy._support import BOOK, local, record, request

CALL, SMS, EMAIL = Channel.CALL, Channel.SMS, Channel.EMAIL
SEVEN_CALLS = "US-REGF-1006.14b2iA-7-calls"
QUIET = "US-REGF-1006.14b2iB-quiet-after-conversation"

# 6. Rolling windows ------------------------------------------------------------------------------


def test_6_us_eighth_call_at_t_plus_7d_minus_1s_is_deferred_and_at_t_plus_7d_allowed() -> None:
    # GIVEN seven calls, the first at T (Monday 10:00 Eastern), one an hour
    t = local("US", 2025, 6, 2, 10, 0)
    history = [record(CALL, t + timedelta(hours=i), kind=AttemptKind.ATTEMPT) for i in range(7)]
    # WHEN the 8th call is evaluated one second before T+7d, and at T+7d
    early = BOOK.evaluate(request("US", t + timedelta(days=7, seconds=-1), CALL), history)
    on_time = BOOK.evaluate(request("US", t + timedelta(days=7), CALL), history)
    # THEN the first is a presumed violation deferred to exactly T+7d; the second is allowed
    assert (early.outcome, early.rule_ids, early.until) == (
        Outcome.DEFER,
        (SEVEN_CALLS,),
        t + timedelta(days=7),
    )
    assert on_time.outcome is Outcome.SEND


def test_6_us_seven_day_quiet_period_after_a_conversation() -> None:
    # GIVEN a phone conversation at T
    t = local("US", 2025, 6, 2, 10, 0)
    history = [record(CALL, t, kind=AttemptKind.CONVERSATION)]
    # THEN calls wait until exactly T+7d, while an e-mail the next day is not affected
    early = BOOK.evaluate(request("US", t + timedelta(days=7, seconds=-1), CALL), history)
    assert (early.outcome, early.rule_ids, early.until) == (Outcome.DEFER, (QUIET,), t + timedelta(days=7))
    assert BOOK.evaluate(request("US", t + timedelta(days=7), CALL), history).outcome is Outcome.SEND
    assert BOOK.evaluate(request("US", t + timedelta(days=1), EMAIL), history).outcome is Outcome.SEND


def test_6_chile_sms_monday_then_wednesday_allowed_monday_then_tuesday_deferred() -> None:
    # GIVEN an SMS on Monday 2025-06-02 10:00 in Santiago
    history = [record(SMS, local("CL", 2025, 6, 2, 10, 0))]
    tuesday = BOOK.evaluate(request("CL", local("CL", 2025, 6, 3, 10, 0), SMS), history)
    wednesday_early = BOOK.evaluate(request("CL", local("CL", 2025, 6, 4, 9, 59, 59), SMS), history)
    wednesday = BOOK.evaluate(request("CL", local("CL", 2025, 6, 4, 10, 0), SMS), history)
    # THEN Tuesday waits for Wednesday 10:00 (two days apart, read as 48 hours), Wednesday 10:00 goes
    assert (tuesday.outcome, tuesday.rule_ids) == (Outcome.DEFER, ("CL-21320-other-media-week",))
    assert tuesday.until == local("CL", 2025, 6, 4, 10, 0)
    assert wednesday_early.until == local("CL", 2025, 6, 4, 10, 0)
    assert wednesday.outcome is Outcome.SEND


def test_6_chile_third_message_in_a_rolling_week_waits_for_the_first_to_leave_it() -> None:
    # GIVEN an SMS on Monday and an e-mail on Wednesday (other media share the limit of two a week)
    history = [record(SMS, local("CL", 2025, 6, 2, 10, 0)), record(EMAIL, local("CL", 2025, 6, 4, 10, 0))]
    # WHEN a WhatsApp message is evaluated on Friday
    decision = BOOK.evaluate(request("CL", local("CL", 2025, 6, 6, 10, 0), Channel.WHATSAPP), history)
    # THEN it waits until Monday's message is seven days old
    assert (decision.rule_ids, decision.until) == (
        ("CL-21320-other-media-week",),
        local("CL", 2025, 6, 9, 10, 0),
    )


def test_6_chile_calls_sunday_night_then_monday_morning_fail_the_rolling_week() -> None:
    # GIVEN a call logged on Sunday 2025-06-08 21:00 (say, by a previous agency) and one on Saturday 10:00
    sunday_night, monday = local("CL", 2025, 6, 8, 21, 0), local("CL", 2025, 6, 9, 9, 0)
    santiago = ZoneInfo("America/Santiago")
    # a calendar-week rule would pass: different ISO weeks in local time (the same week in UTC!)
    assert (
        sunday_night.astimezone(santiago).isocalendar().week != monday.astimezone(santiago).isocalendar().week
    )
    # WHEN a call is evaluated on Monday morning
    decision = BOOK.evaluate(request("CL", monday, CALL), [record(CALL, sunday_night)])
    # THEN the rolling week blocks it until Sunday 21:00, a closed day, so Monday 16 June 08:00
    assert (decision.outcome, decision.rule_ids) == (Outcome.DEFER, ("CL-21320-calls-visits-week",))
    assert decision.until == local("CL", 2025, 6, 16, 8, 0)
    saturday = BOOK.evaluate(
        request("CL", monday, Channel.VISIT), [record(CALL, local("CL", 2025, 6, 7, 10, 0))]
    )
    assert saturday.until == local("CL", 2025, 6, 14, 10, 0)  # calls and visits share the limit


def test_6_a_cap_that_frees_beyond_the_horizon_gives_no_next_instant() -> None:
    t = local("US", 2025, 6, 2, 10, 0)
    history = [record(CALL, t, kind=AttemptKind.CONVERSATION)]
    req = request("US", t + timedelta(days=1), CALL)
    assert BOOK.next_allowed(req, history) == t + timedelta(days=7)
    assert BOOK.next_allowed(req, history, horizon=timedelta(days=2)) is None


def test_6_calendar_day_cap_frees_at_the_debtors_local_midnight() -> None:
    # GIVEN a one-a-day cap and a contact at 23:30 in Bogotá
    bogota = ZoneInfo("America/Bogota")
    cap = CapRule("ONE-A-DAY", "test", max=1, calendar_day=True)
    check = CapCheck.build(
        cap,
        request("CO", local("CO", 2025, 6, 3, 23, 30)),
        [record(SMS, local("CO", 2025, 6, 3, 23, 30))],
        bogota,
    )
    # THEN it blocks until 00:00 local (05:00 UTC), not until UTC midnight
    assert not check.allows(local("CO", 2025, 6, 3, 23, 59, 59))
    assert check.allows(local("CO", 2025, 6, 4, 0, 0))
    assert check.frees_at(local("CO", 2025, 6, 3, 23, 45), local("CO", 2025, 6, 10, 0, 0)) == local(
        "CO", 2025, 6, 4, 0, 0
    )


# 7. Counting -------------------------------------------------------------------------------------


def test_7_co_second_channel_in_the_same_week_is_deferred() -> None:
    # GIVEN a call that reached the debtor on Tuesday 2025-06-03
    history = [record(CALL, local("CO", 2025, 6, 3, 10, 0))]
    # WHEN an SMS is evaluated on Thursday
    decision = BOOK.evaluate(request("CO", local("CO", 2025, 6, 5, 10, 0), SMS), history)
    # THEN it waits a rolling week after the call
    assert decision.outcome is Outcome.DEFER
    assert "CO-2300-one-channel-per-week" in decision.rule_ids
    assert decision.until == local("CO", 2025, 6, 10, 10, 0)


def test_7_co_requested_information_is_exempt() -> None:
    history = [record(CALL, local("CO", 2025, 6, 3, 10, 0))]
    # WHEN the debtor asked for the payment details and we send them by SMS, THEN it goes
    req = request("CO", local("CO", 2025, 6, 3, 11, 0), SMS, requested_information=True)
    assert BOOK.evaluate(req, history).outcome is Outcome.SEND
    # AND a message the debtor asked for does not use up the day or the week
    asked = [record(SMS, local("CO", 2025, 6, 3, 9, 0), requested_by_debtor=True)]
    assert BOOK.evaluate(request("CO", local("CO", 2025, 6, 3, 15, 0), CALL), asked).outcome is Outcome.SEND


def test_7_co_an_unanswered_attempt_counts_for_the_one_contact_a_day() -> None:
    # GIVEN an unanswered call this morning (the conservative reading of "contacto directo")
    history = [record(CALL, local("CO", 2025, 6, 3, 9, 0), kind=AttemptKind.ATTEMPT)]
    decision = BOOK.evaluate(request("CO", local("CO", 2025, 6, 3, 15, 0), CALL), history)
    assert decision.outcome is Outcome.DEFER
    assert "CO-2300-one-per-day" in decision.rule_ids


def test_7_co_same_channel_later_in_the_week_follows_the_stricter_reading() -> None:
    history = [record(CALL, local("CO", 2025, 6, 3, 10, 0))]
    decision = BOOK.evaluate(request("CO", local("CO", 2025, 6, 6, 10, 0), CALL), history)
    assert decision.rule_ids == ("CO-2300-once-per-week-per-channel",)
    assert decision.overlays == ("CO-STRICT-WEEK",)


def test_7_co_contacts_with_a_co_debtor_count_for_the_co_debtor_only() -> None:
    history = [record(CALL, local("CO", 2025, 6, 3, 10, 0), recipient=Recipient.CO_DEBTOR, person="p-2")]
    req = request("CO", local("CO", 2025, 6, 3, 11, 0), CALL, person="p-1")
    assert BOOK.evaluate(req, history).outcome is Outcome.SEND


def test_7_us_inbound_calls_are_excluded() -> None:
    # GIVEN six outbound calls and three missed calls from the consumer in the last week
    t = local("US", 2025, 6, 2, 10, 0)
    outbound = [record(CALL, t + timedelta(hours=i), kind=AttemptKind.ATTEMPT) for i in range(6)]
    inbound = [
        record(CALL, t + timedelta(days=1, hours=i), direction=Direction.INBOUND, kind=AttemptKind.ATTEMPT)
        for i in range(3)
    ]
    # THEN the 7th outbound call is allowed, but not an 8th
    req = request("US", t + timedelta(days=2), CALL)
    assert BOOK.evaluate(req, outbound + inbound).outcome is Outcome.SEND
    extra = record(CALL, t + timedelta(hours=6), kind=AttemptKind.ATTEMPT)
    assert BOOK.evaluate(req, [*outbound, extra, *inbound]).rule_ids == (SEVEN_CALLS,)


def test_7_us_a_multi_debt_conversation_counts_for_each_debt() -> None:
    # GIVEN a conversation about debts A and B
    t = local("US", 2025, 6, 2, 10, 0)
    history = [record(CALL, t, kind=AttemptKind.CONVERSATION, debt_ids=("A", "B"))]
    later = t + timedelta(days=1)
    # THEN calls about A or B wait, a call about C does not, and a call about C and A waits
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("B",)), history).rule_ids == (QUIET,)
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("C",)), history).outcome is Outcome.SEND
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("C", "A")), history).outcome is Outcome.DEFER


def test_7_us_seven_calls_about_two_debts_count_against_both() -> None:
    t = local("US", 2025, 6, 2, 10, 0)
    history = [
        record(CALL, t + timedelta(hours=i), kind=AttemptKind.ATTEMPT, debt_ids=("A", "B")) for i in range(7)
    ]
    later = t + timedelta(days=1)
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("A",)), history).rule_ids == (SEVEN_CALLS,)
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("B",)), history).rule_ids == (SEVEN_CALLS,)
    assert BOOK.evaluate(request("US", later, CALL, debt_ids=("C",)), history).outcome is Outcome.SEND


def test_7_massachusetts_overlay_third_call_or_text_in_7_days_is_deferred() -> None:
    # GIVEN two calls this week about debt A
    t = local("US", 2025, 6, 2, 10, 0)
    history = [
        record(CALL, t, kind=AttemptKind.ATTEMPT, debt_ids=("A",)),
        record(SMS, t + timedelta(days=1), debt_ids=("A",)),
    ]
    third = t + timedelta(days=2)
    # WHEN the debtor lives in Massachusetts, THEN the third call or text waits a rolling week
    ma = BOOK.evaluate(request("US", third, CALL, subdivision="MA", debt_ids=("A",)), history)
    assert (ma.outcome, ma.rule_ids) == (Outcome.DEFER, ("US-MA-940CMR7.04-1f-2-per-week",))
    assert ma.until == t + timedelta(days=7)
    assert ma.overlays == ("US-MA",)
    text = BOOK.evaluate(request("US", third, SMS, subdivision="US-MA", debt_ids=("A",)), history)
    assert text.outcome is Outcome.DEFER
    # AND elsewhere in the US, or about another debt, it is allowed
    assert (
        BOOK.evaluate(request("US", third, CALL, subdivision="NY", debt_ids=("A",)), history).outcome
        is Outcome.SEND
    )
    assert (
        BOOK.evaluate(request("US", third, CALL, subdivision="MA", debt_ids=("Z",)), history).outcome
        is Outcome.SEND
    )


def test_7_tenant_caps_add_to_the_statutory_ones() -> None:
    # GIVEN a Peruvian tenant allowing one e-mail a day (Peru has no numeric cap)
    cap = CapRule(
        "ACME-one-email-a-day",
        "Acme collections policy",
        max=1,
        calendar_day=True,
        channels=frozenset({EMAIL}),
        count_channels=frozenset({EMAIL}),
    )
    book = PolicyBook({"PE": TenantOverlay(id="ACME", caps=(cap,))})
    history = [record(EMAIL, local("PE", 2025, 6, 3, 9, 0))]
    req = request("PE", local("PE", 2025, 6, 3, 15, 0))
    assert BOOK.evaluate(req, history).outcome is Outcome.SEND
    decision = book.evaluate(req, history)
    assert (decision.rule_ids, decision.until) == (("ACME-one-email-a-day",), local("PE", 2025, 6, 4, 7, 0))


def test_lookback_covers_the_longest_cap() -> None:
    assert BOOK.lookback("US") == timedelta(days=7)
    assert BOOK.lookback("CL") == timedelta(days=7)
    assert BOOK.lookback("PE") == timedelta(0)
    assert BOOK.lookback("AR") == timedelta(days=7)  # the DEFAULT policy's weekly cap
