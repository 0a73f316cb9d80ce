"""`DynamoLedgerRepository`: the ledger port on the single DynamoDB table (PynamoDB)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from domain.entities import Adjustment, AuditEntry, Debt, Debtor, Dispute, Payment, Portfolio, Tenant
from domain.errors import ConcurrencyConflict, UniquenessConflict
from domain.ports import (
    Claim,
    ClaimKind,
    DebtorQuery,
    DebtQuery,
    Page,
    PageRequest,
    PaymentQuery,
    Transaction,
)

if TYPE_CHECKING:
    from domain.ports import LedgerRepository
from infra.dynamodb import aggregates, keys, mapping
from infra.dynamodb.cursors import decode_cursor, encode_cursor
from infra.dynamodb.models import (
    AdjustmentItem,
    ClaimItem,
    DebtItem,
    DebtorItem,
    DisputeItem,
    EventItem,
    PaymentItem,
    PortfolioItem,
    TableItem,
    TenantItem,
)
from infra.dynamodb.queries import audit_plan, debt_plan, debtor_plan, payment_plan, run_page
from infra.dynamodb.summary_store import DynamoSummaryStore

M = TypeVar("M", bound=TableItem)

MAX_TRANSACTION_ITEMS = 100


def _get(model: type[M], pk: str, sk: str, consistent: bool = False) -> M | None:
    try:
        return model.get(pk, sk, consistent_read=consistent)
    except model.DoesNotExist:
        return None


def _batch_get(model: type[M], key_pairs: Iterable[tuple[str, str]]) -> list[M]:
    unique = list(dict.fromkeys(key_pairs))
    return list(model.batch_get(unique)) if unique else []


def _query_all(model: type[M], pk: str, prefix: str, consistent: bool = False) -> list[M]:
    return list(model.query(pk, TableItem.SK.startswith(prefix), consistent_read=consistent))


def _debts_by_key(tenant: str, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], Debt]:
    items = _batch_get(DebtItem, ((keys.debtor_pk(tenant, dr), keys.debt_sk(dt)) for dr, dt in pairs))
    return {(item.debtor_id, item.id): mapping.debt_from_item(item) for item in items}


@dataclass(frozen=True)
class _TxOp:
    """What one TransactWrite item was, to explain its cancellation reason."""

    role: str
    claim: Claim | None = None


class DynamoLedgerRepository(DynamoSummaryStore):
    """Implements `domain.ports.LedgerRepository` on the table described in DESIGN.md.

    Reads are GetItem, BatchGetItem or Query (never Scan); every write of a use case is one
    TransactWrite with optimistic-lock conditions on the saved items, which also moves the live
    aggregates of the debts it saves (`infra.dynamodb.aggregates`).
    """

    # --- reads -----------------------------------------------------------------------------------

    def list_tenants(self) -> list[str]:
        """The tenant registry: Query GSI1 `TENANTS` through every page (ids only, in id order)."""
        items = TenantItem.query(
            keys.TENANTS_PK, index_name="GSI1", attributes_to_get=["PK", "SK", "kind", "GSI1SK"]
        )
        return [item.GSI1SK for item in items if item.GSI1SK]

    def get_tenant(self, tenant: str) -> Tenant | None:
        item = _get(TenantItem, keys.tenant_pk(tenant), keys.TENANT_SK)
        return mapping.tenant_from_item(item) if item else None

    def get_portfolio(self, tenant: str, portfolio_id: str) -> Portfolio | None:
        item = _get(PortfolioItem, keys.tenant_pk(tenant), keys.portfolio_sk(portfolio_id))
        return mapping.portfolio_from_item(item) if item else None

    def get_portfolios(self, tenant: str, ids: list[str]) -> dict[str, Portfolio]:
        pk = keys.tenant_pk(tenant)
        items = _batch_get(PortfolioItem, ((pk, keys.portfolio_sk(i)) for i in ids))
        return {item.id: mapping.portfolio_from_item(item) for item in items}

    def list_portfolios(self, tenant: str) -> list[Portfolio]:
        items = _query_all(PortfolioItem, keys.tenant_pk(tenant), keys.PORTFOLIO_PREFIX)
        return [mapping.portfolio_from_item(item) for item in items]

    def get_debtor(self, tenant: str, debtor_id: str) -> Debtor | None:
        item = _get(DebtorItem, keys.debtor_pk(tenant, debtor_id), keys.DEBTOR_SK)
        return mapping.debtor_from_item(item) if item else None

    def get_debtors(self, tenant: str, ids: list[str]) -> dict[str, Debtor]:
        items = _batch_get(DebtorItem, ((keys.debtor_pk(tenant, i), keys.DEBTOR_SK) for i in ids))
        return {item.id: mapping.debtor_from_item(item) for item in items}

    def list_debtors(self, tenant: str, query: DebtorQuery, page: PageRequest) -> Page[Debtor]:
        if query.external_id:
            return self._debtor_by_external_id(tenant, query, page)
        result = run_page(debtor_plan(tenant, query), tenant, page)
        return Page(
            [mapping.debtor_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def _debtor_by_external_id(self, tenant: str, query: DebtorQuery, page: PageRequest) -> Page[Debtor]:
        """At most one debtor, through its claim; a cursor past it (the only one) ends the list."""
        claim = self.get_claim(tenant, ClaimKind.DEBTOR_EXTERNAL_ID, query.external_id or "")
        item = _get(DebtorItem, keys.debtor_pk(tenant, claim.target), keys.DEBTOR_SK) if claim else None
        if page.after:
            partition = item.PK if item else ""
            decode_cursor(page.after, tenant=tenant, index=None, partition=partition, sort_ok=_is_debtor_sk)
        if item is None or page.after or page.first < 1:
            return Page(items=[], end_cursor=None, has_next_page=False, cursors=[])
        debtor = mapping.debtor_from_item(item)
        if not _debtor_matches(debtor, query):
            return Page(items=[], end_cursor=None, has_next_page=False, cursors=[])
        cursor = encode_cursor(item, None)
        return Page(items=[debtor], end_cursor=cursor, has_next_page=False, cursors=[cursor])

    def get_debt(self, tenant: str, debtor_id: str, debt_id: str) -> Debt | None:
        item = _get(DebtItem, keys.debtor_pk(tenant, debtor_id), keys.debt_sk(debt_id))
        return mapping.debt_from_item(item) if item else None

    def get_debts(self, tenant: str, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Debt]:
        return _debts_by_key(tenant, keys)

    def debts_of_debtor(self, tenant: str, debtor_id: str) -> list[Debt]:
        items = _query_all(DebtItem, keys.debtor_pk(tenant, debtor_id), keys.DEBT_PREFIX, consistent=True)
        return [mapping.debt_from_item(item) for item in items]

    def list_debts(self, tenant: str, query: DebtQuery, page: PageRequest) -> Page[Debt]:
        result = run_page(debt_plan(tenant, query), tenant, page)
        return Page(
            [mapping.debt_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def get_payment(self, tenant: str, debtor_id: str, payment_id: str) -> Payment | None:
        item = _get(PaymentItem, keys.debtor_pk(tenant, debtor_id), keys.payment_sk(payment_id))
        return mapping.payment_from_item(item) if item else None

    def list_payments(self, tenant: str, query: PaymentQuery, page: PageRequest) -> Page[Payment]:
        result = run_page(payment_plan(tenant, query), tenant, page)
        return Page(
            [mapping.payment_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def adjustments_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Adjustment]:
        pk = keys.debtor_pk(tenant, debtor_id)
        items = _query_all(AdjustmentItem, pk, keys.adjustment_prefix(debt_id))
        return [mapping.adjustment_from_item(item) for item in items]

    def disputes_of_debt(self, tenant: str, debtor_id: str, debt_id: str) -> list[Dispute]:
        items = _query_all(DisputeItem, keys.debtor_pk(tenant, debtor_id), keys.dispute_prefix(debt_id))
        return [mapping.dispute_from_item(item) for item in items]

    def get_claim(self, tenant: str, kind: ClaimKind, value: str) -> Claim | None:
        item = _get(ClaimItem, keys.claim_pk(tenant, kind.value, value), keys.CLAIM_SK)
        return mapping.claim_from_item(item) if item else None

    def get_claims(self, tenant: str, kind: ClaimKind, values: list[str]) -> dict[str, Claim]:
        pairs = ((keys.claim_pk(tenant, kind.value, v), keys.CLAIM_SK) for v in values)
        return {item.value: mapping.claim_from_item(item) for item in _batch_get(ClaimItem, pairs)}

    def list_audit(self, tenant: str, entity_id: str, page: PageRequest) -> Page[AuditEntry]:
        result = run_page(audit_plan(tenant, entity_id), tenant, page)
        return Page(
            [mapping.audit_from_item(i) for i in result.items],
            result.end_cursor,
            result.has_next_page,
            result.cursors,
        )

    def existing_event_ids(self, tenant: str, ids: list[str], consistent: bool = False) -> set[str]:
        """BatchGetItem on the outbox keys (100 per request), keys only: which events are stored."""
        pairs = [(keys.outbox_pk(tenant, i), keys.OUTBOX_SK) for i in dict.fromkeys(ids)]
        if not pairs:
            return set()
        items = EventItem.batch_get(
            pairs, consistent_read=consistent, attributes_to_get=["PK", "SK", "kind", "id"]
        )
        return {item.id for item in items}

    # --- writes ----------------------------------------------------------------------------------

    def commit(self, tenant: str, tx: Transaction) -> None:
        """One TransactWrite: saves conditioned on their expected version (absent when 0), claims and
        audit/outbox items conditioned on absence, releases deleted. Bumps versions on success."""
        count = tx.item_count()
        if count == 0:
            return
        if count > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items, got {count}")
        saves, claims, releases, audits, events = _build(tenant, tx)
        debt_saves = [(entity, expected) for entity, expected in tx.saves if isinstance(entity, Debt)]
        aggregate_updates = aggregates.transaction_updates(tenant, debt_saves)
        if count + len(aggregate_updates) > MAX_TRANSACTION_ITEMS:
            total = count + len(aggregate_updates)
            raise ValueError(f"a transaction holds at most {MAX_TRANSACTION_ITEMS} items, got {total}")
        not_there = TableItem.PK.does_not_exist()
        ops: list[_TxOp] = []
        # The models' cached connection (and its botocore client) carries the transaction too.
        connection = TableItem._get_connection().connection
        try:
            with TransactWrite(connection=connection) as writer:
                # PynamoDB sends deletes before puts: `ops` follows the order DynamoDB receives.
                for claim, release_item in zip(tx.releases, releases, strict=True):
                    writer.delete(release_item)
                    ops.append(_TxOp("release", claim))
                for (_, expected), item in zip(tx.saves, saves, strict=True):
                    version_ok = not_there if expected == 0 else TableItem.version == expected
                    writer.save(item, condition=version_ok)
                    ops.append(_TxOp("save"))
                for claim, claim_item in zip(tx.claims, claims, strict=True):
                    writer.save(claim_item, condition=not_there)
                    ops.append(_TxOp("claim", claim))
                for item in [*audits, *events]:
                    writer.save(item, condition=not_there)
                    ops.append(_TxOp("append"))
                # Raw ADDs on the aggregate shards; PynamoDB sends updates last, as `ops` lists them.
                for update in aggregate_updates:
                    writer._update_items.append(update)
                    ops.append(_TxOp("aggregate"))
        except TransactWriteError as error:
            _raise_conflict(error, ops)
            raise
        _bump_versions(tx)

    def commit_many(self, tenant: str, txs: list[Transaction]) -> list[Exception | None]:
        """Batchable transactions go out together as unconditional BatchWriteItem requests (25 items
        each; re-running converges); every other one is its own `commit`. A conflict is returned in
        that transaction's slot; any other error (invalid input, AWS failure) propagates."""
        results: list[Exception | None] = [None] * len(txs)
        batched = [tx for tx in txs if tx.batchable]
        if batched:
            self._batch_write(tenant, batched)
        for i, tx in enumerate(txs):
            if tx.batchable:
                continue
            try:
                self.commit(tenant, tx)
            except (ConcurrencyConflict, UniquenessConflict) as error:
                results[i] = error
        return results

    def _batch_write(self, tenant: str, txs: list[Transaction]) -> None:
        # Deltas over what is stored now: re-running a batch finds its debts written and adds nothing.
        debts = list({e.id: e for tx in txs for e, _ in tx.saves if isinstance(e, Debt)}.values())
        deltas = aggregates.batch_deltas(tenant, debts) if debts else []
        puts: dict[tuple[str, str], TableItem] = {}
        deletes: dict[tuple[str, str], TableItem] = {}
        for tx in txs:
            saves, claims, releases, audits, events = _build(tenant, tx)
            for item in releases:
                puts.pop((item.PK, item.SK), None)
                deletes[(item.PK, item.SK)] = item
            # BatchWriteItem refuses two requests for one key: the last write of a key wins.
            for item in [*saves, *claims, *audits, *events]:
                deletes.pop((item.PK, item.SK), None)
                puts[(item.PK, item.SK)] = item
        with TableItem.batch_write() as batch:
            for item in deletes.values():
                batch.delete(item)
            for item in puts.values():
                batch.save(item)
        for tx in txs:
            _bump_versions(tx)
        self.apply_deltas(tenant, deltas, None)


