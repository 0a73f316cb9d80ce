"""`recaudo token`: a JWT the local server accepts, with the claims asked for; bad input exits non-zero."""

from __future__ import annotations

import time

import jwt
import pytest

from api.auth import DEV_AUDIENCE, DEV_ISSUER, DEV_SECRET_DEFAULT, verify_bearer
from api.cli import main
from domain.principal import Role


@pytest.fixture(autouse=True)
def dev_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RECAUDO_DEV_JWT_SECRET", "RECAUDO_JWT_AUDIENCE", "RECAUDO_JWT_ISSUER"):
        monkeypatch.delenv(name, raising=False)


def run_token(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["token", *args]) == 0
    out = capsys.readouterr().out
    assert out.endswith("\n") and out.count("\n") == 1, "prints only the token"
    return out.strip()


def decode(token: str) -> dict[str, object]:
    claims: dict[str, object] = jwt.decode(
        token, DEV_SECRET_DEFAULT, algorithms=["HS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER
    )
    return claims


def test_admin_token_carries_tenant_role_and_subject(capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN an ADMIN token is asked for (role in any case)
    token = run_token(capsys, "--tenant", "demo", "--role", "admin", "--sub", "ana")

    # THEN the dev secret verifies it and the claims are the ones asked for
    claims = decode(token)
    assert (claims["tenant"], claims["role"], claims["sub"]) == ("demo", "ADMIN", "ana")
    assert "agent_id" not in claims
    assert isinstance(claims["exp"], int) and claims["exp"] - time.time() > 7 * 3600

    # AND the local server's own check turns it into the principal
    principal = verify_bearer(f"Bearer {token}")
    assert (principal.tenant, principal.role, principal.sub) == ("demo", Role.ADMIN, "ana")


def test_agent_token_carries_the_agent_id_and_ttl(capsys: pytest.CaptureFixture[str]) -> None:
    token = run_token(capsys, "--tenant", "demo", "--role", "AGENT", "--agent-id", "ag-lucia", "--ttl", "60")

    claims = decode(token)
    assert (claims["role"], claims["agent_id"], claims["sub"]) == ("AGENT", "ag-lucia", "dev-user")
    assert isinstance(claims["exp"], int) and isinstance(claims["iat"], int)
    assert claims["exp"] - claims["iat"] == 60
    assert verify_bearer(f"Bearer {token}").agent_id == "ag-lucia"


@pytest.mark.parametrize(
    "args",
    [
        ["--tenant", "demo", "--role", "ROOT"],
        ["--tenant", "demo", "--role", "AGENT"],  # an agent token needs --agent-id
        ["--tenant", "demo", "--role", "ADMIN", "--ttl", "0"],
    ],
)
def test_bad_token_requests_exit_non_zero(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    assert main(["token", *args]) != 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "recaudo:" in captured.err


def test_missing_arguments_exit_non_zero() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["token", "--role", "ADMIN"])
    assert exc.value.code != 0
