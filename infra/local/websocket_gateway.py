"""Serves the stack's WebSocket API on localhost the way API Gateway runs it, with the real functions.

- The opening handshake is ``$connect``: the route's Lambda REQUEST authorizer is invoked first
  (an ``Unauthorized`` error refuses the connection with 401, a Deny with 403, any other failure
  with 500), then the route's integration (a status of 300 or more refuses with that status).
  What the authorizer returned as ``context`` (and its ``principalId``) reaches every later event
  of the connection in ``requestContext.authorizer``, as on AWS.
- Each message is routed by the API's route selection expression (``$request.body.<field>``):
  the route with that key, else ``$default``, else the client gets API Gateway's
  ``{"message": "Forbidden", ...}``. A route with a route response sends the integration's ``body``
  back to the client.
- A closed connection invokes ``$disconnect`` (not while the local cloud stops).
- The Management API (``POST``/``GET``/``DELETE /<stage>/@connections/<id>``) is served on its own
  port: a post to a connection that is not open is ``410 GoneException``, as on AWS. The deployer
  points the functions' callback URL (``https://<api id>.execute-api.<region>.amazonaws.com/<stage>``)
  at it.

The route functions run in the local Lambda runtime with the same event shapes API Gateway gives
them (``requestContext.connectionId``, ``routeKey``, ``eventType``, ``queryStringParameters``,
``headers``, ``body``).
"""

from __future__ import annotations

import json
import logging
import secrets
import string
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from infra.local.websocket_management import ManagementServer

if TYPE_CHECKING:
    from websockets.http11 import Request, Response
    from websockets.sync.server import Server, ServerConnection

    from infra.local.deployer import WebSocketApiSpec
    from infra.local.lambda_runtime import Invocation, LocalLambdaRuntime

log = logging.getLogger(__name__)

HANDSHAKE_WAIT_SECONDS = 5.0
"""How long a post to a connection whose ``$connect`` was allowed waits for its handshake to finish."""

_ID_CHARACTERS = string.ascii_letters + string.digits


def new_connection_id() -> str:
    """An id shaped like API Gateway's (15 letters and digits, then ``=``)."""
    return "".join(secrets.choice(_ID_CHARACTERS) for _ in range(15)) + "="


@dataclass
class _Connection:
    connection_id: str
    authorizer: dict[str, Any]
    source_ip: str
    user_agent: str
    connected_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_active_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    socket: ServerConnection | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)


