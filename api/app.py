"""The HTTP entry: Starlette with /graphql (GraphiQL on GET) and /healthz."""

from __future__ import annotations

import json
import os

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from api.auth import AuthError, principal_from_lambda_event, verify_bearer
from domain.campaigns.engine import Reminders
from domain.imports.jobs import ImportJobs
from domain.interactions.service import Interactions
from domain.plans.service import PaymentPlans
from domain.principal import Principal
from domain.promises.service import Promises
from domain.queues.hooks import QueueInteractionObserver, QueuePromiseObserver
from domain.reports.exports import Exports
from domain.services import Ledger
from domain.services.webhooks import Webhooks
from domain.terms.service import DebtTerms
from domain.workforce import Workforce
from schema.context import Context
from schema.root import schema

PRINCIPAL_KEY = "recaudo.principal"


class LedgerGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our per-request context (the principal was set by RequireAuth)."""

    def __init__(
        self,
        ledger: Ledger,
        graphiql_token: str | None = None,
        webhooks: Webhooks | None = None,
        reminders: Reminders | None = None,
        exports: Exports | None = None,
        imports: ImportJobs | None = None,
        interactions: Interactions | None = None,
        promises: Promises | None = None,
        workforce: Workforce | None = None,
        plans: PaymentPlans | None = None,
        terms: DebtTerms | None = None,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=False)
        self.ledger, self.webhooks, self.reminders = ledger, webhooks, reminders
        self.exports, self.imports, self.interactions = exports, imports, interactions
        self.promises, self.workforce = promises, workforce
        self.plans = plans
        self.terms = terms
        html = super().graphql_ide_html
        if graphiql_token:
            # Local development only: GraphiQL starts with a working Authorization header.
            header = json.dumps({"Authorization": f"Bearer {graphiql_token}"})
            html = html.replace("const defaultHeaders = {};", f"const defaultHeaders = {header};")
        self._ide_html = html

    @property
    def graphql_ide_html(self) -> str:
        return self._ide_html

    async def get_context(self, request: Request | WebSocket, response: Response | None) -> Context:
        principal = request.scope.get(PRINCIPAL_KEY)
        if not isinstance(principal, Principal):  # pragma: no cover - RequireAuth always sets it
            raise AuthError("unauthenticated")
        return Context.create(
            principal,
            self.ledger,
            self.webhooks,
            self.reminders,
            exports=self.exports,
            imports=self.imports,
            interactions=self.interactions,
            promises=self.promises,
            workforce=self.workforce,
            plans=self.plans,
            terms=self.terms,
        )


def authenticate(scope: Scope, authorization: str | None) -> Principal:
    """On Lambda only the authorizer's verified claims count; locally, the dev-signed bearer token."""
    event = scope.get("aws.event")
    if event is not None:
        return principal_from_lambda_event(event)
    return verify_bearer(authorization)


class RequireAuth:
    """Every GraphQL operation needs a valid bearer token; only the GraphiQL page (GET) is open."""

    def __init__(self, app: LedgerGraphQL) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            await HTMLResponse(self.app.graphql_ide_html)(scope, receive, send)
            return
        if scope["type"] == "http":
            request = Request(scope)
            try:
                scope[PRINCIPAL_KEY] = authenticate(scope, request.headers.get("authorization"))
            except AuthError as err:
                response = JSONResponse(
                    {"errors": [{"message": str(err), "extensions": {"code": "UNAUTHENTICATED"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    ledger: Ledger | None = None,
    graphiql_token: str | None = None,
    webhooks: Webhooks | None = None,
    reminders: Reminders | None = None,
    exports: Exports | None = None,
    imports: ImportJobs | None = None,
    interactions: Interactions | None = None,
    promises: Promises | None = None,
    workforce: Workforce | None = None,
    plans: PaymentPlans | None = None,
    terms: DebtTerms | None = None,
) -> Starlette:
    """The API app; without arguments it wires itself from the environment (as on Lambda). Interactions,
    when not given, are wired on the ledger table next to the reminder engine."""
    if ledger is None:
        from infra.container import (
            build_exports,
            build_ledger,
            build_reminder_engine,
            build_webhooks,
            build_workforce,
            observe_ledger,
            webhooks_configured,
        )

        ledger = build_ledger()
        webhooks = webhooks or (build_webhooks() if webhooks_configured() else None)
        reminders = reminders or build_reminder_engine(ledger.deps.clock)
        workforce = workforce or build_workforce(ledger.deps.clock, reminders.deps)
        ledger = observe_ledger(ledger, workforce)  # before promises attach their payment listener
        exports = exports or build_exports(ledger.deps.clock)
        if imports is None and os.environ.get("RECAUDO_FILES_BUCKET"):
            from infra.container import build_import_jobs

            imports = build_import_jobs(ledger.deps.clock)
    if interactions is None and reminders is not None:
        from infra.container import build_interactions

        heard = QueueInteractionObserver(workforce.signals) if workforce is not None else None
        interactions = build_interactions(ledger, reminders, observer=heard)
    if promises is None:
        from infra.container import build_promises

        queue = [QueuePromiseObserver(workforce.signals, ledger.deps.clock)] if workforce else []
        promises = build_promises(ledger, reminders, *queue)
    if plans is None:
        from infra.container import build_plans

        plans = build_plans(ledger)  # after promises: it joins the payment observers they set
    if terms is None:
        from infra.container import build_terms

        terms = build_terms(ledger)
    graphql = RequireAuth(
        LedgerGraphQL(
            ledger,
            graphiql_token,
            webhooks,
            reminders,
            exports=exports,
            imports=imports,
            interactions=interactions,
            promises=promises,
            workforce=workforce,
            plans=plans,
            terms=terms,
        )
    )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )
