"""Integration fixtures: the ledger table built from template.yaml inside moto's in-process mock.

moto is imported here, before any boto3/botocore client exists, so every client is mocked; the
environment is set before the infra modules are imported because the models read it at import.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import moto
import pytest

os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["RECAUDO_TABLE"] = "recaudo-test"
os.environ.pop("AWS_SESSION_TOKEN", None)
os.environ.pop("RECAUDO_AWS_ENDPOINT", None)  # a local dev endpoint must not capture the tests

from infra.dynamodb.models import configure  # noqa: E402
from infra.dynamodb.repository import DynamoLedgerRepository  # noqa: E402
from infra.dynamodb.schema_from_template import create_table  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
TABLE_NAME = "recaudo-test"


@pytest.fixture
def dynamodb() -> Iterator[Any]:
    """A mocked DynamoDB client with the ledger table created from template.yaml."""
    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create_table(client, TABLE_NAME, TEMPLATE)
        configure(table_name=TABLE_NAME, host=None, region="us-east-1")
        yield client
    configure(table_name=TABLE_NAME, region="us-east-1")  # drop connections made under the mock


@pytest.fixture
def table(dynamodb: Any) -> str:
    """The name of the (mocked) ledger table the PynamoDB models point at."""
    return TABLE_NAME


@pytest.fixture
def repo(table: str) -> DynamoLedgerRepository:
    return DynamoLedgerRepository()
