"""Bulk import: upsert debtors and debts by external id, row by row, re-runnable."""

from __future__ import annotations

from domain.errors import DomainError, ErrorCode
from domain.ports import ClaimKind
from domain.principal import Action, Principal
from domain.services.base import UseCase
from domain.services.debtors import debtor_id_for
from domain.services.debts import debt_id_for
from domain.services.import_plan import ImportSession, RowPlan, debt_key
from domain.services.import_rows import MAX_ROWS, ImportResult, ImportRow, RowError, field_errors

__all__ = ["MAX_ROWS", "DebtImport", "ImportResult", "ImportRow", "RowError", "field_errors"]


class DebtImport(UseCase):
    def run(
        self, principal: Principal, portfolio_id: str, rows: list[ImportRow], *, dry_run: bool = False
    ) -> ImportResult:
        """Validate every row; write the valid ones; re-running the same rows writes nothing.

        Reads are batched (claims, then existing records), new records go out in batch writes,
        changed ones in one conditional transaction each. `dry_run` decides and counts, writes nothing.
        """
        principal.require(Action.DEBT_IMPORT)
        if len(rows) > MAX_ROWS:
            raise DomainError(ErrorCode.TOO_MANY_ROWS, f"at most {MAX_ROWS} rows per call", "rows")
        tenant = self.settings(principal)
        portfolio = self.repo.get_portfolio(principal.tenant, portfolio_id)
        if portfolio is None:
            raise DomainError(ErrorCode.NOT_FOUND, "portfolio not found", "portfolioId")
        t = principal.tenant
        debtor_claims = self.repo.get_claims(
            t, ClaimKind.DEBTOR_EXTERNAL_ID, sorted({r.debtor_external_id.strip() for r in rows})
        )
        debt_claims = self.repo.get_claims(
            t, ClaimKind.DEBT_EXTERNAL_ID, sorted({r.external_id.strip() for r in rows})
        )
        existing_debtors = self.repo.get_debtors(t, sorted({c.target for c in debtor_claims.values()}))
        existing_debts = self.repo.get_debts(t, sorted({debt_key(c.target) for c in debt_claims.values()}))
        # Derived ids of new records can only be taken by records renamed since: one batch read each.
        debtor_ids = {
            ext: (debtor_claims[ext].target if ext in debtor_claims else debtor_id_for(t, ext))
            for ext in {r.debtor_external_id.strip() for r in rows}
        }
        # A record at a derived id with this very external id is ours, half-written by an interrupted
        # batch (its claim missing): rewriting it under the same id converges, a new id would duplicate.
        taken_debtors = {
            debtor_id
            for debtor_id, found in self.repo.get_debtors(
                t, sorted(debtor_ids[ext] for ext in debtor_ids if ext not in debtor_claims)
            ).items()
            if found.external_id not in debtor_ids or debtor_ids[found.external_id] != debtor_id
        }
        new_debt_keys = {
            (
                debtor_ids[r.debtor_external_id.strip()],
                debt_id_for(t, debtor_ids[r.debtor_external_id.strip()], r.external_id.strip()),
            )
            for r in rows
            if r.external_id.strip() not in debt_claims
        }
        taken_debts = {
            key
            for key, found in self.repo.get_debts(t, sorted(new_debt_keys)).items()
            if debt_id_for(t, key[0], found.external_id) != key[1]
        }
        session = ImportSession(
            self,
            principal,
            tenant.country,
            tenant.currency,
            self.today(tenant),
            portfolio,
            debtor_claims,
            debt_claims,
            existing_debtors,
            existing_debts,
        )
        session.taken_debtor_ids, session.taken_debt_keys = taken_debtors, taken_debts
        result = ImportResult()
        plans: list[RowPlan] = []
        for index, row in enumerate(rows):
            try:
                plans.append(session.plan(index, row))
            except DomainError as err:
                result.errors.extend(RowError(index, e.field, e.code, e.message) for e in err.errors)
        txs = [tx for plan in plans for tx in plan.txs]
        failures = [None] * len(txs) if dry_run or not txs else self.repo.commit_many(t, txs)
        failed = {id(tx): f for tx, f in zip(txs, failures, strict=True) if f is not None}
        for plan in plans:
            failure = next((failed[id(tx)] for tx in plan.txs if id(tx) in failed), None)
            if failure is not None:
                result.errors.append(
                    RowError(plan.index, None, ErrorCode.CONFLICT, f"not written, try again: {failure}")
                )
                continue
            result.debts.append(plan.debt)
            if plan.outcome != "unchanged":
                result.changes.append((plan.previous, plan.debt))
            setattr(result, plan.outcome, getattr(result, plan.outcome) + 1)
        result.errors.sort(key=lambda e: e.row)
        return result
