"""API Gateway token authorizer for a deployment whose tokens come from an external issuer.

It verifies the Bearer token with the API function's own verifier (issuer, audience, signature,
expiry), so a request without a valid token never reaches the API function. API Gateway caches the
answer per Authorization header, so an allowed token is allowed on every route of this stage: which
routes the caller may use is decided by the API function, from the same verified claims.

- an invalid or missing token: ``Unauthorized`` is raised, which API Gateway answers with 401;
- the issuer's keys cannot be fetched: the invocation fails (API Gateway answers 500), nothing passes.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponse,
    APIGatewayAuthorizerTokenEvent,
)

from orchestrator.core.observability import logger
from orchestrator.core.settings import check_at_init, deployed_settings
from orchestrator.tenancy.roles import token_verifier

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.auth_alpha.jwt._internal.base import Verifier
    from aws_lambda_powertools.utilities.typing import LambdaContext

check_at_init("authorizer")  # in Lambda: settings read and checked during init

UNAUTHORIZED = "Unauthorized"  # the message API Gateway turns into a 401


class Unauthorized(Exception):
    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


class KeysUnavailable(Exception):
    """The issuer's signing keys could not be fetched: retryable, and never an Allow."""


def authorize(event: APIGatewayAuthorizerTokenEvent, token_verifier: Verifier) -> dict[str, Any]:
    """An Allow policy for every route of the calling API stage, or ``Unauthorized``."""
    from aws_lambda_powertools.utilities.auth_alpha.exceptions import AuthError

    try:
        claims = token_verifier.verify_authorization_header(event.authorization_token)
    except AuthError as exc:
        if exc.retryable:
            raise KeysUnavailable(exc.reason.value) from None
        logger.info("token refused", extra={"reason": exc.reason.value})
        raise Unauthorized() from None
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip():  # the verifier requires it; be explicit
        raise Unauthorized()
    arn = event.parsed_arn
    policy = APIGatewayAuthorizerResponse(
        principal_id=subject,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        partition=arn.partition,
    )
    policy.allow_all_routes()
    return policy.asdict()


@logger.inject_lambda_context(clear_state=True)
def handler(
    event: dict[str, Any], context: LambdaContext, verifier: Verifier | None = None
) -> dict[str, Any]:
    return authorize(APIGatewayAuthorizerTokenEvent(event), verifier or _deployed_verifier())


@cache
def _deployed_verifier() -> Verifier:
    """The authorizer needs the token verifier only: no repositories, no container."""
    verifier: Verifier = token_verifier(deployed_settings())
    return verifier