class LocalWebSocketGateway:
    def __init__(
        self,
        runtime: LocalLambdaRuntime,
        api: WebSocketApiSpec,
        *,
        account_id: str,
        region: str,
        port: int = 0,
        management_port: int = 0,
    ) -> None:
        from websockets.sync.server import serve

        self._runtime = runtime
        self._api = api
        self._account_id = account_id
        self._region = region
        self._opening: dict[int, _Connection] = {}  # id(socket) -> the connection it opens
        self._open: dict[str, _Connection] = {}
        self._accepted: dict[str, threading.Event] = {}  # $connect allowed, handshake finishing
        self._lock = threading.Lock()
        self._stopping = False
        self._server: Server = serve(
            self._serve_connection, "127.0.0.1", port, process_request=self._connect, compression=None
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="websocket-api")
        self.management = ManagementServer(self, api.stage, port=management_port)

    # --- what the local cloud uses ------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}"

    def start(self) -> None:
        self._thread.start()
        self.management.start()

    def stop(self) -> None:
        self._stopping = True  # closing connections invokes no $disconnect: the cloud is going away
        self.management.stop()
        self._server.shutdown()

    # --- the Management API's side ------------------------------------------------------------
    def post(self, connection_id: str, data: bytes) -> bool:
        """Send ``data`` to the connection as one message; False if it is not open."""
        from websockets.exceptions import ConnectionClosed

        connection = self._opened(connection_id)
        if connection is None or connection.socket is None:
            return False
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        try:
            with connection.send_lock:
                connection.socket.send(text if text is not None else data)
        except ConnectionClosed:
            return False
        return True

    def _opened(self, connection_id: str) -> _Connection | None:
        """The open connection; one whose ``$connect`` was allowed is waited for while its handshake
        finishes (on AWS it can be posted to as soon as ``$connect`` returns)."""
        accepted = self._accepted.get(connection_id)
        if accepted is not None and not accepted.wait(HANDSHAKE_WAIT_SECONDS):
            self._accepted.pop(connection_id, None)  # the client went away during its handshake
        return self._open.get(connection_id)

    def describe(self, connection_id: str) -> dict[str, Any] | None:
        connection = self._opened(connection_id)
        if connection is None:
            return None
        return {  # the Management API's GetConnection answer (its wire names)
            "connectedAt": connection.connected_at.isoformat(),
            "lastActiveAt": connection.last_active_at.isoformat(),
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
        }

    def disconnect(self, connection_id: str) -> bool:
        connection = self._opened(connection_id)
        if connection is None or connection.socket is None:
            return False
        connection.socket.close()
        return True

    # --- $connect: the opening handshake -------------------------------------------------------
    def _connect(self, socket: ServerConnection, request: Request) -> Response | None:
        if self._stopping:
            return socket.respond(HTTPStatus.SERVICE_UNAVAILABLE, "the local cloud is stopping\n")
        headers = {name: value for name, value in request.headers.raw_items()}
        query = parse_qs(urlsplit(request.path).query, keep_blank_values=True)
        source_ip = str(socket.remote_address[0]) if socket.remote_address else "127.0.0.1"
        connection = _Connection(new_connection_id(), {}, source_ip, headers.get("User-Agent", ""))
        context = self._request_context(connection, "$connect", "CONNECT")
        request_fields = {
            "headers": headers,
            "multiValueHeaders": {name: [value] for name, value in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
        }
        route = self._api.routes.get("$connect")
        if route is not None and route.authorizer_function:
            refused = self._authorize(socket, connection, route.authorizer_function, request_fields, context)
            if refused is not None:
                return refused
            context["authorizer"] = connection.authorizer
        if route is not None:
            event = request_fields | {"requestContext": context, "isBase64Encoded": False}
            invocation = self._runtime.invoke(route.function, event)
            status = _status_of(invocation)
            if status >= 300:
                body = invocation.payload.get("body") if isinstance(invocation.payload, dict) else None
                return socket.respond(status, f"{body or HTTPStatus(status).phrase}\n")
        with self._lock:
            self._opening[id(socket)] = connection
            self._accepted[connection.connection_id] = threading.Event()
        return None

    def _authorize(
        self,
        socket: ServerConnection,
        connection: _Connection,
        function: str,
        request_fields: dict[str, Any],
        context: dict[str, Any],
    ) -> Response | None:
        """The REQUEST authorizer's verdict: None (allowed, its context kept) or the refusal."""
        api = f"{self._api.api_id}/{self._api.stage}"
        method_arn = f"arn:aws:execute-api:{self._region}:{self._account_id}:{api}/$connect"
        event = {"type": "REQUEST", "methodArn": method_arn, "stageVariables": {}, "requestContext": context}
        invocation = self._runtime.invoke(function, event | request_fields)
        payload = invocation.payload if isinstance(invocation.payload, dict) else {}
        if invocation.errored:
            if payload.get("errorMessage") == "Unauthorized":
                return socket.respond(HTTPStatus.UNAUTHORIZED, '{"message": "Unauthorized"}\n')
            log.warning("the WebSocket authorizer failed: %s", payload)
            return socket.respond(HTTPStatus.INTERNAL_SERVER_ERROR, '{"message": "Internal server error"}\n')
        statements = (payload.get("policyDocument") or {}).get("Statement") or []
        if not any(s.get("Effect") == "Allow" for s in statements) or any(
            s.get("Effect") == "Deny" for s in statements
        ):
            return socket.respond(HTTPStatus.FORBIDDEN, '{"message": "Forbidden"}\n')
        connection.authorizer = dict(payload.get("context") or {}) | {
            "principalId": payload.get("principalId")
        }
        return None

    # --- an open connection: messages, then $disconnect ---------------------------------------
    def _serve_connection(self, socket: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        with self._lock:
            connection = self._opening.pop(id(socket))
        connection.socket = socket
        self._open[connection.connection_id] = connection
        accepted = self._accepted.pop(connection.connection_id, None)
        if accepted is not None:
            accepted.set()
        try:
            for message in socket:
                connection.last_active_at = datetime.now(UTC)
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                self._route(connection, text)
        except ConnectionClosed:
            pass
        finally:
            self._open.pop(connection.connection_id, None)
            if not self._stopping and "$disconnect" in self._api.routes:
                context = self._request_context(connection, "$disconnect", "DISCONNECT") | {
                    "disconnectStatusCode": socket.close_code or 1006,
                    "disconnectReason": socket.close_reason or "",
                }
                event = {"requestContext": context, "isBase64Encoded": False}
                self._runtime.invoke(self._api.routes["$disconnect"].function, event)

    def _route(self, connection: _Connection, text: str) -> None:
        key = self._api.select_route(text)
        route = self._api.routes.get(key) if key else None
        if route is None:
            route = self._api.routes.get("$default")
        if route is None:  # no route matches: API Gateway's answer
            answer = {
                "message": "Forbidden",
                "connectionId": connection.connection_id,
                "requestId": _request_id(),
            }
            self._send(connection, json.dumps(answer))
            return
        context = self._request_context(connection, route.route_key, "MESSAGE") | {"messageId": _request_id()}
        event = {"requestContext": context, "body": text, "isBase64Encoded": False}
        invocation = self._runtime.invoke(route.function, event)
        if invocation.errored:
            log.warning("the WebSocket route %s failed: %s", route.route_key, invocation.payload)
            answer = {"message": "Internal server error", "connectionId": connection.connection_id}
            self._send(connection, json.dumps(answer))
            return
        if route.two_way and isinstance(invocation.payload, dict) and invocation.payload.get("body"):
            self._send(connection, str(invocation.payload["body"]))

    def _send(self, connection: _Connection, text: str) -> None:
        from websockets.exceptions import ConnectionClosed

        if connection.socket is None:
            return
        try:
            with connection.send_lock:
                connection.socket.send(text)
        except ConnectionClosed:
            pass

    def _request_context(self, connection: _Connection, route_key: str, event_type: str) -> dict[str, Any]:
        now = time.time()
        context: dict[str, Any] = {
            "routeKey": route_key,
            "eventType": event_type,
            "messageDirection": "IN",
            "stage": self._api.stage,
            "connectedAt": int(connection.connected_at.timestamp() * 1000),
            "requestTimeEpoch": int(now * 1000),
            "requestTime": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
            "requestId": _request_id(),
            "extendedRequestId": _request_id(),
            "domainName": "127.0.0.1",
            "connectionId": connection.connection_id,
            "apiId": self._api.api_id,
        }
        if connection.authorizer:
            context["authorizer"] = connection.authorizer
        return context


def _status_of(invocation: Invocation) -> int:
    """The status a route's integration answered (a failed invocation: 500)."""
    if invocation.errored:
        return 500
    payload = invocation.payload
    status = payload.get("statusCode", 200) if isinstance(payload, dict) else 200
    return int(status) if isinstance(status, int) else 500


def _request_id() -> str:
    return str(uuid.uuid4())
