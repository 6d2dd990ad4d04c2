"""The WebSocket API's Management API on localhost: what ``apigatewaymanagementapi`` calls.

``POST /<stage>/@connections/<id>`` sends the request body to the connection as one message,
``GET`` describes the connection, ``DELETE`` closes it; a connection that is not open is
``410 GoneException`` (the error botocore raises as ``GoneException``), an unknown path 404.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import unquote

from infra.local.background_server import BackgroundServer, QuietThreadingHTTPServer


class Connections(Protocol):
    """The open connections (the local WebSocket gateway)."""

    def post(self, connection_id: str, data: bytes) -> bool: ...

    def describe(self, connection_id: str) -> dict[str, Any] | None: ...

    def disconnect(self, connection_id: str) -> bool: ...


def connection_id_from_path(path: str, stage: str) -> str | None:
    """``/<stage>/@connections/<id>`` -> the id (percent-decoded); None for any other path."""
    prefix = f"/{stage}/@connections/"
    return unquote(path[len(prefix) :]) if path.startswith(prefix) and len(path) > len(prefix) else None


MAX_MESSAGE_BYTES = 128 * 1024  # API Gateway's WebSocket frame limit is 32 KB, its message limit 128 KB


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self, status: int, body: dict[str, Any] | None = None, error: str | None = None) -> None:
        payload = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if error:
            self.send_header("x-amzn-ErrorType", error)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _connection_id(self) -> str | None:
        found = connection_id_from_path(self.path.split("?", 1)[0], self.server.stage)
        if found is None:
            self._answer(404, {"message": f"no such path: {self.path}"}, "NotFoundException")
        return found

    def _gone(self, connection_id: str) -> None:
        self._answer(410, {"message": f"connection {connection_id} is gone"}, "GoneException")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length > 0 else b""
        connection_id = self._connection_id()
        if connection_id is None:
            return
        if length > MAX_MESSAGE_BYTES:
            self._answer(
                413, {"message": f"the message is over {MAX_MESSAGE_BYTES} bytes"}, "PayloadTooLargeException"
            )
        elif self.server.gateway.post(connection_id, data):
            self._answer(200)
        else:
            self._gone(connection_id)

    def do_GET(self) -> None:
        connection_id = self._connection_id()
        if connection_id is None:
            return
        description = self.server.gateway.describe(connection_id)
        if description is None:
            self._gone(connection_id)
        else:
            self._answer(200, description)

    def do_DELETE(self) -> None:
        connection_id = self._connection_id()
        if connection_id is None:
            return
        if self.server.gateway.disconnect(connection_id):
            self._answer(204)
        else:
            self._gone(connection_id)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the functions log their calls
        return


class _Server(QuietThreadingHTTPServer):
    def __init__(self, port: int, gateway: Connections, stage: str) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.gateway = gateway
        self.stage = stage


class ManagementServer(BackgroundServer):
    def __init__(self, gateway: Connections, stage: str, port: int = 0) -> None:
        super().__init__(_Server(port, gateway, stage), name="websocket-management")
