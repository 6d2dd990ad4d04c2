"""Push to clients, in-process on moto: the WebSocket authorizer, the routes and the push function,
each called with the events API Gateway, the queue and the bus give them; the connections in the
table the stack declares."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator.container import Container
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import EventEnvelope, Run
from orchestrator.push.authorization import Unauthorized
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.conftest import MotoAws

METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/v1/$connect"


class RecordingSender:
    """The Management API as the push function sees it: what each connection was sent; ``gone``
    connections answer 410."""

    def __init__(self, gone: set[str] | None = None) -> None:
        self.sent: dict[str, list[dict[str, Any]]] = {}
        self.gone = gone or set()

    def post(self, connection_id: str, data: bytes) -> bool:
        if connection_id in self.gone:
            return False
        self.sent.setdefault(connection_id, []).append(json.loads(data))
        return True


class CountingReads:
    """The connections repository, noting each tenant whose subscribers were read."""

    def __init__(self, connections: Any) -> None:
        self.connections = connections
        self.tenants: list[str] = []

    def subscribers(self, tenant_id: str) -> Any:
        self.tenants.append(tenant_id)
        return self.connections.subscribers(tenant_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.connections, name)


@pytest.fixture
def container(aws: MotoAws, signing_key: LocalSigningKey) -> Container:
    return aws.configure(jwt_issuer=LOCAL_ISSUER, jwt_audience=LOCAL_AUDIENCE, jwt_jwks=signing_key.jwks())


def authorize(container: Container, **request: Any) -> dict[str, Any]:
    from handlers import websocket_authorizer

    event = {
        "type": "REQUEST",
        "methodArn": METHOD_ARN,
        "headers": {},
        "queryStringParameters": None,
    } | request
    answer: dict[str, Any] = websocket_authorizer.handler(
        event, FakeLambdaContext(), verifier=container.verifier
    )
    return answer


def route(
    container: Container, route_key: str, connection_id: str, context: dict[str, Any], body: str | None = None
) -> dict[str, Any]:
    from handlers import websocket_routes

    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    event = {
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "connectionId": connection_id,
            "stage": "v1",
            "apiId": "abc123",
            "authorizer": context,
        },
        "body": body,
        "isBase64Encoded": False,
    }
    answer: dict[str, Any] = websocket_routes.handler(event, FakeLambdaContext(), container=container)
    return answer


def connected(
    container: Container, signing_key: LocalSigningKey, tenant: str, connection_id: str
) -> dict[str, Any]:
    """A connection of ``tenant``'s user that passed the authorizer and ``$connect``."""
    token = signing_key.mint(tenant_id=tenant, role="viewer", subject=f"{tenant}-user")
    allowed = authorize(container, queryStringParameters={"token": token})
    context = dict(allowed["context"]) | {"principalId": allowed["principalId"]}
    assert route(container, "$connect", connection_id, context)["statusCode"] == 200
    return context


def a_run(container: Container, tenant: str) -> str:
    run = Run(tenant_id=tenant, run_id=new_run_id(), template="generic", topic="t", correlation_id="c")
    from orchestrator.tenancy.acting import acting_for_tenant

    with acting_for_tenant(tenant):
        container.runs.create(run)
    return run.run_id


