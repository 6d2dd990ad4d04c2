"""One webhook attempt over real sockets: the target policy (the archive fetch's SSRF guard) decides
where a delivery may go, at registration and at every attempt (its host resolved again)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orchestrator.core.errors import SourceFetchRefused
from orchestrator.webhooks.endpoints import WebhookUrlRefused, check_target_url
from orchestrator.webhooks.transport import TargetPolicy, post


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes, dict[str, str]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, body, {k.lower(): v for k, v in self.headers.items()}))
        self.send_response(self.status)
        self.send_header("Retry-After", "42")
        self.end_headers()
        self.wfile.write(b"x" * 5000)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[tuple[str, type[_Receiver]]]:
    handler = type("Receiver", (_Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def test_the_local_cloud_policy_delivers_to_loopback_and_keeps_the_start_of_the_answer(
    receiver: tuple[str, type[_Receiver]],
) -> None:
    base, handler = receiver
    handler.status = 503
    answer = post(
        f"{base}/hooks?x=1",
        b'{"a":1}',
        {"webhook-id": "m1", "content-type": "application/json"},
        policy=TargetPolicy(allow_loopback=True),
        timeout_seconds=5,
    )
    assert answer.status_code == 503 and not answer.ok and answer.retry_after == 42
    assert answer.excerpt == "x" * 1024
    (path, body, headers) = handler.received[0]
    assert path == "/hooks?x=1" and body == b'{"a":1}' and headers["webhook-id"] == "m1"


def test_a_deployed_stack_refuses_loopback_at_every_attempt_without_sending(
    receiver: tuple[str, type[_Receiver]],
) -> None:
    base, handler = receiver
    answer = post(f"{base}/hooks", b"{}", {}, policy=TargetPolicy(), timeout_seconds=5)
    assert answer.status_code is None and "SourceFetchRefused" in (answer.error or "")
    assert handler.received == []


def test_an_allowed_host_port_is_reached_although_private(receiver: tuple[str, type[_Receiver]]) -> None:
    base, handler = receiver
    port = int(base.rsplit(":", 1)[1])
    answer = post(f"{base}/h", b"{}", {}, policy=TargetPolicy({("127.0.0.1", port)}), timeout_seconds=5)
    assert answer.ok and len(handler.received) == 1


def test_no_answer_within_the_timeout_is_a_failed_attempt() -> None:
    import socket

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        answer = post(
            f"http://127.0.0.1:{port}/",
            b"{}",
            {},
            policy=TargetPolicy(allow_loopback=True),
            timeout_seconds=0.5,
        )
    assert answer.status_code is None and "no answer within 0.5 s" in (answer.error or "")


def _resolving_to(*addresses: str) -> Any:
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    ("url", "addresses", "reason"),
    [
        ("http://hooks.example.com/x", ("93.184.216.34",), "plain http"),
        ("https://user:pw@hooks.example.com/x", ("93.184.216.34",), "credentials"),
        ("https://hooks.example.com/x", ("10.0.0.7",), "private"),
        ("https://metadata.example.com/x", ("169.254.169.254",), "link-local"),
        ("https://rebind.example.com/x", ("93.184.216.34", "127.0.0.1"), "loopback"),
        ("ftp://hooks.example.com/x", ("93.184.216.34",), "scheme"),
    ],
)
def test_a_url_no_delivery_may_reach_is_refused_at_registration_naming_why(
    url: str, addresses: tuple[str, ...], reason: str
) -> None:
    with pytest.raises(WebhookUrlRefused, match=reason) as refused:
        check_target_url(url, TargetPolicy(resolver=_resolving_to(*addresses)))
    assert refused.value.details[0]["location"] == "body.url"
    assert refused.value.http_body()["error"] == "WebhookUrlRefused"


def test_loopback_allowed_locally_never_opens_private_addresses() -> None:
    policy = TargetPolicy(allow_loopback=True, resolver=_resolving_to("127.0.0.1"))
    assert policy.check("http://localhost:9000/hooks").address == "127.0.0.1"
    with pytest.raises(SourceFetchRefused, match="private"):
        TargetPolicy(allow_loopback=True, resolver=_resolving_to("192.168.1.5")).check("https://lan/")
    with pytest.raises(SourceFetchRefused, match="loopback"):  # loopback only when every address is
        TargetPolicy(allow_loopback=True, resolver=_resolving_to("127.0.0.1", "10.1.1.1")).check(
            "https://a.b/"
        )


def test_a_public_https_url_is_accepted() -> None:
    check_target_url("https://hooks.example.com/x", TargetPolicy(resolver=_resolving_to("93.184.216.34")))
