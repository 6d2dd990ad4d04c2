"""Who is calling: the token is verified once per request (before routing); routes then check
the caller's role. The verified claims live for the request only (a ContextVar)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from orchestrator.core.errors import ForbiddenAction
from orchestrator.tenancy.acting import act_for_tenant
from orchestrator.tenancy.roles import Caller, caller_from_claims, may_administer, may_read, may_write

PUBLIC_PATHS = ("/health", "/openapi.json")
VERIFIED_CLAIMS: ContextVar[dict[str, Any] | None] = ContextVar("verified_claims", default=None)
CORRELATION_ID: ContextVar[str] = ContextVar("correlation_id", default="")
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]  # the OpenAPI document: routes needing a token


def remember(claims: dict[str, Any]) -> None:
    """The verified claims, for this request only; its DynamoDB calls sign as the claims' tenant
    (none when the claims name no valid tenant: every DynamoDB call then fails closed)."""
    VERIFIED_CLAIMS.set(claims)  # verified: the audit of a write knows its caller, allowed or not
    caller = caller_from_claims(claims)
    try:
        act_for_tenant(caller.tenant_id if caller is not None else None)
    except ValueError:  # an id the session tag cannot carry: act for no tenant
        act_for_tenant(None)


def _auth(policy: Any) -> Any:
    """A route's role check. The token was verified once, before routing (``request_gate``):
    this only asks whether the verified caller's role may use the route."""

    def run(app: APIGatewayRestResolver, next_middleware: Any) -> Response:
        claims = VERIFIED_CLAIMS.get()
        if claims is None:  # only public paths skip the gate, and they have no role check
            return Response(
                401, "application/json", {"message": "Unauthorized"}, {"WWW-Authenticate": "Bearer"}
            )
        if not policy(claims):
            return Response(
                403,
                "application/json",
                {"error": "ForbiddenAction", "message": "the caller's role may not do this"},
            )
        return next_middleware(app)

    return run


READ = [_auth(may_read)]
WRITE = [_auth(may_write)]
ADMIN = [_auth(may_administer)]


def current_caller() -> Caller:
    caller = caller_from_claims(VERIFIED_CLAIMS.get() or {})
    if caller is None:  # only a route without a role check could get here: refuse, never guess
        raise ForbiddenAction("the request has no verified caller")
    return caller


def verified_caller() -> Caller | None:
    return caller_from_claims(VERIFIED_CLAIMS.get() or {})


def current_correlation_id() -> str:
    return CORRELATION_ID.get()
