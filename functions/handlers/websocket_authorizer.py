"""The WebSocket API's REQUEST authorizer on ``$connect``: the same JWT verification as the HTTP API
(token in the ``token`` query parameter or the ``Authorization`` header), the caller as context."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from orchestrator.core.observability import logger
from orchestrator.core.settings import check_at_init, deployed_settings
from orchestrator.push.authorization import authorize_connection
from orchestrator.tenancy.roles import token_verifier

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

check_at_init("websocket_authorizer")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext, verifier: Any = None) -> dict[str, Any]:
    return authorize_connection(event, verifier or _deployed_verifier())


@cache
def _deployed_verifier() -> Any:
    """The authorizer needs the token verifier only: no repositories, no container."""
    return token_verifier(deployed_settings())
