"""`DynamoWorkStore`: work items, the agents' queue index (GSI1) and due lists (GSI2); see
`queue_items.py` for the keys."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import UpdateError

from domain.clock import iso_utc
from domain.queues.model import WorkState
from domain.queues.ports import WorkStore
from infra.dynamodb.campaign_repository import conditional_save
from infra.dynamodb.keys import debt_sk, debtor_pk
from infra.dynamodb.models import DebtItem, TableItem
from infra.dynamodb.queue_items import (
    WORK_SK,
    WorkItem,
    due_pk,
    queue_pk,
    queue_sort,
    work_from_item,
    work_item,
)

BATCH_GET = 100


class DynamoWorkStore(WorkStore):
    def get_work(self, tenant: str, debtor_id: str) -> WorkState | None:
        try:
            item = WorkItem.get(debtor_pk(tenant, debtor_id), WORK_SK, consistent_read=True)
        except WorkItem.DoesNotExist:
            return None
        return work_from_item(tenant, item)

    def get_works(self, tenant: str, debtor_ids: list[str]) -> dict[str, WorkState]:
        keys = [(debtor_pk(tenant, i), WORK_SK) for i in dict.fromkeys(debtor_ids)]
        found: dict[str, WorkState] = {}
        for start in range(0, len(keys), BATCH_GET):
            for item in WorkItem.batch_get(keys[start : start + BATCH_GET]):
                state = work_from_item(tenant, item)
                found[state.debtor_id] = state
        return found

    def save_work(self, state: WorkState, expected_version: int) -> None:
        conditional_save(work_item(state), expected_version)

    def queue_after(
        self, tenant: str, agent_id: str, after: tuple[int, str] | None, limit: int
    ) -> tuple[list[WorkState], bool]:
        condition = queue_sort(*after) < TableItem.GSI1SK if after else None
        result = WorkItem.gsi1.query(
            queue_pk(tenant, agent_id), range_key_condition=condition, limit=limit, page_size=limit
        )
        states = [work_from_item(tenant, item) for item in result]  # type: ignore[arg-type]
        return states, result.last_evaluated_key is not None and len(states) >= limit

    def due_until(self, tenant: str, agent_id: str, until: datetime, limit: int) -> list[WorkState]:
        result = WorkItem.gsi2.query(
            due_pk(tenant, agent_id),
            range_key_condition=f"{iso_utc(until)}~" >= TableItem.GSI2SK,
            limit=limit,
            page_size=limit,
        )
        return [work_from_item(tenant, item) for item in result]  # type: ignore[arg-type]

    def set_debt_band(self, tenant: str, debtor_id: str, debt_ids: list[str], band: str | None) -> None:
        for debt_id in debt_ids:
            item = DebtItem(debtor_pk(tenant, debtor_id), debt_sk(debt_id))
            try:
                item.update(
                    actions=[DebtItem.risk_band.set(band) if band else DebtItem.risk_band.remove()],
                    condition=DebtItem.PK.exists(),
                )
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
