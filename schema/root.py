"""The composed schema, with the limits every request runs under."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors, MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from schema.agents.resolvers import AgentMutations, AgentQueries
from schema.campaigns.policies import PolicyMutations, PolicyQueries
from schema.campaigns.resolvers import CampaignMutations, CampaignQueries
from schema.common import ApiError
from schema.imports import ImportMutations, ImportQueries
from schema.interactions.resolvers import InteractionMutations, InteractionQueries
from schema.interactions.types import ENTRY_TYPES
from schema.mutations import Mutation
from schema.plans.resolvers import PaymentPlanMutations, PaymentPlanQueries
from schema.plans.types import PaymentPlanNode
from schema.promises.resolvers import PromiseMutations, PromiseQueries
from schema.promises.types import PromiseNode
from schema.queries import Query
from schema.reports.resolvers import ReportMutations
from schema.summaries.resolvers import SummaryQueries
from schema.terms.resolvers import TermsMutations, TermsQueries
from schema.terms.types import DiscountOfferNode
from schema.types import AuditEntry, DebtNode, DebtorNode, PaymentNode, PortfolioNode
from schema.webhooks import WebhookMutations, WebhookQueries

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000


def _mask(error: GraphQLError) -> bool:
    """Hide everything but our own API errors and GraphQL validation errors (no stack traces, ever)."""
    original = error.original_error
    if original is None:
        return False
    return not isinstance(original, ApiError) and not isinstance(error, ApiError)


@strawberry.type(name="Query")
class RootQuery(
    PaymentPlanQueries,
    AgentQueries,
    TermsQueries,
    PromiseQueries,
    InteractionQueries,
    PolicyQueries,
    CampaignQueries,
    WebhookQueries,
    ImportQueries,
    SummaryQueries,
    Query,
):
    """Every query: the ledger's, the reminder engine's and the partners'."""


@strawberry.type(name="Mutation")
class RootMutation(
    PaymentPlanMutations,
    AgentMutations,
    TermsMutations,
    InteractionMutations,
    ReportMutations,
    PolicyMutations,
    CampaignMutations,
    WebhookMutations,
    ImportMutations,
    PromiseMutations,
    Mutation,
):
    """Every mutation."""


schema = strawberry.Schema(
    query=RootQuery,
    mutation=RootMutation,
    types=[
        PortfolioNode,
        DebtorNode,
        DebtNode,
        PaymentNode,
        AuditEntry,
        PromiseNode,
        PaymentPlanNode,
        DiscountOfferNode,
        *ENTRY_TYPES,
    ],
    extensions=[
        QueryDepthLimiter(max_depth=MAX_DEPTH),
        MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        MaxTokensLimiter(max_token_count=MAX_TOKENS),
        MaskErrors(should_mask_error=_mask, error_message="Unexpected error."),
    ],
)
