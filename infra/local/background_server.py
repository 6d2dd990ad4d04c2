"""An HTTP server of the local cloud's on ``127.0.0.1``, serving from a daemon thread until stopped."""

from __future__ import annotations

import threading
from http.server import HTTPServer


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
