"""Serves the API function on localhost as API Gateway REST proxy events (stage ``v1``).

Every request gets an answer: a body that is not UTF-8 text reaches the function base64-encoded
(as API Gateway passes binary bodies) and the function refuses it with 400; a method API Gateway
does not know gets 405 (its body read first, or the connection closed, so the next request on a
keep-alive connection is parsed from its own first byte); a body over API Gateway's 10 MB
payload limit gets 413; the accept backlog holds a burst of hundreds of connections; a client
that gives up before its answer (a reset or closed connection) is let go without a word.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from infra.local.background_server import QuietThreadingHTTPServer
from infra.local.lambda_runtime import Invocation, LocalLambdaRuntime


def proxy_event(
    method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str, account_id: str
) -> dict[str, Any]:
    parts = urlsplit(raw_path)
    path = parts.path or "/"
    query = parse_qs(parts.query, keep_blank_values=True)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": headers or None,
        "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": account_id,
            "apiId": "local",
            "protocol": "HTTP/1.1",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        },
        **_body_fields(body),
    }


def _body_fields(body: bytes) -> dict[str, Any]:
    if not body:
        return {"body": None, "isBase64Encoded": False}
    try:
        return {"body": body.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(body).decode("ascii"), "isBase64Encoded": True}


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit


class _ProxyHandler(BaseHTTPRequestHandler):
    """One request: a proxy event to the API function, its answer back as the HTTP response."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self, status: int, message: str, extra: dict[str, str] | None = None) -> None:
        payload = json.dumps({"message": message}).encode()
        self.send_response(status)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _content_length(self) -> int:
        """The declared body length; -1 if it is not a whole number."""
        try:
            return int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return -1

    def _chunked(self) -> bool:
        return "chunked" in str(self.headers.get("Transfer-Encoding") or "").lower()

    def _read_chunked(self) -> bytes | None:
        """A chunked body, whole (API Gateway buffers it too); None if it is malformed or too long."""
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                return None
            if size < 0 or len(body) + size > MAX_BODY_BYTES:
                return None
            if size == 0:
                break
            body += self.rfile.read(size)
            if self.rfile.readline(4) not in (b"\r\n", b"\n"):
                return None
        while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):  # trailers, then the end
            pass
        return bytes(body)

    def _serve(self) -> None:
        if self._chunked():
            chunked_body = self._read_chunked()
            if chunked_body is None:
                self.close_connection = True  # where the next request starts is unknown
                return self._answer(400, "malformed chunked body, or over 10 MB")
            return self._proxy(chunked_body)
        length = self._content_length()
        if length < 0:
            self.close_connection = True
            return self._answer(400, "Content-Length must be a whole number of bytes")
        if length > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body must not be parsed as a request
            return self._answer(413, "Request Too Long")
        self._proxy(self.rfile.read(length) if length else b"")

    def _proxy(self, body: bytes) -> None:
        server = self.server
        event = proxy_event(
            self.command,
            self.path,
            dict(self.headers.items()),
            body,
            self.client_address[0],
            server.account_id,
        )
        status, headers, text = _proxy_response(server.runtime.invoke(server.function_name, event))
        payload = text.encode("utf-8")
        self.send_response(status)
        for key, value in headers.items():
            if key.lower() not in ("content-length", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def _refuse_method(self) -> None:
        """A method API Gateway does not know: its JSON 405 with ``Allow``, once the declared body
        is read, so the connection's next request starts where this one ends; a body that cannot
        be read that way (no whole length, over the limit, chunked) closes the connection instead."""
        length = self._content_length()
        if self._chunked() or not 0 <= length <= MAX_BODY_BYTES:
            self.close_connection = True
        elif length:
            self.rfile.read(length)
        self._answer(405, "Method Not Allowed", {"Allow": ", ".join(METHODS)})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # a method API Gateway does not know
            return self._refuse_method
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the function logs requests
        return


def _proxy_response(invocation: Invocation) -> tuple[int, dict[str, str], str]:
    """Status, headers and body of the function's proxy answer; 502 if it failed or answered no object."""
    if invocation.errored or not isinstance(invocation.payload, dict):
        return 502, {"Content-Type": "application/json"}, '{"message": "Internal server error"}'
    response = invocation.payload
    status = int(response.get("statusCode", 200))
    headers = {k: str(v) for k, v in (response.get("headers") or {}).items()}
    for key, values in (response.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(str(v) for v in values)
    return status, headers, response.get("body") or ""


class _Server(QuietThreadingHTTPServer):
    request_queue_size = 1024  # the accept backlog: a burst of clients is queued, not reset

    def __init__(self, port: int, runtime: LocalLambdaRuntime, function_name: str, account_id: str) -> None:
        super().__init__(("127.0.0.1", port), _ProxyHandler)
        self.runtime = runtime
        self.function_name = function_name
        self.account_id = account_id


class LocalApiServer:
    def __init__(
        self, runtime: LocalLambdaRuntime, function_name: str, account_id: str, port: int = 0
    ) -> None:
        self._server = _Server(port, runtime, function_name, account_id)
        # a short poll: a stop waits for the serving thread to notice it at most that long
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
