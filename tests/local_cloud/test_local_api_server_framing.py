"""The local API server keeps a keep-alive connection in step: a request it refuses before the
function sees it still has its declared body read, so the next request on the connection is
parsed from its own first byte."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.api_server import LocalApiServer
from infra.local.lambda_runtime import Invocation


class _EchoRuntime:
    """Answers every proxy event with its method, path and body (what the function was given)."""

    def invoke(self, name: str, event: dict[str, Any]) -> Invocation:
        body = {"method": event["httpMethod"], "path": event["path"], "body": event["body"]}
        headers = {"Content-Type": "application/json"}
        answer = {"statusCode": 200, "headers": headers, "body": json.dumps(body)}
        return Invocation(answer, False, "", 0)


@pytest.fixture
def server() -> Iterator[LocalApiServer]:
    api = LocalApiServer(_EchoRuntime(), "api", "123456789012")  # type: ignore[arg-type]
    api.start()
    yield api
    api.stop()


def _answers(server: LocalApiServer, request: bytes, count: int) -> list[tuple[int, dict[str, str], bytes]]:
    """Send the bytes on one connection; read ``count`` answers (fewer if the server closes it)."""
    port = int(server.url.rsplit(":", 1)[1])
    answers: list[tuple[int, dict[str, str], bytes]] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        buffered = b""
        while len(answers) < count:
            while b"\r\n\r\n" not in buffered:
                chunk = connection.recv(65536)
                if not chunk:
                    return answers
                buffered += chunk
            head, _, buffered = buffered.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            length = int(headers.get("content-length", 0))
            while len(buffered) < length:
                chunk = connection.recv(65536)
                assert chunk, "the connection closed inside an answer"
                buffered += chunk
            answers.append((int(lines[0].split()[1]), headers, buffered[:length]))
            buffered = buffered[length:]
    return answers


def test_an_unknown_method_with_a_body_leaves_the_next_request_on_the_connection_intact(
    server: LocalApiServer,
) -> None:
    # Given a QUERY request with a JSON body, then a GET on the same keep-alive connection
    body = b'{"topic": "GET /health HTTP/1.1"}'
    request = (
        b"QUERY /runs HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
        + b"GET /health HTTP/1.1\r\nHost: local\r\n\r\n"
    )
    # When both are sent at once
    (status, headers, answer), (next_status, _, next_answer) = _answers(server, request, 2)
    # Then the QUERY gets API Gateway's JSON 405 naming the methods there are
    assert status == 405 and headers["content-type"] == "application/json"
    assert json.loads(answer) == {"message": "Method Not Allowed"}
    assert "GET" in headers["allow"] and "POST" in headers["allow"]
    # And the GET is answered as the GET it is, its body unread by the QUERY's
    assert next_status == 200
    assert json.loads(next_answer) == {"method": "GET", "path": "/health", "body": None}


@pytest.mark.parametrize("length", ["lots", "20000000"])
def test_an_unknown_method_whose_body_cannot_be_read_closes_the_connection(
    server: LocalApiServer, length: str
) -> None:
    request = f"QUERY /runs HTTP/1.1\r\nHost: local\r\nContent-Length: {length}\r\n\r\n".encode()
    answers = _answers(server, request + b"GET /health HTTP/1.1\r\nHost: local\r\n\r\n", 2)
    assert [status for status, _, _ in answers] == [405]
    assert answers[0][1]["connection"] == "close"


def test_an_unknown_method_with_a_chunked_body_closes_the_connection(server: LocalApiServer) -> None:
    chunks = b"4\r\nabcd\r\n0\r\n\r\n"
    request = b"QUERY /runs HTTP/1.1\r\nHost: local\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    answers = _answers(server, request + b"GET /health HTTP/1.1\r\nHost: local\r\n\r\n", 2)
    assert [status for status, _, _ in answers] == [405]
    assert answers[0][1]["connection"] == "close"


def test_a_chunked_body_reaches_the_function_whole_and_the_next_request_stays_in_step(
    server: LocalApiServer,
) -> None:
    # Given a POST whose body comes in two chunks (with an extension and a trailer), then a GET
    chunked = (
        b"POST /runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Type: application/json\r\n\r\n"
        b'7;ext=1\r\n{"topic\r\n7\r\n": "x"}\r\n0\r\nX-Trailer: t\r\n\r\n'
        b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    (first, second) = _answers(server, chunked, 2)
    # Then the function gets the body joined, and the GET is answered as a GET
    assert first[0] == 200 and json.loads(first[2])["body"] == '{"topic": "x"}'
    assert second[0] == 200 and json.loads(second[2])["method"] == "GET"


def test_a_malformed_chunked_body_is_a_400_that_closes_the_connection(server: LocalApiServer) -> None:
    bad = b"POST /runs HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"
    answers = _answers(server, bad + b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", 2)
    assert [status for status, _, _ in answers] == [400]
    assert answers[0][1].get("connection") == "close"


class _SlowRuntime(_EchoRuntime):
    """Answers after ``delay`` seconds; ``answered`` is set when it has."""

    def __init__(self, delay: float) -> None:
        self.delay, self.answered = delay, threading.Event()

    def invoke(self, name: str, event: dict[str, Any]) -> Invocation:
        time.sleep(self.delay)
        try:
            return super().invoke(name, event)
        finally:
            self.answered.set()


def test_a_client_that_gives_up_before_its_answer_is_let_go_quietly(
    capfd: pytest.CaptureFixture[str],
) -> None:
    # Given a function that takes a moment to answer
    runtime = _SlowRuntime(delay=0.3)
    api = LocalApiServer(runtime, "api", "123456789012")  # type: ignore[arg-type]
    api.start()
    try:
        port = int(api.url.rsplit(":", 1)[1])
        # When a client sends a request and resets its connection before the answer
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(b"GET /runs HTTP/1.1\r\nHost: local\r\n\r\n")
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert runtime.answered.wait(10)
        time.sleep(0.5)  # the server writes its answer to the closed connection
        # Then the server goes on answering others
        (status, _, _), *_ = _answers(api, b"GET /health HTTP/1.1\r\nHost: local\r\n\r\n", 1)
        assert status == 200
    finally:
        api.stop()
    # And it printed nothing about the client that left (no traceback of a broken pipe or reset)
    printed = capfd.readouterr()
    assert "Traceback" not in printed.err + printed.out
    assert "Error" not in printed.err + printed.out
