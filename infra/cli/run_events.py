"""Follow runs live: a small client of the WebSocket API (push to clients).

    for envelope in subscribe(websocket_url, token, run_id):
        print(envelope["event_type"], envelope.get("phase"))

``subscribe`` connects with the token (``token`` query parameter), sends
``{"action": "subscribe", "run_id": ...}`` (no ``run_id``: every run of the token's tenant), waits
for the acknowledgement and then yields each event envelope (a dict) as it arrives, in order per
run, until the connection closes or the caller stops iterating. A refused token, a run that is not
the tenant's, or any error the API answers raises ``SubscriptionRefused`` with the API's message.
"""

from __future__ import annotations

import json
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


def subscribe(
    websocket_url: str,
    token: str,
    run_id: str | None = None,
    *,
    open_timeout: float = DEFAULT_OPEN_TIMEOUT_SECONDS,
) -> Iterator[dict[str, Any]]:
    """The envelopes of the run's events (or of every run of the tenant) from now on."""
    from websockets.exceptions import ConnectionClosedOK, InvalidStatus
    from websockets.sync.client import connect

    request: dict[str, Any] = {"action": "subscribe"} | ({"run_id": run_id} if run_id is not None else {})
    try:
        connection = connect(_with_token(websocket_url, token), open_timeout=open_timeout)
    except InvalidStatus as exc:
        status = exc.response.status_code
        body = exc.response.body.decode("utf-8", "replace").strip() if exc.response.body else ""
        raise SubscriptionRefused(f"the connection was refused: HTTP {status} {body}".rstrip()) from None
    with connection:
        connection.send(json.dumps(request))
        answer = _message(connection.recv(timeout=open_timeout))
        if answer.get("type") != "subscribed":
            reason = f"{answer.get('error', 'error')}: {answer.get('message', answer)}"
            raise SubscriptionRefused(f"the subscription was refused: {reason}")
        try:
            for message in connection:
                envelope = _message(message)
                if "event_type" in envelope:
                    yield envelope
                elif envelope.get("type") == "error":
                    raise SubscriptionRefused(f"{envelope.get('error')}: {envelope.get('message')}")
        except ConnectionClosedOK:
            return


def _message(raw: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except ValueError as exc:
        raise SubscriptionRefused(f"the API sent something that is not JSON: {str(raw)[:200]!r}") from exc
    if not isinstance(message, dict):
        raise SubscriptionRefused(f"the API sent JSON that is not an object: {str(raw)[:200]!r}")
    return message
