"""The local cloud's AWS endpoint (``infra/local/aws_server.py``) answers as moto's own server does,
on connections that stay open between requests."""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from infra.local.aws_server import KeepAliveMotoServer, KeepAliveRequestHandler
from infra.local.cloud import free_port

TARGET = "DynamoDB_20120810."
VOLATILE = {"date", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2", "connection", "last-modified"}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[int, int]]:
    """moto's own server and the keep-alive one, in this process (they share moto's backends)."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    theirs = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    ours = KeepAliveMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    theirs.start()
    ours.start()
    try:
        yield theirs.get_host_and_port()[1], ours.get_host_and_port()[1]
    finally:
        requests.post(f"http://127.0.0.1:{ours.get_host_and_port()[1]}/moto-api/reset", timeout=10)
        ours.stop()
        theirs.stop()


def _request(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, host: str = ""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host or 'dynamodb.us-east-1.amazonaws.com'}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _signed(service: str) -> dict[str, str]:
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{service}/aws4_request, "
        "SignedHeaders=host, Signature=0"
    }


def _dynamodb(action: str, payload: dict[str, Any]) -> bytes:
    headers = {
        "X-Amz-Target": TARGET + action,
        "Content-Type": "application/x-amz-json-1.0",
        **_signed("dynamodb"),
    }
    return _request("POST", "/", json.dumps(payload).encode(), headers)


def _s3(method: str, path: str, body: bytes = b"") -> bytes:
    return _request(method, path, body, _signed("s3"), host="s3.amazonaws.com")


def _answers(port: int, raw_requests: list[bytes]) -> list[tuple[int, dict[str, str], bytes]]:
    """Each request on a connection of its own (moto's server closes each), its status, headers
    (less those that differ by time or request) and body (its request ids left out)."""
    answers = []
    for raw in raw_requests:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.connect()
        assert connection.sock is not None
        connection.sock.sendall(raw)
        response = http.client.HTTPResponse(connection.sock, method=raw.split(b" ", 1)[0].decode())
        response.begin()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders() if k.lower() not in VOLATILE}
        answers.append((response.status, headers, re.sub(rb"<(RequestId|HostId)>[^<]*<", rb"<\1>...<", body)))
        connection.close()
    return answers


def _reset(port: int) -> None:
    requests.post(f"http://127.0.0.1:{port}/moto-api/reset", timeout=10).raise_for_status()


TABLE = {
    "TableName": "aws-server",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "S"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def _workload() -> list[bytes]:
    """Requests whose answers do not depend on the time: writes, reads, errors, an unknown route."""
    item = {
        "pk": {"S": "run"},
        "sk": {"S": "step#1"},
        "n": {"N": "1"},
        "m": {"M": {"a": {"L": [{"S": "x"}]}}},
    }
    return [
        _dynamodb("PutItem", {"TableName": "aws-server", "Item": item}),
        _dynamodb(
            "UpdateItem",
            {
                "TableName": "aws-server",
                "Key": {"pk": {"S": "run"}, "sk": {"S": "step#1"}},
                "UpdateExpression": "SET n = n + :one, #s = :s",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":s": {"S": "RUNNING"}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        _dynamodb("GetItem", {"TableName": "aws-server", "Key": {"pk": {"S": "run"}, "sk": {"S": "step#1"}}}),
        _dynamodb(
            "Query",
            {
                "TableName": "aws-server",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "run"}},
            },
        ),
        _dynamodb("GetItem", {"TableName": "missing", "Key": {"pk": {"S": "x"}}}),  # a 400
        _dynamodb("NoSuchAction", {}),  # a 500 (moto raises)
        _request("GET", "/no/such/route", host="localhost"),
        _s3("PUT", "/bucket-aws-server"),
        _s3("PUT", "/bucket-aws-server/key", b"object body"),
        _s3("GET", "/bucket-aws-server/key"),
        _s3("HEAD", "/bucket-aws-server/key"),
        _s3("GET", "/bucket-aws-server/missing"),
    ]


def test_answers_are_moto_servers_own(servers: tuple[int, int]) -> None:
    # Given the same workload on a fresh backend, through moto's server and through ours
    theirs_port, ours_port = servers
    answers = []
    for port in (theirs_port, ours_port):
        _reset(port)
        _answers(port, [_dynamodb("CreateTable", TABLE)])
        answers.append(_answers(port, _workload()))

    # Then every answer is the same: status, headers (but time and request ids) and body
    theirs, ours = answers
    assert [a[0] for a in theirs] == [200, 200, 200, 200, 400, 500, 404, 200, 200, 200, 200, 404]
    for one, other in zip(theirs, ours, strict=True):
        assert one == other


class _Answers:
    """The answers arriving on one connection, read in turn from one buffer (a response read may
    buffer the start of the next)."""

    def __init__(self, sock: socket.socket) -> None:
        self._file = sock.makefile("rb")

    def makefile(self, *args: Any, **kwargs: Any) -> Any:
        return self  # for HTTPResponse: reads from the one buffer, and does not close it

    def __getattr__(self, name: str) -> Any:
        return getattr(self._file, name)

    def close(self) -> None:
        pass

    def next(self, method: str = "POST") -> http.client.HTTPResponse:
        response = http.client.HTTPResponse(self, method=method)  # type: ignore[arg-type]
        response.begin()
        response.body = response.read()  # type: ignore[attr-defined]
        return response


def test_a_connection_carries_many_requests_each_from_its_own_first_byte(servers: tuple[int, int]) -> None:
    # Given one connection to our server, and a table
    _, port = servers
    _reset(port)
    _answers(port, [_dynamodb("CreateTable", TABLE)])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # When it carries several requests, one with a body the application never reads (moto's
        # dashboard; the body looks like a request of its own), and two sent at once
        answers = _Answers(sock)
        unread = _request("GET", "/moto-api/", b"GET /moto-api/reset-auth HTTP/1.1\r\nHost: x\r\n\r\n")
        get = _dynamodb("GetItem", {"TableName": "aws-server", "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}}})
        sock.sendall(unread)
        first = answers.next("GET")
        sock.sendall(get + get)
        second, third = answers.next(), answers.next()

        # Then each has its own answer and the connection stays open
        assert first.status == 200
        assert (second.status, third.status) == (200, 200)
        assert second.body == third.body == b"{}"  # type: ignore[attr-defined]
        assert all(r.getheader("Connection") is None for r in (first, second, third))


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (_request("GET", "/no/such/route", headers={"Connection": "close"}, host="localhost"), "asked"),
        (
            _request("GET", "/no/such/route", host="localhost").replace(b"HTTP/1.1", b"HTTP/1.0", 1),
            "HTTP/1.0",
        ),
        (b"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n", "a length that is no number"),
    ],
)
def test_the_connection_closes_when_it_cannot_go_on(servers: tuple[int, int], raw: bytes, why: str) -> None:
    _, port = servers
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(raw)
        response = _Answers(sock).next("GET")
        assert response.getheader("Connection") == "close", why
        assert sock.recv(1) == b"", why  # closed by the server


def test_a_chunked_body_is_read_and_the_connection_goes_on(servers: tuple[int, int]) -> None:
    _, port = servers
    _reset(port)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        answers = _Answers(sock)
        sock.sendall(_s3("PUT", "/bucket-chunked"))
        assert answers.next("PUT").status == 200
        sock.sendall(
            b"PUT /bucket-chunked/key HTTP/1.1\r\nHost: s3.amazonaws.com\r\nTransfer-Encoding: chunked\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in _signed("s3").items()).encode()
            + b"\r\n"
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        )
        assert answers.next("PUT").status == 200
        sock.sendall(_s3("GET", "/bucket-chunked/key"))
        assert answers.next("GET").body == b"hello world"  # type: ignore[attr-defined]


def test_stop_closes_the_open_connections() -> None:
    # Given a server with an open, idle connection
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = KeepAliveMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(_request("GET", "/no/such/route", host="localhost"))
        assert _Answers(sock).next("GET").status == 404

        # When the server stops
        server.stop()

        # Then the connection is closed, and nothing listens any more
        assert sock.recv(1) == b""
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def test_a_connection_left_idle_is_closed_and_its_thread_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a server whose connections may stay idle for half a second
    monkeypatch.setattr(KeepAliveRequestHandler, "timeout", 0.5)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = KeepAliveMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    threads = threading.active_count()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(_request("GET", "/no/such/route", host="localhost"))
            assert _Answers(sock).next("GET").status == 404
            serving = threading.active_count()

            # When no request follows
            # Then the server closes the connection, and the thread that served it ends
            assert sock.recv(1) == b""
        deadline = time.monotonic() + 10
        while threading.active_count() >= serving and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() < serving
        assert threading.active_count() <= threads
    finally:
        server.stop()
