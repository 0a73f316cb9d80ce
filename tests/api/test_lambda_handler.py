"""The Lambda path: API Gateway's verified JWT claims reach the resolvers through Mangum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.principal import Principal, Role
from domain.services import Ledger
from domain.services.tenants import TenantPatch
from infra.dynamodb.models import configure
from tests.api.conftest import TABLE

EVENTS = Path(__file__).resolve().parents[1] / "events"


class LambdaContext:
    function_name = "recaudo-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:recaudo-api"
    aws_request_id = "lambda-req-1"


def _event() -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "http_api_graphql.json").read_text())
    return event


def test_claims_from_the_authorizer_become_the_principal(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger.tenants.update(Principal("setup", "acme", Role.ADMIN), TenantPatch(name="Acme", country="PE"))
    monkeypatch.setenv("RECAUDO_TABLE", TABLE)
    from api import handler as lambda_module

    configure(table_name=TABLE, host=None, region="us-east-1")
    response = lambda_module.handler(_event(), LambdaContext())
    assert response["statusCode"] == 200
    body = json.loads(response["body"])
    assert body["data"] == {
        "viewer": {"sub": "idp|ana", "tenant": "acme", "role": "ADMIN"},
        "tenant": {"name": "Acme"},
    }


def test_missing_authorizer_claims_are_401(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECAUDO_TABLE", TABLE)
    from api import handler as lambda_module

    event = _event()
    del event["requestContext"]["authorizer"]
    response = lambda_module.handler(event, LambdaContext())
    assert response["statusCode"] == 401
