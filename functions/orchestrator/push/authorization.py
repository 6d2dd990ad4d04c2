"""Who opens a WebSocket connection: the API's JWT, verified by the API's own verifier (issuer,
audience, RS256 signature, expiry, subject), sent in the ``token`` query parameter (browsers cannot
set headers on a WebSocket) or as ``Authorization: Bearer <token>``.

The WebSocket API's Lambda REQUEST authorizer answers ``$connect`` with an Allow policy and the
caller (tenant, role, subject) as its context, which API Gateway hands to every route of that
connection: the routes never read a tenant from a message. A missing or invalid token, or one
without a valid tenant and role, is ``Unauthorized`` (API Gateway refuses the handshake with 401).
"""

from __future__ import annotations

from typing import Any

from orchestrator.core.observability import logger
from orchestrator.tenancy.roles import Caller, caller_from_claims

UNAUTHORIZED = "Unauthorized"  # the message API Gateway turns into a 401
TOKEN_PARAMETER = "token"  # noqa: S105 - the query parameter's name, not a secret


class Unauthorized(Exception):
    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


class KeysUnavailable(Exception):
    """The issuer's signing keys could not be fetched: the connection is refused (500), never allowed."""


def connect_token(event: dict[str, Any]) -> str | None:
    """The token of a ``$connect`` request: its ``Authorization: Bearer`` header, else its ``token``
    query parameter."""
    headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
    scheme, _, value = str(headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = (event.get("queryStringParameters") or {}).get(TOKEN_PARAMETER)
    return token.strip() if isinstance(token, str) and token.strip() else None


def authorize_connection(event: dict[str, Any], verifier: Any) -> dict[str, Any]:
    """An Allow policy for the connection's ``$connect`` with the caller as context, or ``Unauthorized``."""
    from aws_lambda_powertools.utilities.auth_alpha.exceptions import AuthError

    token = connect_token(event)
    if token is None:
        raise Unauthorized()
    try:
        claims = verifier.verify(token)
    except AuthError as exc:
        if exc.retryable:
            raise KeysUnavailable(exc.reason.value) from None
        logger.info("connection token refused", extra={"reason": exc.reason.value})
        raise Unauthorized() from None
    caller = caller_from_claims(claims)
    if caller is None or not caller.subject:
        logger.info("connection token names no valid tenant and role")
        raise Unauthorized()
    return {
        "principalId": caller.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}
            ],
        },
        "context": {"tenant_id": caller.tenant_id, "role": caller.role, "subject": caller.subject},
    }


def caller_of_connection(authorizer_context: Any) -> Caller | None:
    """The caller the authorizer verified on ``$connect`` (API Gateway passes its context to every
    route of the connection); None without one."""
    if not isinstance(authorizer_context, dict):
        return None
    return caller_from_claims(
        {
            "tenant_id": authorizer_context.get("tenant_id"),
            "role": authorizer_context.get("role"),
            "sub": authorizer_context.get("subject") or authorizer_context.get("principalId"),
        }
    )
