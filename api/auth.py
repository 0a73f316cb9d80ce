"""Bearer JWT → Principal.

Locally the server verifies HS256 tokens signed with the dev secret (what `recaudo token` issues).
On Lambda the HTTP API's JWT authorizer has already verified the token; the claims arrive in the event.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import jwt

from domain.principal import Principal, Role

DEV_SECRET_DEFAULT = "recaudo-local-dev-secret-not-for-production"
DEV_ISSUER = "recaudo-local"
DEV_AUDIENCE = "recaudo"


class AuthError(Exception):
    """The request carries no acceptable credentials (HTTP 401)."""


def _secret() -> str:
    return os.environ.get("RECAUDO_DEV_JWT_SECRET", DEV_SECRET_DEFAULT)


def _audience() -> str:
    return os.environ.get("RECAUDO_JWT_AUDIENCE", DEV_AUDIENCE)


def _issuer() -> str:
    return os.environ.get("RECAUDO_JWT_ISSUER", DEV_ISSUER)


def issue_token(
    tenant: str,
    role: str,
    sub: str = "dev-user",
    agent_id: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    """A token the local server accepts (HS256, dev secret)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "tenant": tenant,
        "role": Role(role).value,
        "iss": _issuer(),
        "aud": _audience(),
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if agent_id:
        claims["agent_id"] = agent_id
    return jwt.encode(claims, _secret(), algorithm="HS256")


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Validate the claims the product relies on, whoever verified the signature."""
    sub, tenant, role = claims.get("sub"), claims.get("tenant"), claims.get("role")
    if not isinstance(sub, str) or not sub:
        raise AuthError("token has no subject")
    if not isinstance(tenant, str) or not tenant or len(tenant) > 40:
        raise AuthError("token has no valid tenant")
    if not tenant.isascii() or not all(c.isalnum() or c == "-" for c in tenant):
        raise AuthError("token has no valid tenant")
    try:
        parsed_role = Role(str(role))
    except ValueError:
        raise AuthError("token has no valid role") from None
    agent_id = claims.get("agent_id")
    if parsed_role is Role.AGENT and not (isinstance(agent_id, str) and agent_id):
        raise AuthError("an AGENT token needs agent_id")
    return Principal(
        sub=sub,
        tenant=tenant.lower(),
        role=parsed_role,
        agent_id=agent_id if isinstance(agent_id, str) else None,
    )


def verify_bearer(authorization: str | None) -> Principal:
    """Verify a local HS256 bearer token: signature, expiry, issuer and audience."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise AuthError("missing bearer token")
    token = authorization[7:].strip()
    try:
        claims = jwt.decode(
            token,
            _secret(),
            algorithms=["HS256"],
            audience=_audience(),
            issuer=_issuer(),
            options={"require": ["exp", "sub", "aud", "iss"]},
        )
    except jwt.PyJWTError as err:
        raise AuthError(f"invalid token: {err.__class__.__name__}") from None
    return principal_from_claims(claims)


def principal_from_lambda_event(event: Mapping[str, Any]) -> Principal:
    """Claims verified by API Gateway's JWT authorizer (payload format 2.0)."""
    try:
        claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    except (KeyError, TypeError):
        raise AuthError("no verified claims in the request") from None
    return principal_from_claims(claims)
