"""The local API server answers every request: bad bytes, odd methods, oversized bodies, bursts."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import requests

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client


def _raw(cloud: LocalCloud, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; return the status, headers and body of the answer."""
    address = urlsplit(cloud.api_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = connection.recv(65536)
            assert chunk, f"the server closed the connection without an answer: {received!r}"
            received += chunk
        head, _, body = received.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        while len(body) < int(headers.get("content-length", 0)):
            body += connection.recv(65536)
    return int(lines[0].split()[1]), headers, body


def test_a_body_that_is_not_utf8_gets_a_400(acme: Client, cloud: LocalCloud) -> None:
    body = b'{"topic": "\xff\xfe not text"}'
    request = (
        b"POST /runs HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {acme.token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    status, _, answer = _raw(cloud, request)
    assert status == 400 and json.loads(answer)["message"] == "the request body is not UTF-8 text"
    runs = acme.request("GET", "/runs", params={"limit": 100}).json()["runs"]
    assert not [run for run in runs if "not text" in run["topic"]], "nothing was stored"


def test_an_unknown_method_gets_a_405_and_a_huge_body_a_413(cloud: LocalCloud) -> None:
    status, headers, _ = _raw(cloud, b"BREW /health HTTP/1.1\r\nHost: local\r\nContent-Length: 0\r\n\r\n")
    assert status == 405 and "POST" in headers["allow"]
    huge = b"POST /runs HTTP/1.1\r\nHost: local\r\nContent-Length: 20000000\r\n\r\n"
    status, _, answer = _raw(cloud, huge)  # the body is never sent: the answer comes first
    assert status == 413 and json.loads(answer) == {"message": "Request Too Long"}
    status, _, _ = _raw(cloud, b"POST /runs HTTP/1.1\r\nHost: local\r\nContent-Length: lots\r\n\r\n")
    assert status == 400


def test_a_burst_of_200_concurrent_requests_is_answered_without_connection_errors(
    acme: Client, cloud: LocalCloud
) -> None:
    def get(_: int) -> int | str:
        try:
            return acme.request("GET", "/templates").status_code
        except requests.ConnectionError as exc:
            return f"connection error: {exc}"

    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(get, range(200)))
    assert answers == [200] * 200, {str(a) for a in answers}


def test_twenty_concurrent_identical_requests_with_one_key_start_one_run(cloud: LocalCloud) -> None:
    tenant = Client(cloud, cloud.mint_token(tenant_id="idem-burst", subject="retrying-client"))
    body = {"template": "generic", "topic": "charge the card once"}

    def post(_: int) -> tuple[int, str]:
        response = tenant.request("POST", "/runs", json=body, headers={"Idempotency-Key": "burst-1"})
        return response.status_code, response.json().get("run_id", response.text)

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    assert {status for status, _ in answers} == {202}, answers
    assert len({run_id for _, run_id in answers}) == 1, answers
    runs = tenant.request("GET", "/runs").json()["runs"]
    assert [run["run_id"] for run in runs] == [answers[0][1]]
    tenant.wait(answers[0][1])
