"""Contact hours: compliance.md section 3, edge cases 1 (boundaries), 2 (crossing the end), 3 (DST),
4 (holidays) and 5 (time-zone mismatch)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.entities import Channel
from domain.errors import DomainError, ErrorCode
from domain.policy import HoursOverride, Outcome, OverrideInstrument, PolicyBook, TenantOverlay
from domain.policy.windows import holiday_dates, wall_to_utc
from tests.unit.policy._support import BOOK, local, request, utc

NEW_YORK = ZoneInfo("America/New_York")


# 1. Window boundaries ----------------------------------------------------------------------------


def test_1_pe_19_59_59_is_allowed_and_20_00_00_is_deferred_to_the_next_morning() -> None:
    # GIVEN a Tuesday in Lima
    # WHEN an e-mail goes out one second before 20:00, then exactly at 20:00
    before = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 19, 59, 59)), [])
    at_end = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 20, 0, 0)), [])
    # THEN the window is half-open: 19:59:59 is inside, 20:00 waits for Wednesday 07:00
    assert before.outcome is Outcome.SEND
    assert (before.policy_id, before.rule_ids) == ("PE-29571", ())
    assert at_end.outcome is Outcome.DEFER
    assert at_end.until == local("PE", 2025, 6, 4, 7, 0)
    assert at_end.rule_ids == ("PE-29571-62b-hours",)


def test_1_pe_window_opens_at_07_00_00() -> None:
    # GIVEN a Tuesday in Lima, WHEN a message goes out at 06:59:59 and at 07:00:00
    early = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 6, 59, 59)), [])
    opening = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 7, 0, 0)), [])
    # THEN the first waits one second, the second is sent
    assert (early.outcome, early.until) == (Outcome.DEFER, local("PE", 2025, 6, 3, 7, 0))
    assert opening.outcome is Outcome.SEND


def test_1_co_weekdays_end_at_19_00_and_saturdays_at_15_00() -> None:
    # GIVEN Colombia under Ley 2300, Friday 2025-06-06 and Saturday 2025-06-07
    friday_last = BOOK.evaluate(request("CO", local("CO", 2025, 6, 6, 18, 59, 59)), [])
    friday_end = BOOK.evaluate(request("CO", local("CO", 2025, 6, 6, 19, 0)), [])
    saturday_last = BOOK.evaluate(request("CO", local("CO", 2025, 6, 7, 14, 59, 59)), [])
    saturday_end = BOOK.evaluate(request("CO", local("CO", 2025, 6, 7, 15, 0)), [])
    # THEN Friday 19:00 waits for Saturday 08:00, Saturday 15:00 waits for Monday 07:00 (no Sundays)
    assert friday_last.outcome is Outcome.SEND and saturday_last.outcome is Outcome.SEND
    assert friday_end.until == local("CO", 2025, 6, 7, 8, 0)
    assert saturday_end.until == local("CO", 2025, 6, 9, 7, 0)
    assert saturday_end.rule_ids == ("CO-2300-art3-hours",)
    assert saturday_end.policy_id == "CO-2300"


def test_1_us_20_59_is_allowed_and_21_00_is_deferred() -> None:
    # GIVEN a consumer in New York
    last = BOOK.evaluate(request("US", local("US", 2025, 6, 3, 20, 59, 59)), [])
    nine = BOOK.evaluate(request("US", local("US", 2025, 6, 3, 21, 0)), [])
    # THEN "after 9 p.m." is read conservatively: 21:00 itself is outside
    assert last.outcome is Outcome.SEND
    assert (nine.outcome, nine.until) == (Outcome.DEFER, local("US", 2025, 6, 4, 8, 0))
    assert nine.rule_ids == ("US-REGF-1006.6b1-hours",)


def test_1_mx_06_59_is_deferred_to_07_00() -> None:
    decision = BOOK.evaluate(request("MX", local("MX", 2025, 6, 3, 6, 59), Channel.CALL), [])
    assert (decision.outcome, decision.until) == (Outcome.DEFER, local("MX", 2025, 6, 3, 7, 0))
    assert decision.rule_ids == ("MX-CONDUSEF-hours",)


# 2. Crossing the end time ------------------------------------------------------------------------


def test_2_pe_call_dialled_at_19_58_would_run_past_20_00_so_the_end_buffer_defers_it() -> None:
    # GIVEN a 15-minute end buffer for calls in Peru
    last_dial = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 19, 44, 59), Channel.CALL), [])
    late_dial = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 19, 58), Channel.CALL), [])
    # THEN 19:44:59 may still be dialled, 19:58 waits for the next morning, citing the buffer rule
    assert last_dial.outcome is Outcome.SEND
    assert (late_dial.outcome, late_dial.until) == (Outcome.DEFER, local("PE", 2025, 6, 4, 7, 0))
    assert late_dial.rule_ids == ("PE-29571-62b-end-buffer",)


def test_2_sms_queued_at_19_59_and_delivered_at_20_01_is_caught_at_dispatch() -> None:
    # GIVEN an SMS queued at 19:54:59 (allowed) and one queued at 19:59 (inside the 5-minute buffer)
    queued_early = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 19, 54, 59), Channel.SMS), [])
    queued_late = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 19, 59), Channel.SMS), [])
    # WHEN the dispatcher re-checks at 20:01 after a queue delay
    dispatched = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 20, 1), Channel.SMS), [])
    # THEN only the early one goes; the re-check at dispatch defers the delayed one
    assert queued_early.outcome is Outcome.SEND
    assert queued_late.rule_ids == ("PE-29571-62b-end-buffer",)
    assert (dispatched.outcome, dispatched.rule_ids) == (Outcome.DEFER, ("PE-29571-62b-hours",))
    assert dispatched.until == local("PE", 2025, 6, 4, 7, 0)


# 3. DST ------------------------------------------------------------------------------------------


def test_3_us_spring_forward_02_00_to_03_00_does_not_exist() -> None:
    # GIVEN 2025-03-09 in New York, when 02:00 EST jumps to 03:00 EDT
    # THEN a wall time inside the gap maps to the end of the gap, whatever the fold
    assert wall_to_utc(date(2025, 3, 9), 2 * 3600 + 1800, NEW_YORK) == utc(2025, 3, 9, 7, 0)
    assert wall_to_utc(date(2025, 3, 9), 2 * 3600 + 1800, NEW_YORK, fold=1) == utc(2025, 3, 9, 7, 0)
    # AND the night from Saturday 21:00 EST to Sunday 08:00 EDT is only 10 hours long
    night = BOOK.evaluate(request("US", local("US", 2025, 3, 8, 21, 0)), [])
    assert night.until == utc(2025, 3, 9, 12, 0)
    assert night.until is not None and night.until - local("US", 2025, 3, 8, 21, 0) == timedelta(hours=10)


def test_3_us_consumer_stated_hours_starting_in_the_gap_open_when_the_gap_ends() -> None:
    # GIVEN a consumer who said Sunday 02:30-04:00 suits them (stated times override the presumption)
    stated = HoursOverride({"sun": [("02:30", "04:00")]}, OverrideInstrument.CONSUMER_STATEMENT)
    # WHEN a call is evaluated at 00:30 EST on the spring-forward Sunday
    decision = BOOK.evaluate(
        request("US", local("US", 2025, 3, 9, 0, 30), Channel.CALL, hours_override=stated), []
    )
    # THEN it waits for 03:00 EDT, the first real instant at or after 02:30
    assert (decision.outcome, decision.until) == (Outcome.DEFER, utc(2025, 3, 9, 7, 0))
    assert decision.rule_ids == ("US-REGF-1006.6b1-stated-times",)


def test_3_us_fall_back_01_00_to_02_00_happens_twice() -> None:
    # GIVEN 2025-11-02 in New York, when 02:00 EDT falls back to 01:00 EST
    first, second = local("US", 2025, 11, 2, 1, 30, fold=0), local("US", 2025, 11, 2, 1, 30, fold=1)
    assert (first, second) == (utc(2025, 11, 2, 5, 30), utc(2025, 11, 2, 6, 30))
    assert wall_to_utc(date(2025, 11, 2), 5400, NEW_YORK) == first
    assert wall_to_utc(date(2025, 11, 2), 5400, NEW_YORK, fold=1) == second
    # WHEN a message is evaluated in either 01:30
    # THEN both wait for 08:00 EST, and the night from Saturday 21:00 EDT lasts 12 hours
    for instant in (first, second):
        assert BOOK.evaluate(request("US", instant), []).until == utc(2025, 11, 2, 13, 0)
    saturday_night = local("US", 2025, 11, 1, 21, 0)
    assert BOOK.evaluate(request("US", saturday_night), []).until == saturday_night + timedelta(hours=12)


def test_3_us_window_starting_in_the_repeated_hour_opens_at_each_occurrence() -> None:
    # GIVEN stated hours Sunday 01:30-03:00 on the fall-back night
    stated = HoursOverride({"sun": [("01:30", "03:00")]}, OverrideInstrument.CONSUMER_STATEMENT)

    def until(instant: datetime) -> datetime | None:
        return BOOK.evaluate(request("US", instant, Channel.CALL, hours_override=stated), []).until

    # THEN at 01:00 EDT it opens at the first 01:30 (EDT); at 01:05 EST, after the clocks went back to
    # a wall time before 01:30, it opens again at the second 01:30 (EST)
    assert until(utc(2025, 11, 2, 5, 0)) == utc(2025, 11, 2, 5, 30)
    assert until(utc(2025, 11, 2, 6, 5)) == utc(2025, 11, 2, 6, 30)


def test_3_chile_santiago_changes_offset_while_deferred() -> None:
    # GIVEN Saturday 2025-09-06 20:00 in Santiago (UTC-4); the clocks go forward that night
    decision = BOOK.evaluate(request("CL", local("CL", 2025, 9, 6, 20, 0)), [])
    # THEN Sunday is closed and Monday 08:00 is already UTC-3
    assert decision.until == local("CL", 2025, 9, 8, 8, 0) == utc(2025, 9, 8, 11, 0)


@pytest.mark.parametrize(
    ("instant", "zone", "expected_until"),
    [
        # July (southern winter): Santiago UTC-4, Punta Arenas UTC-3 all year, Easter Island UTC-6
        (utc(2025, 7, 15, 12, 30), "America/Santiago", None),
        (utc(2025, 7, 15, 12, 30), "America/Punta_Arenas", None),
        (utc(2025, 7, 15, 12, 30), "Pacific/Easter", utc(2025, 7, 15, 14, 0)),
        # January (summer): Santiago UTC-3 like Punta Arenas, Easter Island UTC-5
        (utc(2025, 1, 14, 11, 30), "America/Santiago", None),
        (utc(2025, 1, 14, 11, 30), "America/Punta_Arenas", None),
        (utc(2025, 1, 14, 11, 30), "Pacific/Easter", utc(2025, 1, 14, 13, 0)),
    ],
)
def test_3_chile_punta_arenas_has_no_dst_and_easter_island_has_its_own_offset(
    instant: datetime, zone: str, expected_until: datetime | None
) -> None:
    decision = BOOK.evaluate(request("CL", instant, time_zones=(zone,)), [])
    assert decision.until == expected_until
    assert decision.outcome is (Outcome.SEND if expected_until is None else Outcome.DEFER)


def test_3_mexico_tijuana_keeps_dst_mexico_city_does_not() -> None:
    # GIVEN the same UTC instants in summer and in winter
    summer, winter = utc(2025, 7, 15, 13, 30), utc(2025, 1, 14, 14, 30)

    def until(instant: datetime, zone: str) -> datetime | None:
        return BOOK.evaluate(request("MX", instant, Channel.CALL, time_zones=(zone,)), []).until

    # THEN Mexico City (UTC-6 all year) is open at both; Tijuana (UTC-7 summer, UTC-8 winter) is not yet
    assert until(summer, "America/Mexico_City") is None
    assert until(summer, "America/Tijuana") == utc(2025, 7, 15, 14, 0)
    assert until(winter, "America/Mexico_City") is None
    assert until(winter, "America/Tijuana") == utc(2025, 1, 14, 15, 0)


def test_3_spain_mainland_and_canaries_are_one_hour_apart() -> None:
    instant = utc(2025, 2, 4, 8, 30)
    madrid = BOOK.evaluate(request("ES", instant, time_zones=("Europe/Madrid",)), [])
    canary = BOOK.evaluate(request("ES", instant, time_zones=("Atlantic/Canary",), subdivision="CN"), [])
    assert madrid.outcome is Outcome.SEND
    assert (canary.outcome, canary.until) == (Outcome.DEFER, utc(2025, 2, 4, 9, 0))


# 4. Holidays -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "holiday", "opens", "rule"),
    [
        ("PE", (2025, 7, 29, 10, 0), (2025, 7, 30, 7, 0), "PE-29571-62b-feriados"),
        ("CO", (2025, 5, 1, 10, 0), (2025, 5, 2, 7, 0), "CO-2300-art3-festivos"),
        ("CL", (2025, 5, 21, 10, 0), (2025, 5, 22, 8, 0), "CL-CPC-59-feriados"),
    ],
)
def test_4_a_weekday_holiday_blocks_the_whole_day(
    jurisdiction: str, holiday: tuple[int, ...], opens: tuple[int, ...], rule: str
) -> None:
    # GIVEN a public holiday on a weekday, WHEN a contact is evaluated mid-morning
    decision = BOOK.evaluate(request(jurisdiction, local(jurisdiction, *holiday)), [])
    # THEN it waits for the next working morning, citing the holiday rule
    assert (decision.outcome, decision.rule_ids) == (Outcome.DEFER, (rule,))
    assert decision.until == local(jurisdiction, *opens)


def test_4_colombia_monday_moved_holiday() -> None:
    # GIVEN San José (19 March) moved to Monday 24 March 2025 by Ley Emiliani
    on_the_date = BOOK.evaluate(request("CO", local("CO", 2025, 3, 19, 10, 0)), [])
    moved_monday = BOOK.evaluate(request("CO", local("CO", 2025, 3, 24, 10, 0)), [])
    # THEN the 19th is an ordinary Wednesday and the Monday is blocked
    assert on_the_date.outcome is Outcome.SEND
    assert moved_monday.rule_ids == ("CO-2300-art3-festivos",)
    assert moved_monday.until == local("CO", 2025, 3, 25, 7, 0)


def test_4_colombia_saturday_holiday() -> None:
    # GIVEN Independence Day on Saturday 2024-07-20 and an ordinary Saturday a week earlier
    holiday = BOOK.evaluate(request("CO", local("CO", 2024, 7, 20, 10, 0)), [])
    ordinary = BOOK.evaluate(request("CO", local("CO", 2024, 7, 13, 10, 0)), [])
    # THEN the Saturday window does not apply on the holiday
    assert ordinary.outcome is Outcome.SEND
    assert holiday.rule_ids == ("CO-2300-art3-festivos",)
    assert holiday.until == local("CO", 2024, 7, 22, 7, 0)


def test_4_chilean_regional_holiday_via_subdivision() -> None:
    # GIVEN Saturday 2025-06-07, a holiday in Arica y Parinacota (AP) only
    saturday = local("CL", 2025, 6, 7, 10, 0)
    arica = BOOK.evaluate(request("CL", saturday, subdivision="AP"), [])
    santiago = BOOK.evaluate(request("CL", saturday, subdivision="RM"), [])
    # AND Wednesday 2025-08-20, a holiday in Chillán (Ñuble, NB)
    nuble = BOOK.evaluate(request("CL", local("CL", 2025, 8, 20, 10, 0), subdivision="CL-NB"), [])
    # THEN only the debtors of those regions wait
    assert santiago.outcome is Outcome.SEND
    assert (arica.rule_ids, arica.until) == (("CL-CPC-59-feriados",), local("CL", 2025, 6, 9, 8, 0))
    assert nuble.until == local("CL", 2025, 8, 21, 8, 0)


def test_4_an_unknown_region_code_is_refused_rather_than_guessed() -> None:
    with pytest.raises(DomainError) as raised:
        BOOK.evaluate(request("CL", local("CL", 2025, 6, 7, 10, 0), subdivision="XX"), [])
    assert (raised.value.code, raised.value.errors[0].field) == (ErrorCode.INVALID, "subdivision")


def test_4_peru_decreed_non_working_days_are_a_setting() -> None:
    # GIVEN Friday 2025-12-26, a decreed "día no laborable" (DS 042-2025-PCM), not a feriado
    friday = request("PE", local("PE", 2025, 12, 26, 10, 0))
    # WHEN the tenant has not opted in, THEN contact is allowed
    assert BOOK.evaluate(friday, []).outcome is Outcome.SEND
    # WHEN the tenant blocks non-working days, THEN it waits for Monday, citing the decree rule
    strict = PolicyBook({"PE": TenantOverlay(block_non_working_days=True)})
    decision = strict.evaluate(friday, [])
    assert (decision.rule_ids, decision.until) == (
        ("PE-PCM-dias-no-laborables",),
        local("PE", 2025, 12, 29, 7, 0),
    )
    # AND a tenant's own blocked dates stack on top
    stricter = PolicyBook(
        {
            "PE": TenantOverlay(
                block_non_working_days=True, extra_blocked_dates=frozenset({date(2025, 12, 29)})
            )
        }
    )
    assert stricter.evaluate(friday, []).until == local("PE", 2025, 12, 30, 7, 0)


def test_4_next_years_calendar_is_loaded_when_a_deferral_crosses_the_new_year() -> None:
    # GIVEN New Year's Eve 2025 at 20:00 in Lima; 1 Jan 2026 is a feriado, 2 Jan a decreed non-working day
    assert date(2026, 1, 1) in holiday_dates("PE", None, 2026)
    eve = request("PE", local("PE", 2025, 12, 31, 20, 0))
    # THEN the deferral skips New Year's Day; with non-working days blocked it reaches Monday 5 Jan
    assert BOOK.evaluate(eve, []).until == local("PE", 2026, 1, 2, 7, 0)
    strict = PolicyBook({"PE": TenantOverlay(block_non_working_days=True)})
    assert strict.evaluate(eve, []).until == local("PE", 2026, 1, 5, 7, 0)


def test_4_calendars_can_be_preloaded_at_cold_start() -> None:
    # GIVEN a fresh process would otherwise build a year's calendar on first use
    BOOK.preload_calendars([2031, 2032])
    # WHEN a 2032 holiday is looked up, THEN it comes from the cache
    hits = holiday_dates.cache_info().hits
    assert date(2032, 1, 1) in holiday_dates("CL", None, 2032)
    assert holiday_dates.cache_info().hits == hits + 1


def test_4_the_holiday_is_decided_by_the_debtors_local_date_not_utc() -> None:
    # GIVEN 8 October (Combate de Angamos) is a feriado in Peru
    # WHEN it is already 8 October in UTC but still the 7th in Lima, THEN contact is allowed
    assert BOOK.evaluate(request("PE", utc(2025, 10, 8, 0, 30)), []).outcome is Outcome.SEND
    # WHEN it is the 9th in UTC but still the 8th in Lima, THEN it waits for the 9th in Lima
    decision = BOOK.evaluate(request("PE", utc(2025, 10, 9, 0, 30)), [])
    assert (decision.rule_ids, decision.until) == (("PE-29571-62b-feriados",), local("PE", 2025, 10, 9, 7, 0))


def test_4_us_holidays_are_not_banned() -> None:
    assert (
        BOOK.evaluate(request("US", local("US", 2025, 7, 4, 10, 0), Channel.CALL), []).outcome is Outcome.SEND
    )


# 5. Time-zone mismatch ---------------------------------------------------------------------------


def test_5_cancun_debtor_called_from_mexico_city_follows_the_debtors_zone() -> None:
    # GIVEN a debtor in Cancún (UTC-5 all year) and an agent in Mexico City (UTC-6)
    cancun = ("America/Cancun",)
    # WHEN the agent dials at 06:30 Mexico City time (07:30 in Cancún), THEN it is allowed
    morning = BOOK.evaluate(request("MX", utc(2025, 6, 3, 12, 30), Channel.CALL, time_zones=cancun), [])
    assert morning.outcome is Outcome.SEND
    # WHEN the agent dials at 21:30 Mexico City time (22:30 in Cancún), THEN it waits
    evening = BOOK.evaluate(request("MX", utc(2025, 6, 4, 3, 30), Channel.CALL, time_zones=cancun), [])
    assert (evening.outcome, evening.until) == (Outcome.DEFER, local("America/Cancun", 2025, 6, 4, 7, 0))


def test_5_us_area_code_and_address_disagree_so_both_zones_must_allow() -> None:
    # GIVEN an Eastern area code and a Pacific address: allowed 11:00-21:00 Eastern
    zones = ("America/New_York", "America/Los_Angeles")
    ten_thirty_eastern = BOOK.evaluate(request("US", local("US", 2025, 6, 3, 10, 30), time_zones=zones), [])
    last_second = BOOK.evaluate(request("US", local("US", 2025, 6, 3, 20, 59, 59), time_zones=zones), [])
    nine_eastern = BOOK.evaluate(request("US", local("US", 2025, 6, 3, 21, 0), time_zones=zones), [])
    # THEN 10:30 ET (07:30 PT) waits for 11:00 ET, and 21:00 ET waits for 11:00 ET the next day
    assert ten_thirty_eastern.until == local("US", 2025, 6, 3, 11, 0)
    assert last_second.outcome is Outcome.SEND
    assert nine_eastern.until == local("US", 2025, 6, 4, 11, 0)


def test_5_a_roaming_debtor_with_an_empty_intersection_is_blocked() -> None:
    # GIVEN candidate zones eight hours apart each (London, Shanghai, Los Angeles): no common hour
    zones = ("Europe/London", "Asia/Shanghai", "America/Los_Angeles")
    decision = BOOK.evaluate(request("US", utc(2025, 2, 4, 12, 0), time_zones=zones), [])
    # THEN no window opens within the 14-day horizon and the contact is blocked on the hours rule
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, ("US-REGF-1006.6b1-hours",))


def test_5_a_debtor_who_moved_is_checked_in_the_old_and_new_zones_until_confirmed() -> None:
    # GIVEN a Peruvian debtor who may now live in Madrid (candidates: Lima and Madrid)
    zones = ("America/Lima", "Europe/Madrid")
    # WHEN it is 07:30 in Lima (14:30 in Madrid), THEN both allow
    assert (
        BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 7, 30), time_zones=zones), []).outcome
        is Outcome.SEND
    )
    # WHEN it is 13:30 in Lima (20:30 in Madrid), THEN only Lima allows: it waits until both are open
    decision = BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 13, 30), time_zones=zones), [])
    assert decision.until == local("PE", 2025, 6, 4, 7, 0)
