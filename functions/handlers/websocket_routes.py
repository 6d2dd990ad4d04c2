"""The WebSocket API's routes: ``$connect`` (after the authorizer), ``$disconnect``, ``subscribe``
and ``$default`` (anything else a client sends). Each acts for the tenant the authorizer verified."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.data_classes import APIGatewayWebSocketEvent

from orchestrator.container import Container, deployed_container, start_function
from orchestrator.core.constants import SUBSCRIBE_ACTION
from orchestrator.core.observability import logger
from orchestrator.push.authorization import caller_of_connection
from orchestrator.push.subscriptions import Reply, connect, error, subscribe, unknown_action
from orchestrator.tenancy.acting import acting_for_tenant

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

start_function("websocket_routes")  # in Lambda: settings read and checked during init


@logger.inject_lambda_context(clear_state=True)
def handler(
    event: dict[str, Any], context: LambdaContext, container: Container | None = None
) -> dict[str, Any]:
    container = container or deployed_container()
    request = APIGatewayWebSocketEvent(event)
    route, connection_id = request.request_context.route_key, request.request_context.connection_id
    caller = caller_of_connection(event.get("requestContext", {}).get("authorizer"))
    logger.append_keys(route=route, connection_id=connection_id)
    if caller is None:  # only a route without the authorizer could get here: refuse, never guess
        reply = error(HTTPStatus.UNAUTHORIZED, "Unauthorized", "the connection has no verified caller")
        return reply.as_integration_response()
    logger.append_keys(tenant_id=caller.tenant_id)
    body = request.decoded_body if "isBase64Encoded" in event else event.get("body")
    with acting_for_tenant(caller.tenant_id):
        if route == "$connect":
            tenant = container.tenants.get(caller.tenant_id)
            reply = connect(caller, connection_id, tenant, container.connections)
        elif route == "$disconnect":
            container.connections.remove(caller.tenant_id, connection_id)
            reply = Reply(HTTPStatus.OK, {"type": "disconnected"})
        elif route == SUBSCRIBE_ACTION:
            reply = subscribe(caller, connection_id, body, container.runs, container.connections)
        else:
            reply = unknown_action(body)
    logger.info("websocket route", extra={"status": int(reply.status)})
    return reply.as_integration_response()
