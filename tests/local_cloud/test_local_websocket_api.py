"""The local WebSocket API as API Gateway runs one: the authorizer and the route functions get API
Gateway's events and their answers decide the handshake and what the client receives; the
Management API reaches the open connections and answers 410 for the others. The functions here are
stand-ins that record what they were invoked with (the real ones run in the e2e suite)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from infra.local.lambda_runtime import Invocation
from infra.local.websocket_gateway import LocalWebSocketGateway
from infra.local.websocket_management import connection_id_from_path
from infra.local.websocket_resources import CALLBACK_URL, WebSocketApiSpec, WebSocketRoute


class RecordingRuntime:
    """Answers each function's invocation as the test's functions would, and keeps the events."""

    stopping = False

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def invoke(self, function: str, event: dict[str, Any]) -> Invocation:
        with self.lock:
            self.events.append((function, event))
        if function == "authorizer":
            token = (event.get("queryStringParameters") or {}).get("token")
            if token == "good":
                policy = {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke"}]}
                answer = {"principalId": "alice", "policyDocument": policy, "context": {"tenant_id": "acme"}}
                return Invocation(answer, False, "", 1)
            if token == "deny":
                return Invocation(
                    {"principalId": "x", "policyDocument": {"Statement": [{"Effect": "Deny"}]}}, False, "", 1
                )
            return Invocation({"errorType": "Unauthorized", "errorMessage": "Unauthorized"}, True, "", 1)
        route = event["requestContext"]["routeKey"]
        if route == "$connect" and (event.get("headers") or {}).get("X-Refuse"):
            return Invocation({"statusCode": 403, "body": "no"}, False, "", 1)
        return Invocation(
            {"statusCode": 200, "body": json.dumps({"route": route, "echo": event.get("body")})}, False, "", 1
        )

    def of(self, route: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                e
                for f, e in self.events
                if e.get("requestContext", {}).get("routeKey") == route and f != "authorizer"
            ]


API = WebSocketApiSpec(
    api_id="abc123xyz0",
    stage="v1",
    routes={
        "$connect": WebSocketRoute("$connect", function="routes", authorizer_function="authorizer"),
        "$disconnect": WebSocketRoute("$disconnect", function="routes"),
        "subscribe": WebSocketRoute("subscribe", function="routes", two_way=True),
        "$default": WebSocketRoute("$default", function="routes", two_way=True),
    },
)


@pytest.fixture
def gateway() -> Iterator[tuple[LocalWebSocketGateway, RecordingRuntime]]:
    runtime = RecordingRuntime()
    served = LocalWebSocketGateway(runtime, API, account_id="123456789012", region="us-east-1")  # type: ignore[arg-type]
    served.start()
    try:
        yield served, runtime
    finally:
        started = time.monotonic()
        served.stop()
        assert time.monotonic() - started < 5  # generous: the target is well under a second


def post_and_receive(client: Any, runtime: RecordingRuntime, socket: Any) -> str:
    """Post a message to the connection just opened and check that its client receives it; its id."""
    connection_id: str = runtime.of("$connect")[0]["requestContext"]["connectionId"]
    client.post_to_connection(ConnectionId=connection_id, Data=b'{"event_type": "PHASE_STARTED"}')
    assert json.loads(socket.recv(timeout=10)) == {"event_type": "PHASE_STARTED"}
    return connection_id


def management(gateway: LocalWebSocketGateway) -> Any:
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=f"{gateway.management.url}/v1",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def until(condition: Any, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.02)


def test_the_authorizer_decides_the_handshake(
    gateway: tuple[LocalWebSocketGateway, RecordingRuntime],
) -> None:
    served, runtime = gateway
    for token, status in (("bad", 401), ("deny", 403)):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{served.url}/?token={token}", open_timeout=10)
        assert refused.value.response.status_code == status
    with pytest.raises(InvalidStatus) as refused:  # the $connect route refuses: its status
        connect(f"{served.url}/?token=good", additional_headers={"X-Refuse": "1"}, open_timeout=10)
    assert refused.value.response.status_code == 403
    (authorizer_event,) = [
        e for f, e in runtime.events if f == "authorizer" and e["queryStringParameters"]["token"] == "good"
    ]
    assert authorizer_event["type"] == "REQUEST"
    assert (
        authorizer_event["methodArn"] == "arn:aws:execute-api:us-east-1:123456789012:abc123xyz0/v1/$connect"
    )


def test_events_have_api_gateways_shape_and_the_authorizers_context(
    gateway: tuple[LocalWebSocketGateway, RecordingRuntime],
) -> None:
    served, runtime = gateway
    with connect(f"{served.url}/?token=good&x=1", open_timeout=10) as socket:
        socket.send(json.dumps({"action": "subscribe", "run_id": "r1"}))
        assert json.loads(socket.recv(timeout=10)) == {
            "route": "subscribe",
            "echo": '{"action": "subscribe", "run_id": "r1"}',
        }
        socket.send("not json")
        assert json.loads(socket.recv(timeout=10))["route"] == "$default"
        socket.send('{"action": "other"}')
        assert json.loads(socket.recv(timeout=10))["route"] == "$default"
    until(lambda: runtime.of("$disconnect"))
    (connect_event,) = runtime.of("$connect")
    context = connect_event["requestContext"]
    assert context["eventType"] == "CONNECT" and context["stage"] == "v1" and context["apiId"] == "abc123xyz0"
    assert connect_event["queryStringParameters"] == {"token": "good", "x": "1"}
    assert connect_event["headers"]["Host"].startswith("127.0.0.1")
    assert context["authorizer"] == {"tenant_id": "acme", "principalId": "alice"}
    message = runtime.of("subscribe")[0]
    assert message["requestContext"]["eventType"] == "MESSAGE" and message["body"].startswith('{"action"')
    (disconnect,) = runtime.of("$disconnect")
    # one connection id through all of them, and the authorizer's context on every route
    ids = {e["requestContext"]["connectionId"] for e in [connect_event, message, disconnect]}
    assert len(ids) == 1 and next(iter(ids)).endswith("=")
    assert disconnect["requestContext"]["authorizer"]["tenant_id"] == "acme"
    assert disconnect["requestContext"]["disconnectStatusCode"] == 1000


def test_the_management_api_reaches_open_connections_and_answers_410_for_the_others(
    gateway: tuple[LocalWebSocketGateway, RecordingRuntime],
) -> None:
    served, runtime = gateway
    client = management(served)
    with connect(f"{served.url}/?token=good", open_timeout=10) as socket:
        connection_id = post_and_receive(client, runtime, socket)
        described = client.get_connection(ConnectionId=connection_id)
        assert described["Identity"]["SourceIp"] == "127.0.0.1"
        client.delete_connection(ConnectionId=connection_id)
        until(lambda: runtime.of("$disconnect"))
    with pytest.raises(ClientError) as gone:
        client.post_to_connection(ConnectionId=connection_id, Data=b"{}")
    assert gone.value.response["Error"]["Code"] == "GoneException"


@pytest.fixture
def slow_gateway(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LocalWebSocketGateway, RecordingRuntime]]:
    """A gateway whose server thread is slow to take a connection on once its handshake is sent
    (as on a loaded machine)."""
    serve = LocalWebSocketGateway._serve_connection

    def slowly(self: LocalWebSocketGateway, socket: Any) -> None:
        time.sleep(1.0)
        serve(self, socket)

    monkeypatch.setattr(LocalWebSocketGateway, "_serve_connection", slowly)
    runtime = RecordingRuntime()
    served = LocalWebSocketGateway(runtime, API, account_id="123456789012", region="us-east-1")  # type: ignore[arg-type]
    served.start()
    try:
        yield served, runtime
    finally:
        served.stop()


def test_a_connection_can_be_posted_to_as_soon_as_its_connect_returns(
    slow_gateway: tuple[LocalWebSocketGateway, RecordingRuntime],
) -> None:
    served, runtime = slow_gateway
    client = management(served)
    with connect(f"{served.url}/?token=good", open_timeout=10) as socket:
        # When a message is posted to it right after the client's connect returned, it arrives
        # (not 410: API Gateway takes posts once $connect has allowed the connection)
        post_and_receive(client, runtime, socket)


def test_route_selection_and_callback_urls() -> None:
    assert API.select_route('{"action": "subscribe"}') == "subscribe"
    assert API.select_route('{"action": 3}') is None
    assert API.select_route("[]") is None and API.select_route("nope") is None
    match = CALLBACK_URL.match("https://abc123xyz0.execute-api.us-east-1.amazonaws.com/v1")
    assert match is not None and (match["api"], match["stage"]) == ("abc123xyz0", "v1")
    assert connection_id_from_path("/v1/@connections/Ab3%3D", "v1") == "Ab3="
    assert connection_id_from_path("/v2/@connections/Ab3%3D", "v1") is None
