"""Serves the web console (``infra/console/static/``) on localhost, with its ``config.json``.

The console is static files: the same ones a stack deploys to its site bucket. Locally they are
served from the repository as they are, and ``config.json`` (the API's address and, when there
is one, the push channel's) is answered from the running local cloud. Only the console's own
files are served: no directory listing, nothing outside its folder. Each answer carries a
Content-Security-Policy that lets the page talk to its API and push channel only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra.console import STATIC_FILES
from infra.local.background_server import BackgroundServer, QuietThreadingHTTPServer

CONFIG_PATH = "/config.json"


def origin_of(url: str) -> str:
    """``http://127.0.0.1:8080/v1/`` -> ``http://127.0.0.1:8080``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config: dict[str, Any]) -> str:
    """Scripts, styles and images from the console's own origin; requests to its API and push channel."""
    talks_to = " ".join(
        origin_of(str(config[key])) for key in ("api_url", "websocket_url") if config.get(key)
    )
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {talks_to}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


class _ConsoleHandler(SimpleHTTPRequestHandler):
    server: _Server

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", content_security_policy(self.server.config()))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")  # a developer's edit shows on the next reload
        super().end_headers()

    def do_GET(self) -> None:
        if urlsplit(self.path).path == CONFIG_PATH:
            body = json.dumps(self.server.config()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "Not Found")
        return None

    def log_message(self, format: str, *args: Any) -> None:  # quiet, like the API server
        return


class _Server(QuietThreadingHTTPServer):
    def __init__(self, port: int, config: Callable[[], dict[str, Any]], directory: Path) -> None:
        super().__init__(("127.0.0.1", port), partial(_ConsoleHandler, directory=str(directory)))
        self.config = config


class LocalConsoleServer(BackgroundServer):
    """The console on ``http://127.0.0.1:<port>``; ``config`` is asked for ``config.json`` each time."""

    def __init__(
        self, config: Callable[[], dict[str, Any]], port: int = 0, directory: Path = STATIC_FILES
    ) -> None:
        if not (directory / "index.html").is_file():
            raise RuntimeError(f"the web console's files are missing: no index.html in {directory}")
        super().__init__(_Server(port, config, directory), name="web-console")
