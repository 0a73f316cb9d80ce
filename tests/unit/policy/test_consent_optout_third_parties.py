"""Opt-outs, consent, stop events and third parties: compliance.md section 3, edge cases 8 and 9."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.entities import Channel, ContactStatus
from domain.policy import HoursOverride, Outcome, OverrideInstrument, Purpose, Recipient
from tests.unit.policy._support import BOOK, local, record, request

CALL, SMS, EMAIL = Channel.CALL, Channel.SMS, Channel.EMAIL
US_OPT_OUT = "US-REGF-1006.6e-opt-out"

# 8. Opt-out and consent --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "opts_out"),
    [
        ("STOP", True),
        ("Please stop texting me", True),
        ("cancel.", True),
        ("I want to CANCEL these messages!", True),
        ("unsubscribe me", True),
        ("I'll pay on Friday, stopping by the branch", False),
        ("the cancellation fee is wrong", False),
    ],
)
def test_8_stop_and_cancel_in_free_text_are_opt_outs_in_the_us(text: str, opts_out: bool) -> None:
    policy = BOOK.policy_for("US", local("US", 2025, 6, 3, 10, 0))
    assert policy.is_opt_out_message(text) is opts_out


def test_8_opt_out_keywords_and_notices_are_data_the_templates_can_read() -> None:
    us = BOOK.policy_for("US", local("US", 2025, 6, 3, 10, 0))
    pe = BOOK.policy_for("PE", local("PE", 2025, 6, 3, 10, 0))
    assert us.opt_out_keywords == ("stop", "unsubscribe", "end", "quit", "cancel")
    assert {"baja", "alto"} <= set(pe.opt_out_keywords)
    assert pe.is_opt_out_message("Dé de BAJA mi número") and pe.is_opt_out_message("bajá")
    assert us.requires_opt_out_notice(EMAIL) and us.requires_opt_out_notice(SMS)
    assert not us.requires_opt_out_notice(CALL)
    assert not pe.requires_opt_out_notice(EMAIL)  # the law is silent


def test_8_opting_out_one_address_does_not_block_another_unless_the_medium_was_opted_out() -> None:
    at = local("US", 2025, 6, 3, 10, 0)
    # GIVEN the consumer opted out of SMS to their old number
    old = BOOK.evaluate(
        request("US", at, SMS, address="+13055550100", contact_status=ContactStatus.OPTED_OUT), []
    )
    new = BOOK.evaluate(request("US", at, SMS, address="+13055550199"), [])
    # THEN the old number is blocked and the new one is not
    assert (old.outcome, old.rule_ids) == (Outcome.BLOCK, (US_OPT_OUT,))
    assert new.outcome is Outcome.SEND
    # WHEN the consumer bans SMS altogether, THEN every number is blocked but e-mail is not
    banned = frozenset({SMS})
    assert BOOK.evaluate(
        request("US", at, SMS, address="+13055550199", opted_out_channels=banned), []
    ).rule_ids == (US_OPT_OUT,)
    assert BOOK.evaluate(request("US", at, EMAIL, opted_out_channels=banned), []).outcome is Outcome.SEND
    # AND a request to stop all contact blocks every medium
    assert BOOK.evaluate(request("US", at, EMAIL, opted_out_all=True), []).outcome is Outcome.BLOCK


def test_8_an_invalid_contact_point_is_blocked() -> None:
    decision = BOOK.evaluate(
        request("PE", local("PE", 2025, 6, 3, 10, 0), SMS, contact_status=ContactStatus.INVALID), []
    )
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, ("PRODUCT-invalid-contact",))


def test_8_co_consent_to_other_hours_inside_the_contract_is_invalid() -> None:
    # GIVEN a Sunday in Colombia, when no contact is allowed, and Sunday hours agreed with the debtor
    sunday = local("CO", 2025, 6, 8, 10, 0)
    contract_signed = local("CO", 2025, 1, 10, 9, 0)
    sunday_hours = {"sun": [("09:00", "12:00")]}
    in_contract = HoursOverride(
        sunday_hours, OverrideInstrument.CONTRACT_CLAUSE, contract_signed, contract_signed
    )
    signed_before = HoursOverride(
        sunday_hours,
        OverrideInstrument.SEPARATE_SIGNED_INSTRUMENT,
        contract_signed - timedelta(days=1),
        contract_signed,
    )
    separate = HoursOverride(
        sunday_hours,
        OverrideInstrument.SEPARATE_SIGNED_INSTRUMENT,
        contract_signed + timedelta(days=30),
        contract_signed,
    )
    # WHEN the consent is a clause of the contract, or a document signed before it
    clause = BOOK.evaluate(request("CO", sunday, hours_override=in_contract), [])
    early = BOOK.evaluate(request("CO", sunday, hours_override=signed_before), [])
    # THEN it is ignored and the statutory hours apply
    assert (clause.outcome, clause.rule_ids) == (Outcome.DEFER, ("CO-2300-art3-hours",))
    assert "ignored" in clause.reason and early.outcome is Outcome.DEFER
    # WHEN it is a separate document signed after the contract, THEN the agreed hours apply
    assert BOOK.evaluate(request("CO", sunday, hours_override=separate), []).outcome is Outcome.SEND


def test_8_co_channels_need_express_authorisation() -> None:
    at = local("CO", 2025, 6, 3, 10, 0)
    decision = BOOK.evaluate(request("CO", at, Channel.WHATSAPP, consent=False), [])
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, ("CO-2300-authorised-channels",))
    assert (
        BOOK.evaluate(request("PE", local("PE", 2025, 6, 3, 10, 0), consent=False), []).outcome
        is Outcome.SEND
    )


@pytest.mark.parametrize(
    ("jurisdiction", "event", "rule"),
    [
        ("CL", "lawsuit_served", "CL-21320-stop-after-suit"),
        ("CL", "insolvency", "CL-21320-stop-insolvency"),
        ("US", "cease_request", "US-FDCPA-1692c-c-cease"),
        ("PE", "lawsuit_served", "PRODUCT-stop-event"),  # no statute: the product stops anyway
    ],
)
def test_8_cl_stops_after_suit_and_stop_events_block_everywhere(
    jurisdiction: str, event: str, rule: str
) -> None:
    req = request(jurisdiction, local(jurisdiction, 2025, 6, 3, 10, 0), stop_events=frozenset({event}))
    decision = BOOK.evaluate(req, [])
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, (rule,))


def test_8_checks_run_in_order_stop_events_first() -> None:
    # GIVEN a request that breaks several rules at once, THEN the stop event is what is reported
    req = request(
        "CL",
        local("CL", 2025, 6, 8, 10, 0),
        stop_events=frozenset({"lawsuit_served"}),
        opted_out_all=True,
        recipient=Recipient.REFERENCE,
    )
    assert BOOK.evaluate(req, []).rule_ids == ("CL-21320-stop-after-suit",)


# 9. Third parties --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "rule"),
    [
        ("CO", "CO-2300-references"),
        ("MX", "MX-CONDUSEF-third-parties"),
        ("PE", "PE-29571-61-third-parties"),
        ("CL", "CL-21320-third-parties"),
    ],
)
def test_9_a_references_number_in_the_dial_list_is_blocked(jurisdiction: str, rule: str) -> None:
    req = request(jurisdiction, local(jurisdiction, 2025, 6, 3, 10, 0), CALL, recipient=Recipient.REFERENCE)
    decision = BOOK.evaluate(req, [])
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, (rule,))


@pytest.mark.parametrize("recipient", [Recipient.CO_DEBTOR, Recipient.GUARANTOR])
def test_9_a_co_debtor_or_guarantor_is_allowed(recipient: Recipient) -> None:
    for jurisdiction in ("CO", "MX", "PE", "CL", "US"):
        req = request(jurisdiction, local(jurisdiction, 2025, 6, 3, 10, 0), CALL, recipient=recipient)
        assert BOOK.evaluate(req, []).outcome is Outcome.SEND, jurisdiction


def test_9_co_visits_are_banned() -> None:
    decision = BOOK.evaluate(request("CO", local("CO", 2025, 6, 3, 10, 0), Channel.VISIT), [])
    assert (decision.outcome, decision.rule_ids) == (Outcome.BLOCK, ("CO-2300-no-visits",))


def test_9_us_location_call_happens_once_per_person_and_must_not_mention_the_debt() -> None:
    at = local("US", 2025, 6, 3, 10, 0)
    rule = "US-REGF-1006.10-location-only"
    # GIVEN a reference who has never been called
    first = BOOK.evaluate(
        request(
            "US", at, CALL, recipient=Recipient.REFERENCE, purpose=Purpose.LOCATION_INQUIRY, person="ref-1"
        ),
        [],
    )
    # THEN one location inquiry is allowed, with the debt kept out of it
    assert (first.outcome, first.constraints) == (Outcome.SEND, ("no_debt_mention",))
    # WHEN that person was already asked, THEN a second inquiry is blocked; another reference may be asked
    asked = [record(CALL, at - timedelta(days=30), recipient=Recipient.REFERENCE, person="ref-1")]
    again = BOOK.evaluate(
        request(
            "US", at, CALL, recipient=Recipient.REFERENCE, purpose=Purpose.LOCATION_INQUIRY, person="ref-1"
        ),
        asked,
    )
    other = BOOK.evaluate(
        request(
            "US", at, CALL, recipient=Recipient.REFERENCE, purpose=Purpose.LOCATION_INQUIRY, person="ref-2"
        ),
        asked,
    )
    assert (again.outcome, again.rule_ids) == (Outcome.BLOCK, (rule,))
    assert other.outcome is Outcome.SEND
    # AND a collection message to a reference is always blocked
    collection = BOOK.evaluate(request("US", at, SMS, recipient=Recipient.REFERENCE, person="ref-2"), [])
    assert (collection.outcome, collection.rule_ids) == (Outcome.BLOCK, (rule,))
