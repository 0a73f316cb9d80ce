"""SES and SNS notifications become the domain's feedback; unknown shapes are ignored, never raised."""

from __future__ import annotations

import json

from domain.campaigns.feedback import is_opt_out
from domain.messaging import FeedbackKind, SendChannel
from infra.messaging.feedback import parse_feedback

BOUNCE = {
    "notificationType": "Bounce",
    "bounce": {
        "bounceType": "Permanent",
        "bouncedRecipients": [
            {"emailAddress": "rosa@example.pe", "diagnosticCode": "smtp; 550 5.1.1 unknown"}
        ],
    },
    "mail": {
        "timestamp": "2026-12-07T15:00:01.000Z",
        "messageId": "0100018c-abc",
        "tags": {"recaudo-ref": ["01JF0MSG"], "recaudo-tenant": ["acme"]},
    },
}
COMPLAINT_EVENT = {
    "eventType": "Complaint",
    "complaint": {
        "complainedRecipients": [{"emailAddress": "ana@example.co"}],
        "complaintFeedbackType": "abuse",
    },
    "mail": {"timestamp": "2026-12-07T15:00:01.000Z", "messageId": "0100018c-def", "tags": {}},
}
INBOUND_SMS = {
    "originationNumber": "+51987654321",
    "destinationNumber": "+18005550100",
    "messageKeyword": "KEYWORD_123456789012",
    "messageBody": "BAJA",
    "inboundMessageId": "cae173d2-66b9-564c-8309-21f858e9fb84",
}


def test_a_permanent_bounce_names_the_address_message_and_tenant() -> None:
    [f] = parse_feedback(json.dumps(BOUNCE))
    assert (f.kind, f.channel, f.address) == (FeedbackKind.BOUNCED, SendChannel.EMAIL, "rosa@example.pe")
    assert (f.provider_message_id, f.reference, f.tenant) == ("0100018c-abc", "01JF0MSG", "acme")


def test_event_publishing_shape_and_transient_bounces() -> None:
    [f] = parse_feedback(COMPLAINT_EVENT)
    assert f.kind is FeedbackKind.COMPLAINED and f.detail == "abuse"
    soft = {**BOUNCE, "bounce": {**BOUNCE["bounce"], "bounceType": "Transient"}}  # type: ignore[dict-item]
    assert parse_feedback(soft)[0].kind is FeedbackKind.SOFT_BOUNCED


def test_inbound_sms_and_opt_out_words() -> None:
    [f] = parse_feedback(json.dumps(INBOUND_SMS))
    assert (f.kind, f.address, f.text) == (FeedbackKind.INBOUND, "+51987654321", "BAJA")
    assert all(is_opt_out(t) for t in ("BAJA", "baja.", "Stop please", "ALTO", "Cancelar", "unsubscribe"))
    assert not any(is_opt_out(t) for t in ("no me interesa el monto alto", "ya pagué", "", None))


def test_unknown_shapes_are_ignored() -> None:
    assert parse_feedback("not json") == []
    assert parse_feedback({"Type": "SubscriptionConfirmation"}) == []
