"""Standard Webhooks signing: what we sign, the reference library verifies, with either rotated secret."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from infra.webhooks.signing import StandardWebhooksSigner, headers

BODY = json.dumps({"id": "ev-1", "type": "DebtPaid", "data": {"debtId": "d-1", "amount": "150.00"}})
MESSAGE_ID = "ev-1"


@pytest.fixture
def signer() -> StandardWebhooksSigner:
    return StandardWebhooksSigner()


def now() -> datetime:
    return datetime.now(UTC)  # the library checks the timestamp against the real clock (±5 minutes)


def test_a_single_secret_signature_verifies(signer: StandardWebhooksSigner) -> None:
    # GIVEN a fresh secret and a signed delivery
    secret = signer.new_secret()
    at = now()
    signature = signer.sign([secret], MESSAGE_ID, at, BODY)

    # THEN it is one v1 signature, and the reference implementation accepts the headers we send
    assert re.fullmatch(r"v1,[A-Za-z0-9+/]{43}=", signature)
    assert Webhook(secret).verify(BODY, headers(MESSAGE_ID, at, signature)) == json.loads(BODY)


def test_during_a_rotation_either_secret_verifies(signer: StandardWebhooksSigner) -> None:
    # GIVEN the new and the previous secret both signing
    new, old = signer.new_secret(), signer.new_secret()
    at = now()
    signature = signer.sign([new, old], MESSAGE_ID, at, BODY)
    sent = headers(MESSAGE_ID, at, signature)

    # THEN the header holds two space-separated signatures
    assert len(signature.split(" ")) == 2
    assert all(part.startswith("v1,") for part in signature.split(" "))

    # AND a receiver holding either secret accepts the delivery, one holding neither does not
    assert Webhook(new).verify(BODY, sent)["id"] == "ev-1"
    assert Webhook(old).verify(BODY, sent)["id"] == "ev-1"
    with pytest.raises(WebhookVerificationError):
        Webhook(signer.new_secret()).verify(BODY, sent)


def test_a_tampered_body_or_id_does_not_verify(signer: StandardWebhooksSigner) -> None:
    secret = signer.new_secret()
    at = now()
    sent = headers(MESSAGE_ID, at, signer.sign([secret], MESSAGE_ID, at, BODY))

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("150.00", "1500.00"), sent)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, {**sent, "webhook-id": "ev-2"})


def test_the_instant_is_signed_whatever_the_time_zone(signer: StandardWebhooksSigner) -> None:
    # GIVEN the same instant in UTC and in Lima (the library alone would shift the Lima one by 5 hours)
    secret = signer.new_secret()
    at = now()
    lima = at.astimezone(timezone(timedelta(hours=-5)))

    # THEN both sign the same and the Lima one verifies
    assert signer.sign([secret], MESSAGE_ID, lima, BODY) == signer.sign([secret], MESSAGE_ID, at, BODY)
    Webhook(secret).verify(BODY, headers(MESSAGE_ID, lima, signer.sign([secret], MESSAGE_ID, lima, BODY)))


def test_naive_timestamps_and_no_secret_are_refused(signer: StandardWebhooksSigner) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signer.sign([signer.new_secret()], MESSAGE_ID, datetime(2026, 3, 15, 15, 0), BODY)
    with pytest.raises(ValueError, match="at least one"):
        signer.sign([], MESSAGE_ID, now(), BODY)


def test_headers_carry_id_integer_timestamp_signature_and_content_type() -> None:
    at = datetime(2026, 3, 15, 15, 0, 7, 900_000, tzinfo=UTC)

    sent = headers("ev-9", at, "v1,abc")

    assert sent == {
        "webhook-id": "ev-9",
        "webhook-timestamp": str(int(at.replace(microsecond=0).timestamp())),
        "webhook-signature": "v1,abc",
        "content-type": "application/json",
        "user-agent": "Recaudo-Webhooks/1",
    }
    assert StandardWebhooksSigner.headers("ev-9", at, "v1,abc") == sent


def test_new_secrets_are_distinct_and_well_formed(signer: StandardWebhooksSigner) -> None:
    secrets = {signer.new_secret() for _ in range(50)}

    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        assert len(key) == 32
