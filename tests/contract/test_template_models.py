"""template.yaml is the source of truth for the table; the PynamoDB models must agree with it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pynamodb.attributes import TTLAttribute

from infra.dynamodb.models import TableItem
from infra.dynamodb.schema_from_template import load_template, table_definition, table_properties

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


def _pairs(entries: Iterable[Any], first: str, second: str) -> set[tuple[str, str]]:
    return {(e[first], e[second]) for e in entries}


def _model_indexes() -> dict[str, dict[str, Any]]:
    schema = TableItem._get_schema()
    return {
        gsi["index_name"]: {
            "keys": _pairs(gsi["key_schema"], "AttributeName", "KeyType"),
            "projection": gsi["projection"]["ProjectionType"],
        }
        for gsi in schema["global_secondary_indexes"]
    }


def test_key_schema_matches_models() -> None:
    props = table_properties(TEMPLATE)
    schema = TableItem._get_schema()
    assert _pairs(props["KeySchema"], "AttributeName", "KeyType") == _pairs(
        schema["key_schema"], "AttributeName", "KeyType"
    )
    assert props["KeySchema"][0] == {"AttributeName": "PK", "KeyType": "HASH"}


def test_attribute_definitions_match_models() -> None:
    props = table_properties(TEMPLATE)
    schema = TableItem._get_schema()
    model_defs = _pairs(schema["attribute_definitions"], "AttributeName", "AttributeType")
    assert _pairs(props["AttributeDefinitions"], "AttributeName", "AttributeType") == model_defs
    assert len(props["AttributeDefinitions"]) == len(model_defs) == 12


def test_global_secondary_indexes_match_models() -> None:
    props = table_properties(TEMPLATE)
    template_indexes = {
        gsi["IndexName"]: {
            "keys": _pairs(gsi["KeySchema"], "AttributeName", "KeyType"),
            "projection": gsi["Projection"]["ProjectionType"],
        }
        for gsi in props["GlobalSecondaryIndexes"]
    }
    assert template_indexes == _model_indexes()
    assert sorted(template_indexes) == ["GSI1", "GSI2", "GSI3", "GSI4", "GSI5"]
    for name, index in template_indexes.items():
        assert index["keys"] == {(f"{name}PK", "HASH"), (f"{name}SK", "RANGE")}
        assert index["projection"] == "ALL"


def test_table_settings_match_the_design() -> None:
    props = table_properties(TEMPLATE)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}
    ttl = [a.attr_name for a in TableItem.get_attributes().values() if isinstance(a, TTLAttribute)]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert ttl == ["expiresAt"]


def test_table_definition_is_what_the_models_describe() -> None:
    definition = table_definition(TEMPLATE)
    schema = TableItem._get_schema()
    assert _pairs(definition["KeySchema"], "AttributeName", "KeyType") == _pairs(
        schema["key_schema"], "AttributeName", "KeyType"
    )
    assert {g["IndexName"] for g in definition["GlobalSecondaryIndexes"]} == set(_model_indexes())
    assert definition["BillingMode"] == "PAY_PER_REQUEST"
    assert definition["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }


def _actions(node: Any) -> list[str]:
    """Every IAM action named anywhere in the template."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("Action", "NotAction"):
                found.extend([value] if isinstance(value, str) else list(value))
            else:
                found.extend(_actions(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_actions(value))
    return found


def test_template_never_grants_scan() -> None:
    template = load_template(TEMPLATE)
    actions = [a.lower() for a in _actions(template)]
    assert actions, "the API function should carry an inline DynamoDB policy"
    assert "dynamodb:scan" not in actions
    assert not any(a in ("*", "dynamodb:*") or a.startswith("dynamodb:scan") for a in actions)
    text = TEMPLATE.read_text(encoding="utf-8")
    assert "scan" not in text.lower()  # no action, no SAM policy template granting it
    for broad in ("DynamoDBCrudPolicy", "DynamoDBReadPolicy", "AmazonDynamoDBFullAccess"):
        assert broad not in text  # these SAM/managed policies include dynamodb:Scan


def test_template_loads_with_intrinsic_tags() -> None:
    template = load_template(TEMPLATE)
    assert template["Resources"]["ApiFunction"]["Properties"]["Handler"] == "api.handler.handler"
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["RECAUDO_TABLE"] == "LedgerTable"  # !Ref LedgerTable read as its argument
    assert yaml.safe_dump(template)  # plain data only
