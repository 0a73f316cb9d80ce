"""The planner's floor on the same table, in the same run: the raw requests a planner cycle issues.

A cycle over the bench's 500 due debts is 2 GetItem, 9 Query (the tenant's campaigns, then one page
of each of the 8 due-index shards) and 501 UpdateItem (each due debt's next action, conditional; the
campaign's counters). This issues that much with the bare client on the same items: the same 9
Queries with the same key conditions and limits, a conditional UpdateItem on each due debt it
returned (a bench attribute, so the due index the planner reads next is left as it is) and one ADD on
the counters item. What is left of the planner's time above this is the planner's own work.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import boto3

from infra.dynamodb import keys
from infra.dynamodb.message_items import stats_key

PLANNER_PAGE = 200
"""`domain.campaigns.planner.BATCH`: the page the planner asks each shard for."""


def planner_floor(table: str, tenant: str, now: datetime) -> dict[str, Any]:
    client = boto3.client("dynamodb", region_name="us-east-1")
    upper = f"{keys.due_sort(now, '')}~"
    requests: dict[str, int] = {"GetItem": 0, "Query": 0, "UpdateItem": 0}
    # A first call outside the timing: the client's one-time setup is not the planner's floor.
    client.get_item(TableName=table, Key={"PK": {"S": keys.tenant_pk(tenant)}, "SK": {"S": keys.TENANT_SK}})
    start, cpu = time.perf_counter(), time.process_time()
    for key in ({"PK": {"S": keys.tenant_pk(tenant)}, "SK": {"S": keys.TENANT_SK}},) * 2:
        client.get_item(TableName=table, Key=key, ConsistentRead=True)
        requests["GetItem"] += 1
    client.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={":pk": {"S": keys.tenant_pk(tenant)}, ":prefix": {"S": "CMP#"}},
    )
    requests["Query"] += 1
    due: list[dict[str, Any]] = []
    for shard in range(keys.DUE_SHARDS):
        page = client.query(
            TableName=table,
            IndexName="GSI5",
            KeyConditionExpression="GSI5PK = :pk AND GSI5SK <= :upper",
            ExpressionAttributeValues={":pk": {"S": keys.due_pk(tenant, shard)}, ":upper": {"S": upper}},
            Limit=PLANNER_PAGE,
        )
        requests["Query"] += 1
        due.extend(page["Items"])
    for item in due:
        client.update_item(
            TableName=table,
            Key={"PK": item["PK"], "SK": item["SK"]},
            UpdateExpression="SET #floor = :at",
            ConditionExpression="#state = :open AND attribute_exists(nextAction)",
            ExpressionAttributeNames={"#floor": "benchFloor", "#state": "state"},
            ExpressionAttributeValues={":at": {"S": now.isoformat()}, ":open": {"S": "OPEN"}},
        )
        requests["UpdateItem"] += 1
    client.update_item(
        TableName=table,
        Key=stats_key(tenant, "bench-floor"),
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "planned"},
        ExpressionAttributeValues={":one": {"N": str(len(due))}},
    )
    requests["UpdateItem"] += 1
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "due_debts": len(due), "requests": requests}
