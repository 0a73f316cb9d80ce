"""`DynamoDispatchReads`: everything a batch of send jobs names, in one BatchGetItem.

Tenants, debtors, debts, the debtors' contact logs and the jobs' send claims are all known by key, so
one strongly consistent BatchGetItem (100 keys a request; a batch of ten jobs needs about fifty) brings
them together; a second one, only when some claims exist (a retried job), brings the messages that own
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from domain.campaigns.dispatch.reads import Snapshot
from domain.campaigns.ports import SendClaim, SendJob
from domain.clock import Clock, SystemClock
from infra.dynamodb import keys
from infra.dynamodb.contact_log import ContactLogItem, log_key, prune, recent_contacts
from infra.dynamodb.loading import debt_from_item, debtor_from_item, tenant_from_item
from infra.dynamodb.message_items import CLAIM_SK, MessageItem, SendClaimItem, claim_pk, message_of
from infra.dynamodb.models import DebtItem, DebtorItem, TableItem, TenantItem


def _batch_get(pairs: Iterable[tuple[str, str]]) -> list[TableItem]:
    unique = list(dict.fromkeys(pairs))
    return list(TableItem.batch_get(unique, consistent_read=True)) if unique else []


class DynamoDispatchReads:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()

    def read(self, jobs: Sequence[SendJob]) -> Snapshot:
        claims: dict[tuple[str, str], tuple[str, SendClaim]] = {}
        pairs: list[tuple[str, str]] = []
        debtors: dict[str, tuple[str, str]] = {}
        logs: dict[tuple[str, str], ContactLogItem | None] = {}
        for job in jobs:
            pairs.append((keys.tenant_pk(job.tenant), keys.TENANT_SK))
            pairs.append((keys.debtor_pk(job.tenant, job.debtor_id), keys.DEBTOR_SK))
            pairs.append(log_key(job.tenant, job.debtor_id))
            debtors[keys.debtor_pk(job.tenant, job.debtor_id)] = (job.tenant, job.debtor_id)
            logs[(job.tenant, job.debtor_id)] = None
            for claim in job.claims():
                pairs.append((keys.debtor_pk(job.tenant, job.debtor_id), keys.debt_sk(claim.debt_id)))
                key = (claim_pk(job.tenant, claim), CLAIM_SK)
                claims[key] = (job.tenant, claim)
                pairs.append(key)
        snap = Snapshot(owners={found: None for found in claims.values()})
        owners: dict[tuple[str, str], list[tuple[str, SendClaim]]] = {}
        for item in _batch_get(pairs):
            if isinstance(item, TenantItem):
                tenant = tenant_from_item(item)
                snap.tenants[tenant.id] = tenant
            elif isinstance(item, DebtorItem):
                debtor = debtor_from_item(item)
                snap.debtors[(debtor.tenant, debtor.id)] = debtor
            elif isinstance(item, DebtItem):
                debt = debt_from_item(item)
                snap.debts[(debt.tenant, debt.debtor_id, debt.id)] = debt
            elif isinstance(item, SendClaimItem):
                owners.setdefault((item.message_pk, item.message_sk), []).append(claims[(item.PK, item.SK)])
            elif isinstance(item, ContactLogItem):
                logs[debtors[item.PK]] = item
        self._contacts(snap, logs, self.clock.now())
        for item in _batch_get(owners):
            if isinstance(item, MessageItem):
                message = message_of(item)
                for owned in owners[(item.PK, item.SK)]:
                    snap.owners[owned] = message
        return snap

    @staticmethod
    def _contacts(snap: Snapshot, logs: dict[tuple[str, str], ContactLogItem | None], now: datetime) -> None:
        for (tenant, debtor_id), item in logs.items():
            snap.contacts[(tenant, debtor_id)], stale = recent_contacts(item, now)
            prune(tenant, debtor_id, stale)
