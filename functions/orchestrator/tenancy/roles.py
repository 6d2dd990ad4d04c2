"""Who is calling: tenant and role from a verified JWT (Powertools JWT verifier).

The tenant comes from the token only, never from a request body. Claims accepted:
``tenant_id`` (or Cognito's ``custom:tenant_id``) and ``role`` (or ``custom:role``),
one of ``admin``, ``user``, ``viewer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.core.records import TENANT_ID_PATTERN

if TYPE_CHECKING:
    from orchestrator.core.settings import Settings

ROLES_THAT_WRITE = frozenset({"admin", "user"})
ROLES_THAT_READ = frozenset({"admin", "user", "viewer"})


@dataclass(frozen=True)
class Caller:
    tenant_id: str
    role: str
    subject: str


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name, claims.get(f"custom:{name}", ""))
    return value if isinstance(value, str) else ""


def caller_from_claims(claims: dict[str, Any]) -> Caller | None:
    """The caller, or None when the token lacks a valid tenant or role."""
    tenant_id, role = _claim(claims, "tenant_id"), _claim(claims, "role")
    if not TENANT_ID_PATTERN.fullmatch(tenant_id) or role not in ROLES_THAT_READ:
        return None
    return Caller(tenant_id=tenant_id, role=role, subject=str(claims.get("sub", "")))


def may_read(claims: dict[str, Any]) -> bool:
    return caller_from_claims(claims) is not None


def may_write(claims: dict[str, Any]) -> bool:
    caller = caller_from_claims(claims)
    return caller is not None and caller.role in ROLES_THAT_WRITE


def may_administer(claims: dict[str, Any]) -> bool:
    """Tenant settings, prompts, budgets, the response cache: admins only."""
    caller = caller_from_claims(claims)
    return caller is not None and caller.role == "admin"


def token_verifier(settings: Settings) -> Any:
    """The verifier of the deployment's tokens: issuer, audience, RS256 signature, expiry, subject."""
    from aws_lambda_powertools.utilities.auth_alpha import JWTVerifier

    settings = settings.require("jwt_issuer", "jwt_audience")
    return JWTVerifier(
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        algorithms=["RS256"],
        jwks=settings.jwt_jwks,
        jwks_uri=settings.jwt_jwks_uri,
        required_claims=["sub"],
    )