def _is_debtor_sk(sort_key: str) -> bool:
    return sort_key == keys.DEBTOR_SK


def _debtor_matches(debtor: Debtor, query: DebtorQuery) -> bool:
    if query.document_number and debtor.document_number != query.document_number:
        return False
    if query.agent_id and debtor.assigned_agent_id != query.agent_id:
        return False
    return not query.name_prefix or mapping.norm_name(debtor.name).startswith(
        mapping.norm_name(query.name_prefix)
    )


_Built = tuple[list[TableItem], list[TableItem], list[TableItem], list[TableItem], list[TableItem]]


def _build(tenant: str, tx: Transaction) -> _Built:
    """The items of a transaction: saves (version = expected + 1), claims, releases, audits, events."""
    keys.check_tenant(tenant)
    saves: list[TableItem] = []
    for entity, expected in tx.saves:
        if mapping.entity_tenant(entity) != tenant:
            raise ValueError(f"{type(entity).__name__} {entity.id} is not in tenant {tenant}")
        item = mapping.to_item(tenant, entity)
        item.version = expected + 1
        saves.append(item)
    foreign = [a.id for a in tx.audits if a.tenant != tenant]
    foreign += [e.id for e in tx.events if e.tenant != tenant]
    if foreign:
        raise ValueError(f"audit entries or events {foreign} are not in tenant {tenant}")
    return (
        saves,
        [mapping.claim_item(tenant, c) for c in tx.claims],
        [mapping.claim_item(tenant, c) for c in tx.releases],
        [mapping.audit_item(tenant, a) for a in tx.audits],
        [mapping.event_item(tenant, e) for e in tx.events],
    )


def _bump_versions(tx: Transaction) -> None:
    for entity, expected in tx.saves:
        if hasattr(entity, "version"):
            entity.version = expected + 1


def _raise_conflict(error: TransactWriteError, ops: list[_TxOp]) -> None:
    """Translate a cancelled transaction into the domain's conflict errors (or return to re-raise)."""
    if error.cause_response_code != "TransactionCanceledException":
        return
    reasons: list[Any] = list(error.cancellation_reasons)
    for op, reason in zip(ops, reasons, strict=False):
        if reason is not None and reason.code == "ConditionalCheckFailed" and op.claim and op.role == "claim":
            raise UniquenessConflict(f"{op.claim.kind.value}:{op.claim.value}") from error
    retryable = {"ConditionalCheckFailed", "TransactionConflict"}
    if any(r is not None and r.code in retryable for r in reasons):
        raise ConcurrencyConflict(str(error)) from error


if TYPE_CHECKING:
    _conforms: LedgerRepository = DynamoLedgerRepository()