def reply(answer: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(answer["body"])
    return body


# --- $connect: the authorizer ---------------------------------------------------------------
def test_a_token_in_the_query_or_the_authorization_header_passes_with_its_tenant_as_context(
    container: Container, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user", subject="alice")
    for request in (
        {"queryStringParameters": {"token": token}},
        {"headers": {"authorization": f"Bearer {token}"}},
    ):
        answer = authorize(container, **request)
        assert answer["principalId"] == "alice"
        assert answer["context"] == {"tenant_id": "acme", "role": "user", "subject": "alice"}
        (statement,) = answer["policyDocument"]["Statement"]
        assert statement == {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": METHOD_ARN}


@pytest.mark.parametrize(
    "request_fields",
    [
        {},
        {"queryStringParameters": {"token": "not-a-token"}},
        {"headers": {"Authorization": "Basic dXNlcjpwYXNz"}},
        {"headers": {"Authorization": "Bearer a.b.c"}},
    ],
    ids=["no token", "garbage", "another scheme", "a bad signature"],
)
def test_a_missing_or_bad_token_is_refused_as_unauthorized(
    container: Container, request_fields: dict[str, Any]
) -> None:
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        authorize(container, **request_fields)


def test_a_token_of_another_issuers_key_or_without_a_valid_role_is_refused(
    container: Container, signing_key: LocalSigningKey, tmp_path: Any
) -> None:
    stranger = LocalSigningKey.load_or_create(tmp_path)
    for token in (
        stranger.mint(tenant_id="acme"),
        signing_key.mint(tenant_id="acme", role="superuser"),
        signing_key.mint(tenant_id="acme", audience="someone-else"),
    ):
        with pytest.raises(Unauthorized):
            authorize(container, queryStringParameters={"token": token})


# --- the routes -----------------------------------------------------------------------------
def test_connect_records_the_connection_for_the_tokens_tenant_only(
    container: Container, signing_key: LocalSigningKey, aws: MotoAws
) -> None:
    connected(container, signing_key, "acme", "conn-a=")
    items = boto3.resource("dynamodb").Table(aws.tables["Connections"]).scan()["Items"]
    assert [(i["pk"], i["sk"], i["subject"]) for i in items] == [("acme", "connection#conn-a=", "acme-user")]
    assert int(items[0]["expires_at"]) > 0  # the table's TTL forgets it


def test_connect_of_a_tenant_not_onboarded_is_refused_with_403(
    container: Container, signing_key: LocalSigningKey
) -> None:
    token = LocalSigningKey.mint(signing_key, tenant_id="initech")  # the plain key: initech is not onboarded
    allowed = authorize(container, queryStringParameters={"token": token})
    answer = route(container, "$connect", "conn-x=", allowed["context"])
    assert answer["statusCode"] == 403 and reply(answer)["error"] == "TenantNotActive"


def test_subscribing_to_a_run_of_the_tenant_or_to_every_run_is_acknowledged(
    container: Container, signing_key: LocalSigningKey
) -> None:
    context = connected(container, signing_key, "acme", "conn-a=")
    run_id = a_run(container, "acme")
    one = route(
        container, "subscribe", "conn-a=", context, json.dumps({"action": "subscribe", "run_id": run_id})
    )
    every = route(container, "subscribe", "conn-a=", context, json.dumps({"action": "subscribe"}))
    assert reply(one) == {"type": "subscribed", "run_id": run_id}
    assert reply(every) == {"type": "subscribed", "run_id": "*"}


def test_another_tenants_run_and_an_unknown_run_get_the_same_clear_error(
    container: Container, signing_key: LocalSigningKey
) -> None:
    context = connected(container, signing_key, "globex", "conn-g=")
    theirs = a_run(container, "acme")
    for run_id in (theirs, new_run_id(), "../acme"):
        answer = reply(
            route(
                container,
                "subscribe",
                "conn-g=",
                context,
                json.dumps({"action": "subscribe", "run_id": run_id}),
            )
        )
        assert answer["type"] == "error" and answer["error"] in ("RunNotFound", "NotFound"), answer
        assert "not found" in answer["message"]
    assert container.connections.subscribed("globex", theirs) == []


@pytest.mark.parametrize(
    ("route_key", "body", "error", "says"),
    [
        ("$default", "not json", "InvalidMessage", "not JSON"),
        ("$default", "[1, 2]", "InvalidMessage", "not an object (list)"),
        ("$default", '{"action": "unsubscribe"}', "UnknownAction", "unknown action 'unsubscribe'"),
        ("$default", '{"run_id": "x"}', "UnknownAction", "has no 'action'"),
        ("subscribe", '{"action": "subscribe", "run_id": 7}', "InvalidMessage", "run_id must be a string"),
        ("subscribe", '{"action": "subscribe", "tenant_id": "acme"}', "InvalidMessage", "'tenant_id'"),
    ],
)
def test_a_message_that_is_not_a_subscription_gets_an_error_naming_what_is_wrong(
    container: Container, signing_key: LocalSigningKey, route_key: str, body: str, error: str, says: str
) -> None:
    context = connected(container, signing_key, "acme", "conn-a=")
    answer = reply(route(container, route_key, "conn-a=", context, body))
    assert answer["type"] == "error" and answer["error"] == error, answer
    assert says in answer["message"]
    if route_key == "$default":  # and what to send instead
        assert '{"action": "subscribe", "run_id": "<run id>"}' in answer["message"]


def test_a_route_without_the_authorizers_caller_is_refused(container: Container) -> None:
    answer = route(container, "subscribe", "conn-a=", {}, '{"action": "subscribe"}')
    assert answer["statusCode"] == 401 and reply(answer)["error"] == "Unauthorized"


def test_subscribing_on_a_connection_that_is_not_open_fails_and_disconnect_forgets_it(
    container: Container, signing_key: LocalSigningKey
) -> None:
    context = connected(container, signing_key, "acme", "conn-a=")
    assert route(container, "$disconnect", "conn-a=", context)["statusCode"] == 200
    answer = reply(route(container, "subscribe", "conn-a=", context, '{"action": "subscribe"}'))
    assert answer["error"] == "ConnectionGone"


# --- the push function ----------------------------------------------------------------------
def _queue_event(*envelopes: EventEnvelope) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"r{i}",
                "body": json.dumps(
                    {
                        "source": "ai.orchestrator",
                        "detail-type": e.event_type,
                        "detail": e.model_dump(mode="json"),
                    }
                ),
                "attributes": {"MessageGroupId": "lifecycle", "MessageDeduplicationId": f"d{i}"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:push.fifo",
                "awsRegion": "us-east-1",
            }
            for i, e in enumerate(envelopes)
        ]
    }


def test_each_event_reaches_the_subscribed_connections_of_its_tenant_in_order_and_no_other(
    container: Container, signing_key: LocalSigningKey
) -> None:
    from handlers import push_events

    # Given acme's client on one run, acme's client on every run, a gone acme client, and globex's
    run_id, other_run = a_run(container, "acme"), a_run(container, "acme")
    contexts = {
        cid: connected(container, signing_key, tenant, cid)
        for cid, tenant in [("one=", "acme"), ("all=", "acme"), ("gone=", "acme"), ("globex=", "globex")]
    }
    route(
        container,
        "subscribe",
        "one=",
        contexts["one="],
        json.dumps({"action": "subscribe", "run_id": run_id}),
    )
    for cid in ("all=", "gone=", "globex="):
        route(container, "subscribe", cid, contexts[cid], '{"action": "subscribe"}')
    sender = RecordingSender(gone={"gone="})
    container.__dict__["connection_sender"] = sender
    reads = CountingReads(container.connections)
    container.__dict__["connections"] = reads
    # When the run's events and another run's come through the queue, in one batch
    events = [
        EventEnvelope(event_type=t, tenant_id="acme", run_id=r, correlation_id="c", phase=p)
        for t, r, p in [
            ("PHASE_STARTED", run_id, "a"),
            ("PHASE_COMPLETED", run_id, "a"),
            ("PHASE_STARTED", other_run, "b"),
        ]
    ]
    answer = push_events.handler(_queue_event(*events), FakeLambdaContext(), container=container)
    # Then every record was handled; the one-run client got that run's events in order, the
    # all-runs client all three, globex's client nothing, and the gone connection is forgotten
    assert answer == {"batchItemFailures": []}
    assert [(m["event_type"], m["run_id"]) for m in sender.sent["one="]] == [
        ("PHASE_STARTED", run_id),
        ("PHASE_COMPLETED", run_id),
    ]
    assert [m["event_id"] for m in sender.sent["all="]] == [e.event_id for e in events]
    assert "globex=" not in sender.sent
    assert reads.tenants == ["acme"]  # acme's subscribers read once for the whole batch
    assert {c.connection_id for c in container.connections.subscribed("acme", run_id)} == {"one=", "all="}


def test_a_record_that_fails_stops_the_batch_there_so_order_is_kept_on_the_retry(
    container: Container,
) -> None:
    from handlers import push_events

    good = EventEnvelope(event_type="PHASE_STARTED", tenant_id="acme", run_id="r", correlation_id="c")
    event = _queue_event(good, good, good)
    event["Records"][1]["body"] = json.dumps({"detail": {"not": "an envelope"}})
    container.__dict__["connection_sender"] = RecordingSender()
    answer = push_events.handler(event, FakeLambdaContext(), container=container)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
