"""The local cloud's AWS endpoint: moto's server, its connections kept open between requests.

moto's ``ThreadedMotoServer`` serves with werkzeug's development server, which closes every
connection after one answer (``Connection: close``) and starts a thread per connection: every
request of every function paid a new TCP connection on both sides, a new server thread, and
werkzeug's 10 ms drain of the socket after the answer. Here the same application (moto's
``DomainDispatcherApplication``, the same ``environ`` from moto's request handler) answers each
request with the same status, headers and body, and the connection stays open for the client's
next request, as AWS endpoints keep it (HTTP/1.1 keep-alive; boto3 pools its connections): a
thread per connection then serves every request a pooled connection carries.

A connection closes when the client asks (``Connection: close``, or HTTP/1.0), when a request's
length cannot be read, when the application failed, or when the client closes it (a worker that
ends closes its own); what the application left unread of a request's body is read before the
next request is parsed, so each request starts at its own first byte. ``stop`` closes the open
connections too, and a connection left idle for ``IDLE_CONNECTION_SECONDS`` is closed (its thread
ends), as AWS endpoints close idle connections; boto3 opens a new one when it next needs it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import IO, Any, cast

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.exceptions import InternalServerError
from werkzeug.serving import ThreadedWSGIServer
from werkzeug.wsgi import LimitedStream

IDLE_CONNECTION_SECONDS = 60.0
"""A connection with no request for this long is closed, and the thread serving it ends."""


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler, answering on a connection that stays open (see the module)."""

    protocol_version = "HTTP/1.1"
    # an answer goes out at once: on a connection kept open, a write that follows a small one
    # (the answer after a "100 Continue") would otherwise wait for the client's delayed ACK
    disable_nagle_algorithm = True
    timeout = IDLE_CONNECTION_SECONDS  # on every read and write of the connection
    _body: Any = None

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's dechunking stream
            self._body = environ["wsgi.input"]
            return environ
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0:  # where the next request starts is unknown: this is the last one
            self.close_connection = True
            self._body = None
            return environ
        # the application reads at most the body; the rest of it is read after the answer
        self._body = environ["wsgi.input"] = LimitedStream(cast(IO[bytes], self.rfile), length)
        return environ

    def run_wsgi(self) -> None:
        if self.request_version != "HTTP/1.1":
            self.close_connection = True  # an HTTP/1.0 client expects the close
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self.environ = environ = self.make_environ()
        try:
            status, headers, chunks = _call(self.server.app, environ)
        except self.connection_dropped_errors:
            self.close_connection = True
            return
        except Exception as error:
            self.close_connection = True
            status, headers, chunks = _call(InternalServerError(), environ)
            self._log_failure(error)
        try:
            self._send(status, headers, chunks)
            self._read_rest_of_body()
        except self.connection_dropped_errors:
            self.close_connection = True

    connection_dropped_errors = (ConnectionError, socket.timeout)

    def _read_rest_of_body(self) -> None:
        """What the application did not read of the request's body, read (and dropped)."""
        if self.close_connection or self._body is None:
            return
        try:
            while self._body.read(65536):
                pass
        except OSError:  # a malformed chunked body: the connection cannot go on
            self.close_connection = True

    def _send(self, status: str, headers: list[tuple[str, str]], chunks: list[bytes]) -> None:
        """The answer as werkzeug writes it (chunked when it has no length; one chunk)."""
        code, _, message = status.partition(" ")
        self.send_response(int(code), message)
        names = set()
        for key, value in headers:
            self.send_header(key, value)
            names.add(key.lower())
        chunked = not (
            "content-length" in names
            or self.command == "HEAD"
            or 100 <= int(code) < 200
            or int(code) in (204, 304)
        )
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        body = b"".join(chunks)
        if chunked:
            body = (b"%x\r\n%s\r\n" % (len(body), body) if body else b"") + b"0\r\n\r\n"
        if body:
            self.wfile.write(body)

    def _log_failure(self, error: BaseException) -> None:
        from werkzeug.debug.tbtools import DebugTraceback

        self.server.log("error", f"Error on request:\n{DebugTraceback(error).render_traceback_text()}")

    def log_error(self, format: str, *args: Any) -> None:
        """An idle connection closed (``timeout``) is not an error; anything else is logged."""
        if not format.startswith("Request timed out"):
            super().log_error(format, *args)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Formatted only when werkzeug's log shows requests (the local cloud's does not)."""
        logger = logging.getLogger("werkzeug")
        if logger.level == logging.NOTSET or logger.isEnabledFor(logging.INFO):  # as werkzeug's _log
            super().log_request(code, size)


def _call(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], list[bytes]]:
    """The application's status, headers and body (the whole body: moto builds it in memory)."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return lambda data: chunks.append(data)

    chunks: list[bytes] = []
    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return started[0], started[1], [c for c in chunks if c]


class KeepAliveWSGIServer(ThreadedWSGIServer):
    """werkzeug's threaded server that knows its open connections, to close them on ``close``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)  # its thread's next read ends it


class KeepAliveMotoServer(ThreadedMotoServer):
    """``ThreadedMotoServer`` whose connections stay open between requests (see the module)."""

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        self._server = KeepAliveWSGIServer(self._ip_address, self._port, app, KeepAliveRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    def stop(self) -> None:
        super().stop()
        if isinstance(self._server, KeepAliveWSGIServer):
            self._server.close_connections()
            self._server.server_close()
