"""Who is calling: tenant and role from verified token claims."""

from __future__ import annotations

import pytest

from orchestrator.tenancy.roles import Caller, caller_from_claims, may_read, may_write


def test_caller_from_plain_claims() -> None:
    claims = {"sub": "user-1", "tenant_id": "acme", "role": "admin"}
    assert caller_from_claims(claims) == Caller(tenant_id="acme", role="admin", subject="user-1")


def test_caller_from_cognito_custom_claims() -> None:
    claims = {"sub": "user-2", "custom:tenant_id": "globex", "custom:role": "viewer"}
    assert caller_from_claims(claims) == Caller(tenant_id="globex", role="viewer", subject="user-2")


def test_plain_claim_wins_over_custom_claim() -> None:
    claims = {"sub": "u", "tenant_id": "acme", "custom:tenant_id": "globex", "role": "user"}
    caller = caller_from_claims(claims)
    assert caller is not None
    assert caller.tenant_id == "acme"


@pytest.mark.parametrize(("role", "writes"), [("admin", True), ("user", True), ("viewer", False)])
def test_who_may_write(role: str, writes: bool) -> None:
    claims = {"sub": "u", "tenant_id": "acme", "role": role}
    assert may_read(claims) is True
    assert may_write(claims) is writes


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "u", "tenant_id": "Acme", "role": "admin"},
        {"sub": "u", "tenant_id": "acme#globex", "role": "admin"},
        {"sub": "u", "tenant_id": "", "role": "admin"},
        {"sub": "u", "role": "admin"},
        {"sub": "u", "tenant_id": ["acme"], "role": "admin"},
        {"sub": "u", "tenant_id": "acme", "role": "superuser"},
        {"sub": "u", "tenant_id": "acme"},
        {"sub": "u", "tenant_id": "acme", "role": "ADMIN"},
    ],
    ids=[
        "uppercase",
        "delimiter",
        "empty",
        "missing",
        "not-a-string",
        "unknown-role",
        "no-role",
        "role-case",
    ],
)
def test_invalid_tenant_or_role_is_nobody(claims: dict[str, object]) -> None:
    assert caller_from_claims(claims) is None
    assert may_read(claims) is False
    assert may_write(claims) is False


def test_a_route_asking_for_the_caller_without_a_verified_token_is_refused_not_guessed() -> None:
    from orchestrator.api.security import VERIFIED_CLAIMS, current_caller
    from orchestrator.core.errors import ForbiddenAction

    VERIFIED_CLAIMS.set(None)
    with pytest.raises(ForbiddenAction, match="no verified caller"):
        current_caller()
    VERIFIED_CLAIMS.set({"sub": "alice", "tenant_id": "acme", "role": "admin"})
    assert current_caller().tenant_id == "acme"
    VERIFIED_CLAIMS.set(None)
