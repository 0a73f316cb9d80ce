"""Build the ledger table from template.yaml (the only source of truth for its keys).

Used by the integration tests (moto) and by the local stack, so neither repeats the key schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TABLE_RESOURCE = "LedgerTable"
DEFAULT_TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class CloudFormationLoader(yaml.SafeLoader):
    """A SafeLoader that reads CloudFormation short-form intrinsics (!Ref, !Sub, !GetAtt …) as the
    plain scalar, list or mapping they wrap."""


def _intrinsic(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node!r}", node.start_mark)


CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(template_path: str | Path = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """The template as plain data (intrinsic functions reduced to their arguments)."""
    with open(template_path, encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=CloudFormationLoader)  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict):
        raise ValueError(f"{template_path} is not a CloudFormation template")
    return data


def table_properties(template_path: str | Path = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """The `Properties` of the LedgerTable resource."""
    resource = load_template(template_path)["Resources"][TABLE_RESOURCE]
    properties: dict[str, Any] = resource["Properties"]
    return properties


def table_definition(template_path: str | Path = DEFAULT_TEMPLATE) -> dict[str, Any]:
    """`create_table` keyword arguments (without TableName) taken from the template."""
    props = table_properties(template_path)
    definition: dict[str, Any] = {
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if props.get("GlobalSecondaryIndexes"):
        definition["GlobalSecondaryIndexes"] = [
            {"IndexName": g["IndexName"], "KeySchema": g["KeySchema"], "Projection": g["Projection"]}
            for g in props["GlobalSecondaryIndexes"]
        ]
    stream = props.get("StreamSpecification")
    if stream:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    return definition


def ttl_attribute(template_path: str | Path = DEFAULT_TEMPLATE) -> str | None:
    """The TTL attribute name if the template enables TTL."""
    spec = table_properties(template_path).get("TimeToLiveSpecification") or {}
    return spec.get("AttributeName") if spec.get("Enabled") else None


def create_table(
    client_or_resource: Any, table_name: str, template_path: str | Path = DEFAULT_TEMPLATE
) -> bool:
    """Create the table (boto3 DynamoDB client or resource) if missing, wait, enable TTL.

    Returns True when the table was created, False when it already existed.
    """
    client = getattr(getattr(client_or_resource, "meta", None), "client", client_or_resource)
    try:
        client.describe_table(TableName=table_name)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    client.create_table(TableName=table_name, **table_definition(template_path))
    client.get_waiter("table_exists").wait(TableName=table_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    ttl = ttl_attribute(template_path)
    if ttl:
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
        )
    return True
