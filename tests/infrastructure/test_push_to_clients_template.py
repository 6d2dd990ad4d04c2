"""Push to clients in the synthesized template: the WebSocket API, its authorizer and routes, the
FIFO queue between the bus and the push function, and what the push function may do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orchestrator.core.constants import EVENT_SOURCE, LIFECYCLE_DETAIL_TYPES, TTL_ATTRIBUTE
from tests.infrastructure.test_every_role_is_fenced_per_tenant import render, role_statements
from tests.synthesized import resources_of_type, synthesized_template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return synthesized_template()


def _one(template: dict[str, Any], kind: str, prefix: str = "") -> tuple[str, dict[str, Any]]:
    (found,) = [(lid, r) for lid, r in resources_of_type(template, kind).items() if lid.startswith(prefix)]
    return found


def _function(template: dict[str, Any], handler: str) -> tuple[str, dict[str, Any]]:
    (found,) = [
        (lid, fn)
        for lid, fn in resources_of_type(template, "AWS::Lambda::Function").items()
        if fn["Properties"]["Handler"] == handler
    ]
    return found


def test_the_websocket_url_is_a_stack_output(template: dict[str, Any]) -> None:
    api_id, api = _one(template, "AWS::ApiGatewayV2::Api")
    url = render(template["Outputs"]["WebSocketUrl"]["Value"])
    assert url == f"wss://<{api_id}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/v1"
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    assert api["Properties"]["RouteSelectionExpression"] == "$request.body.action"


def test_connect_is_authorized_by_the_token_and_the_message_routes_answer_the_client(
    template: dict[str, Any],
) -> None:
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"]
        for r in resources_of_type(template, "AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {"$connect", "$disconnect", "$default", "subscribe"}
    assert routes["$connect"]["AuthorizationType"] == "CUSTOM"
    _, authorizer = _one(template, "AWS::ApiGatewayV2::Authorizer")
    authorizer_fn, _ = _function(template, "handlers.websocket_authorizer.handler")
    assert authorizer["Properties"]["AuthorizerType"] == "REQUEST"
    assert (
        authorizer["Properties"]["IdentitySource"] == []
    )  # the token may come as a query parameter or header
    assert authorizer_fn in json.dumps(authorizer["Properties"]["AuthorizerUri"])
    for key in ("subscribe", "$default"):
        assert routes[key]["RouteResponseSelectionExpression"] == "$default"
    routes_fn, _ = _function(template, "handlers.websocket_routes.handler")
    for integration in resources_of_type(template, "AWS::ApiGatewayV2::Integration").values():
        assert routes_fn in json.dumps(integration["Properties"]["IntegrationUri"])


def test_every_lifecycle_event_reaches_the_push_function_through_one_fifo_message_group(
    template: dict[str, Any],
) -> None:
    queue_id, queue = _one(template, "AWS::SQS::Queue", "PushPushQueue")
    assert (
        queue["Properties"]["FifoQueue"] is True and queue["Properties"]["ContentBasedDeduplication"] is True
    )
    assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 5
    _, rule = _one(template, "AWS::Events::Rule", "PushPushEveryEvent")
    assert rule["Properties"]["EventPattern"] == {
        "source": [EVENT_SOURCE],
        "detail-type": list(LIFECYCLE_DETAIL_TYPES),
    }
    (target,) = rule["Properties"]["Targets"]
    assert queue_id in json.dumps(target["Arn"]) and target["SqsParameters"] == {
        "MessageGroupId": "lifecycle"
    }
    assert "DeadLetterConfig" in target
    push_fn, _ = _function(template, "handlers.push_events.handler")
    (mapping,) = [
        m["Properties"]
        for m in resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
        if queue_id in json.dumps(m["Properties"]["EventSourceArn"])
    ]
    assert push_fn in json.dumps(mapping["FunctionName"])
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_push_function_manages_this_apis_connections_only(template: dict[str, Any]) -> None:
    api_id, _ = _one(template, "AWS::ApiGatewayV2::Api")
    _, push = _function(template, "handlers.push_events.handler")
    role = push["Properties"]["Role"]["Fn::GetAtt"][0]
    grants = [
        (holder, render(resource))
        for holder, statement in role_statements(template)
        if "execute-api:ManageConnections" in json.dumps(statement["Action"])
        for resource in (
            statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        )
    ]
    assert grants and {holder for holder, _ in grants} == {role}
    assert all(resource.endswith(f"<{api_id}>/*/*/@connections/*") for _, resource in grants), grants


def test_connections_expire(template: dict[str, Any]) -> None:
    _, table = _one(template, "AWS::DynamoDB::Table", "TablesConnections")
    assert table["Properties"]["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}


def test_an_event_that_could_not_be_pushed_raises_an_alarm(template: dict[str, Any]) -> None:
    dead_letters, _ = _one(template, "AWS::SQS::Queue", "PushPushDeadLetters")
    watching = [
        alarm
        for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values()
        if dead_letters in json.dumps(alarm["Properties"].get("Dimensions", []))
    ]
    assert [a["Properties"]["MetricName"] for a in watching] == ["ApproximateNumberOfMessagesVisible"]
