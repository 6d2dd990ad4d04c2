"""Webhooks on the local cloud: a receiver on loopback (this machine) verifies every delivery with
the ``standardwebhooks`` library; a receiver answering 500 gets retries, then a dead letter; a
rotation while deliveries flow loses none. The suite's cloud retries after 1 s and 2 s."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client

RUN_ENDS = [
    "ORCHESTRATION_COMPLETED",
    "ORCHESTRATION_COMPENSATED",
    "ORCHESTRATION_REJECTED",
    "ORCHESTRATION_CANCELLED",
    "COMPENSATION_FAILED",
]
RUN_TIMEOUT = 300  # generous: the machine running the suite may be busy
SHOWCASE = {
    "template": "graph_showcase",
    "topic": "a reading list app",
    "options": {"offline": {"list_items": 1}},
}


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]

    @property
    def message(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    """An HTTP server on loopback: each path answers its status (200 unless set), keeps every request."""

    statuses: dict[str, int] = field(default_factory=dict)
    fail_first: set[str] = field(default_factory=set)  # paths whose first attempt of each message fails
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, server: ThreadingHTTPServer, path: str) -> str:
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        raise TimeoutError(
            f"never happened; received: {[(r.path, r.message['type']) for r in self.received]}"
        )

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver.lock:
                    seen = any(r.headers["webhook-id"] == headers["webhook-id"] for r in receiver.received)
                    receiver.received.append(Received(self.path, body, headers))
                status = receiver.statuses.get(self.path, 200)
                if self.path in receiver.fail_first and not seen:
                    status = 503
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"receiver says %d" % status)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


@pytest.fixture(scope="module")
def receiver() -> Iterator[tuple[Receiver, ThreadingHTTPServer]]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield state, server
    finally:
        server.shutdown()
        server.server_close()


def _admin(cloud: LocalCloud, tenant: str) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id=tenant, role="admin", subject=f"{tenant}-admin"))


def _register(client: Client, url: str, event_types: list[str]) -> dict[str, Any]:
    response = client.request("POST", "/webhooks", json={"url": url, "event_types": event_types})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _deliveries(client: Client, endpoint_id: str) -> list[dict[str, Any]]:
    response = client.request("GET", f"/webhooks/{endpoint_id}/deliveries?limit=100")
    assert response.status_code == 200, response.text
    return list(response.json()["deliveries"])


def test_a_receiver_on_loopback_verifies_every_delivery_of_a_run_that_asks_for_approval_and_ends(
    cloud: LocalCloud, receiver: tuple[Receiver, ThreadingHTTPServer]
) -> None:
    state, server = receiver
    # Given an endpoint of hooks-a on this machine, and one of another tenant
    tenant, other = _admin(cloud, "hooks-a"), _admin(cloud, "hooks-b")
    endpoint = _register(tenant, state.url(server, "/a"), ["APPROVAL_REQUESTED", *RUN_ENDS])
    _register(other, state.url(server, "/b"), ["APPROVAL_REQUESTED", *RUN_ENDS])
    # When a run asks for approval, is approved and ends
    run_id = tenant.start(SHOWCASE)
    assert (
        tenant.wait(run_id, RUN_TIMEOUT, {"AWAITING_APPROVAL", "COMPENSATED"})["status"]
        == "AWAITING_APPROVAL"
    )
    state.wait_for(lambda: any(r.message["type"] == "APPROVAL_REQUESTED" for r in state.at("/a")))
    assert tenant.request("POST", f"/runs/{run_id}/approval", json={"decision": "approve"}).status_code == 200
    assert tenant.wait(run_id, RUN_TIMEOUT)["status"] == "SUCCEEDED"
    state.wait_for(lambda: any(r.message["type"] == "ORCHESTRATION_COMPLETED" for r in state.at("/a")))
    # Then every delivery verifies with the endpoint's secret, as the standardwebhooks library checks
    verifier = Webhook(endpoint["secret"])
    messages = [verifier.verify(r.body, r.headers) for r in state.at("/a")]
    assert [m["type"] for m in messages] == ["APPROVAL_REQUESTED", "ORCHESTRATION_COMPLETED"]
    assert all(m["data"]["run_id"] == run_id and m["data"]["tenant_id"] == "hooks-a" for m in messages)
    assert messages[1]["data"]["payload"]["status"] == "SUCCEEDED"
    # And the delivery log says so; the other tenant's endpoint heard nothing of this run
    log = _deliveries(tenant, endpoint["endpoint_id"])
    assert sorted(d["event_type"] for d in log) == ["APPROVAL_REQUESTED", "ORCHESTRATION_COMPLETED"]
    assert all(d["status"] == "delivered" and d["last_status_code"] == 200 for d in log)
    assert state.at("/b") == []
    # And the table keeps the secret sealed with KMS, never as it was shown
    item = cloud.client("dynamodb").get_item(
        TableName=cloud.physical_id("TablesWebhooks"),
        Key={"pk": {"S": "hooks-a"}, "sk": {"S": f"endpoint#{endpoint['endpoint_id']}"}},
    )["Item"]
    (kept,) = item["secrets"]["L"]
    assert kept["M"]["value"]["S"].startswith("kms:") and endpoint["secret"] not in str(item)


def test_a_receiver_answering_500_gets_retries_then_a_dead_letter_and_its_endpoint_is_disabled(
    cloud: LocalCloud, receiver: tuple[Receiver, ThreadingHTTPServer]
) -> None:
    state, server = receiver
    state.statuses["/broken"] = 500
    tenant = _admin(cloud, "hooks-c")
    endpoint = _register(tenant, state.url(server, "/broken"), RUN_ENDS)
    watcher = _register(tenant, state.url(server, "/watcher"), ["WEBHOOK_ENDPOINT_DISABLED"])
    run_id = tenant.start({"topic": "a todo app"})
    assert tenant.wait(run_id, RUN_TIMEOUT)["status"] == "SUCCEEDED"

    def dead_lettered() -> bool:
        return any(d["status"] == "dead_lettered" for d in _deliveries(tenant, endpoint["endpoint_id"]))

    state.wait_for(dead_lettered)
    (delivery,) = _deliveries(tenant, endpoint["endpoint_id"])
    # three attempts: at once, after about 1 s, after about 2 s more; the last answer kept
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 500, 500]
    assert delivery["last_status_code"] == 500 and delivery["last_response"] == "receiver says 500"
    assert "3 attempts" in delivery["dead_letter_reason"] and delivery["next_attempt_at"] is None
    assert len(state.at("/broken")) == 3
    # the suite disables an endpoint at its first dead letter: the tenant's other endpoint is told
    state.wait_for(lambda: len(state.at("/watcher")) == 1)
    told = Webhook(watcher["secret"]).verify(state.at("/watcher")[0].body, state.at("/watcher")[0].headers)
    assert (
        told["type"] == "WEBHOOK_ENDPOINT_DISABLED"
        and told["data"]["payload"]["endpoint_id"] == endpoint["endpoint_id"]
    )
    listed = {w["endpoint_id"]: w for w in tenant.request("GET", "/webhooks").json()["webhooks"]}
    assert listed[endpoint["endpoint_id"]]["status"] == "disabled"
    assert listed[watcher["endpoint_id"]]["status"] == "enabled"


def test_a_rotation_while_deliveries_flow_loses_none(
    cloud: LocalCloud, receiver: tuple[Receiver, ThreadingHTTPServer]
) -> None:
    state, server = receiver
    state.fail_first.add("/rotating")  # every message's first attempt fails: its retry comes later
    tenant = _admin(cloud, "hooks-d")
    endpoint = _register(tenant, state.url(server, "/rotating"), ["ORCHESTRATION_STARTED", *RUN_ENDS])
    old = endpoint["secret"]
    runs = [tenant.start({"topic": f"a todo app {n}"}) for n in range(3)]
    # When the secret is rotated while those runs' deliveries are being made and retried
    state.wait_for(lambda: len(state.at("/rotating")) >= 1)
    rotated = tenant.request("POST", f"/webhooks/{endpoint['endpoint_id']}/rotate")
    assert rotated.status_code == 200, rotated.text
    new, rotated_at = rotated.json()["secret"], time.time()
    runs += [tenant.start({"topic": f"a todo app {n}"}) for n in range(3, 5)]
    for run_id in runs:
        assert tenant.wait(run_id, RUN_TIMEOUT)["status"] == "SUCCEEDED"
    # Then every run's start and end reached the receiver, each verified with the old or the new secret
    expected = {(run_id, t) for run_id in runs for t in ("ORCHESTRATION_STARTED", "ORCHESTRATION_COMPLETED")}

    def accepted() -> set[tuple[str, str]]:
        found = set()
        for r in state.at("/rotating"):
            if _verifies(r, new) or _verifies(r, old):
                found.add((r.message["data"]["run_id"], r.message["type"]))
        return found

    state.wait_for(lambda: accepted() >= expected)
    # And every attempt made after the rotation carries the new secret's signature (and the old one's)
    after = [r for r in state.at("/rotating") if int(r.headers["webhook-timestamp"]) > rotated_at + 1]
    assert after and all(_verifies(r, new) and _verifies(r, old) for r in after)
    # And the log says each one was delivered (written once the receiver's answer is in)

    def delivered() -> set[tuple[str, str]]:
        log = _deliveries(tenant, endpoint["endpoint_id"])
        return {(d["run_id"], d["event_type"]) for d in log if d["status"] == "delivered"}

    state.wait_for(lambda: delivered() == expected)


def _verifies(received: Received, secret: str) -> bool:
    try:
        Webhook(secret).verify(received.body, received.headers)
    except WebhookVerificationError:
        return False
    return True
