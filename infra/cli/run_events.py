"""Follow runs live: a small client of the WebSocket API (push to clients).

    for envelope in subscribe(websocket_url, token, run_id):
        print(envelope["event_type"], envelope.get("phase"))

``subscribe`` connects with the token (``token`` query parameter), sends
``{"action": "subscribe", "run_id": ...}`` (no ``run_id``: every run of the token's tenant) and
waits for the acknowledgement; the stream it returns then yields each event envelope (a dict) as it
arrives, in order per run, until the connection closes or ``close()``. A refused token, a run that
is not the tenant's, or any error the API answers raises ``SubscriptionRefused`` with the API's
message.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

DEFAULT_OPEN_TIMEOUT_SECONDS = 10.0


class SubscriptionRefused(Exception):
    """The WebSocket API refused the connection or the subscription (its reason in the message)."""


def _with_token(websocket_url: str, token: str) -> str:
    parts = urlsplit(websocket_url)
    query = "&".join(filter(None, [parts.query, urlencode({"token": token})]))
    return urlunsplit(parts._replace(query=query))


class RunEventStream:
    """The envelopes of a subscription, as an iterator; ``close()`` (or ``with``) ends it."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        from websockets.exceptions import ConnectionClosedOK

        while True:
            try:
                message = _message(self._connection.recv())
            except ConnectionClosedOK:
                raise StopIteration from None
            if "event_type" in message:
                return message
            if message.get("type") == "error":
                raise SubscriptionRefused(f"{message.get('error')}: {message.get('message')}")

    def next_within(self, seconds: float) -> dict[str, Any] | None:
        """The next envelope, or None when none came within ``seconds``; ``StopIteration`` once
        the connection has closed."""
        from websockets.exceptions import ConnectionClosedOK

        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = _message(self._connection.recv(timeout=left))
            except TimeoutError:
                return None
            except ConnectionClosedOK:
                raise StopIteration from None
            if "event_type" in message:
                return message
            if message.get("type") == "error":
                raise SubscriptionRefused(f"{message.get('error')}: {message.get('message')}")
        return None

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> RunEventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def subscribe(
    websocket_url: str,
    token: str,
    run_id: str | None = None,
    *,
    open_timeout: float = DEFAULT_OPEN_TIMEOUT_SECONDS,
) -> RunEventStream:
    """Connect and subscribe (refusals raise here), then iterate: the envelopes of the run's events
    (or of every run of the tenant) from now on."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    request: dict[str, Any] = {"action": "subscribe"} | ({"run_id": run_id} if run_id is not None else {})
    try:
        connection = connect(_with_token(websocket_url, token), open_timeout=open_timeout, legacy=True)
    except InvalidStatus as exc:
        status = exc.response.status_code
        body = exc.response.body.decode("utf-8", "replace").strip() if exc.response.body else ""
        raise SubscriptionRefused(f"the connection was refused: HTTP {status} {body}".rstrip()) from None
    try:
        connection.send(json.dumps(request))
        answer = _message(connection.recv(timeout=open_timeout))
    except BaseException:
        connection.close()
        raise
    if answer.get("type") != "subscribed":
        connection.close()
        reason = f"{answer.get('error', 'error')}: {answer.get('message', answer)}"
        raise SubscriptionRefused(f"the subscription was refused: {reason}")
    return RunEventStream(connection)


def _message(raw: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError as exc:
        raise SubscriptionRefused(f"the API sent something that is not JSON: {str(raw)[:200]!r}") from exc
    if not isinstance(message, dict):
        raise SubscriptionRefused(f"the API sent JSON that is not an object: {str(raw)[:200]!r}")
    return message
