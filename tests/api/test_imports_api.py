"""The GraphQL import flow: importCreate → PUT to the presigned URL → S3 event → import(id)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from starlette.testclient import TestClient

from api.app import create_app
from domain.imports.jobs import ImportJobs
from infra.dynamodb.import_repository import DynamoImportJobStore
from infra.files import ensure_files_bucket
from infra.imports.s3_files import S3ImportFiles
from schema.common import decode_one
from tests.api.conftest import TABLE, Api, token

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "deudas.csv"
EVENT = Path(__file__).resolve().parents[1] / "events" / "imports" / "s3_object_created.json"

CREATE = """
mutation($input: ImportCreateInput!) {
  importCreate(input: $input) {
    import { id status }
    uploadUrl
    uploadHeaders { name value }
    errors { field code message }
  }
}"""
READ = """
query($id: ID!) {
  import(id: $id) {
    status parts
    counts { rows created updated unchanged rejected }
    errors(first: 1) { edges { node { row column code message } } pageInfo { hasNextPage endCursor } }
    rejectedRowsUrl
  }
}"""


@pytest.fixture
def imports(ledger: Any, monkeypatch: pytest.MonkeyPatch) -> ImportJobs:
    s3 = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    monkeypatch.setenv("RECAUDO_FILES_BUCKET", "recaudo-files")
    ensure_files_bucket(s3)
    return ImportJobs(ledger.deps, DynamoImportJobStore(), S3ImportFiles(s3, "recaudo-files"))


@pytest.fixture
def api(ledger: Any, reminders: Any, imports: ImportJobs) -> Iterator[Api]:
    client = TestClient(create_app(ledger, reminders=reminders, imports=imports))
    api = Api(client, token())
    api.ok('mutation { tenantUpdate(input: {name: "Acme", country: "PE"}) { errors { code } } }')
    yield api
    client.close()


def portfolio_id(api: Api) -> str:
    payload = api.mutate(
        "portfolioCreate",
        'mutation { portfolioCreate(input: {name: "Retail", currency: "PEN"}) '
        "{ portfolio { id } errors { code } } }",
    )
    return str(payload["portfolio"]["id"])


def test_upload_through_the_presigned_url_then_read_the_outcome(
    api: Api, imports: ImportJobs, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = SAMPLE.read_bytes()
    created = api.mutate(
        "importCreate",
        CREATE,
        input={
            "portfolioId": portfolio_id(api),
            "format": "CSV",
            "fileSize": len(body),
            "fileName": "deudas.csv",
        },
    )
    assert created["import"]["status"] == "PENDING"
    headers = {h["name"]: h["value"] for h in created["uploadHeaders"]}
    assert headers == {"Content-Type": "text/csv", "Content-Length": str(len(body))}
    # WHEN the browser PUTs the file to the URL (moto answers it) and S3 notifies the processor
    assert requests.put(created["uploadUrl"], data=body, headers=headers, timeout=5).status_code == 200
    import_id = created["import"]["id"]
    raw_id = decode_one(import_id, "Import")
    event = json.loads(EVENT.read_text())
    event["Records"][0]["s3"]["object"]["key"] = f"imports/acme/{raw_id}/source.csv"
    monkeypatch.setenv("RECAUDO_TABLE", TABLE)  # the module wires itself from the environment
    processor = importlib.import_module("functions.import_processor")
    monkeypatch.setattr(processor, "jobs", imports)
    processor.handler(
        event,
        type(
            "Ctx",
            (),
            {
                "function_name": "p",
                "memory_limit_in_mb": 1024,
                "aws_request_id": "r",
                "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:p",
                "get_remaining_time_in_millis": lambda self: 900_000,
            },
        )(),
    )
    # THEN import(id) reports the counts, the first errors (paginated) and the rejected-rows CSV
    found = api.ok(READ, id=import_id)["import"]
    assert found["status"] == "COMPLETED" and found["parts"] == 1
    assert found["counts"] == {"rows": 5, "created": 4, "updated": 0, "unchanged": 0, "rejected": 1}
    errors = found["errors"]
    assert [e["node"]["row"] for e in errors["edges"]] == [6] and errors["pageInfo"]["hasNextPage"]
    download = requests.get(found["rejectedRowsUrl"], timeout=5)
    assert download.status_code == 200 and "CL-004" in download.content.decode("utf-8-sig")


def test_agents_cannot_import_and_bad_input_is_a_user_error(api: Api, imports: ImportJobs) -> None:
    pf = portfolio_id(api)
    agent = token(role="AGENT", agent_id="ag-1")
    body = api(CREATE, agent, input={"portfolioId": pf, "format": "CSV", "fileSize": 10})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    payload = api.ok(
        CREATE,
        input={
            "portfolioId": pf,
            "format": "XLSX",
            "fileSize": 10,
            "columnMapping": [{"column": "Vence", "field": "colour"}],
        },
    )["importCreate"]
    assert payload["import"] is None and [e["code"] for e in payload["errors"]] == ["INVALID"]
    too_big = api.ok(CREATE, input={"portfolioId": pf, "format": "CSV", "fileSize": 60_000_000})[
        "importCreate"
    ]
    assert [(e["field"], e["code"]) for e in too_big["errors"]] == [("fileSize", "INVALID")]
