"""`DynamoScheduleRepository`: the planner's sparse, sharded due index (GSI5) over debt items.

A debt carries `GSI5PK = T#t#DUE#<shard>` / `GSI5SK = <next action ts>#<debtId>` only while it has a
next action and is OPEN, so the index holds scheduled debts and nothing else; the planner reads each
shard up to now, and its cost grows with the number of due debts, not with the table. Moving a next
action is an UpdateItem of those attributes alone, conditional on the value the planner read: it
never bumps the debt's `version`, so no ledger write is refused because the planner ran.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from domain.entities import Debt, NextAction
from infra.dynamodb import keys
from infra.dynamodb.codec import dumps, next_action_to_json
from infra.dynamodb.loading import debt_from_item
from infra.dynamodb.models import DebtItem, TableItem

_MAX = "~"


class DynamoScheduleRepository:
    SHARDS = keys.DUE_SHARDS

    def __init__(self) -> None:
        self._unscheduled: set[str] = set()

    def due_debts(self, tenant: str, shard: int, until: Any, limit: int) -> list[Debt]:
        upper = f"{keys.due_sort(until, '')}{_MAX}"
        items = DebtItem.gsi5.query(
            keys.due_pk(tenant, shard),
            upper >= TableItem.GSI5SK,
            limit=limit,
            page_size=min(limit, 500),
        )
        debts = []
        for item in items:
            if not isinstance(item, DebtItem):
                continue
            debt = debt_from_item(item)
            if debt.next_action is None and item.GSI5SK:
                # Indexed without a schedule (see mapping): an "evaluate" mark at the indexed instant.
                at = datetime.strptime(item.GSI5SK.split("#", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=UTC
                )
                debt.next_action = NextAction(at=at, campaign_id="", step_id="", occurrence=debt.due_date)
                self._unscheduled.add(debt.id)
            debts.append(debt)
        return debts

    def move_next_action(self, debt: Debt, expected: NextAction | None, new: NextAction | None) -> bool:
        item = DebtItem(keys.debtor_pk(debt.tenant, debt.debtor_id), keys.debt_sk(debt.id))
        if expected is not None and not expected.campaign_id and debt.id in self._unscheduled:
            expected = None  # the mark came from the index keys alone: the attribute is still absent
        if expected is None:
            condition = DebtItem.PK.exists() & DebtItem.next_action.does_not_exist()
        else:
            condition = DebtItem.next_action == dumps(next_action_to_json(expected))
        condition &= DebtItem.state == "OPEN"
        actions: list[Action]
        if new is None:
            actions = [DebtItem.next_action.remove(), TableItem.GSI5PK.remove(), TableItem.GSI5SK.remove()]
        else:
            actions = [
                DebtItem.next_action.set(dumps(next_action_to_json(new))),
                TableItem.GSI5PK.set(keys.due_pk(debt.tenant, keys.due_shard(debt.id))),
                TableItem.GSI5SK.set(keys.due_sort(new.at, debt.id)),
            ]
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        self._unscheduled.discard(debt.id)
        debt.next_action = new
        return True

    def campaign_versions(self, tenant: str) -> dict[str, int]:
        try:
            item = PlannerStateItem.get(keys.tenant_pk(tenant), PLANNER_SK, consistent_read=True)
        except PlannerStateItem.DoesNotExist:
            return {}
        return {k: int(v) for k, v in json.loads(item.campaign_versions).items()}

    def save_campaign_versions(self, tenant: str, versions: dict[str, int]) -> None:
        PlannerStateItem(
            keys.tenant_pk(tenant), PLANNER_SK, tenant=tenant, campaign_versions=json.dumps(versions)
        ).save()


PLANNER_SK = "PLANNER"


class PlannerStateItem(TableItem, discriminator="PLANNER_STATE"):
    """`T#t` / `PLANNER`: which campaign versions the due index was re-anchored for."""

    campaign_versions = UnicodeAttribute(default="{}", attr_name="campaignVersions")
