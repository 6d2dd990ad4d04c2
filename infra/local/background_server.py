"""An HTTP server of the local cloud's on ``127.0.0.1``, serving from a daemon thread until stopped."""

from __future__ import annotations

import sys
import threading
from http.server import HTTPServer, ThreadingHTTPServer
from typing import Any


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that lets a client which gave up go quietly: a connection reset
    or closed before its answer was written (``BrokenPipeError``, ``ConnectionResetError``) is
    the client's choice, not an error of the server's; anything else is printed as before."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class BackgroundServer:
    """``server`` served in a thread of its own (``name``); ``stop`` waits at most one ``poll``
    interval for it (a short one: a stop of the local cloud does not wait on it)."""

    def __init__(self, server: HTTPServer, *, name: str, poll: float = 0.1) -> None:
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(poll,), daemon=True, name=name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
