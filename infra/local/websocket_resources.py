"""The WebSocket API's resources and SQS event source mappings as the local cloud deploys them.

``WebSocketApiDeployer`` holds the deployer's methods for ``AWS::ApiGatewayV2::*`` and
``AWS::Lambda::EventSourceMapping``: nothing is created in moto; the API is read into a
``WebSocketApiSpec`` (served by ``websocket_gateway.py``), the mappings into ``EventSourceSpec``s
(read by ``queue_pollers.py``).
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

Deployment = Any  # infra.local.deployer.Deployment (it imports this module): .physical, .websocket, ...

FUNCTION_IN_URI = re.compile(r"/functions/(?P<function>.+)/invocations$")
CALLBACK_URL = re.compile(r"^https://(?P<api>[a-z0-9]+)\.execute-api\.[^/]+/(?P<stage>[^/]+)$")


@dataclass
class WebSocketRoute:
    route_key: str
    function: str = ""  # the integration's function (name or ARN)
    authorizer_function: str = ""  # $connect: the REQUEST authorizer's function
    two_way: bool = False  # a route response sends the integration's body back to the client


@dataclass
class WebSocketApiSpec:
    api_id: str
    route_selection_expression: str = "$request.body.action"
    stage: str = ""
    routes: dict[str, WebSocketRoute] = field(default_factory=dict)

    def select_route(self, message: str) -> str | None:
        """The route key a message selects (``$request.body.<path>``), or None (``$default``)."""
        path = self.route_selection_expression.removeprefix("$request.body.")
        if path == self.route_selection_expression:
            return None
        try:
            value: Any = json.loads(message)
        except ValueError:
            return None
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class EventSourceSpec:
    """An SQS queue a function reads in batches (``AWS::Lambda::EventSourceMapping``)."""

    queue_arn: str
    function: str
    batch_size: int = 10
    report_item_failures: bool = False
    batching_window_seconds: float = 0.0  # MaximumBatchingWindowInSeconds
    max_concurrency: int | None = None  # ScalingConfig.MaximumConcurrency


class WebSocketApiDeployer:
    """The deployer's methods (name = type without "AWS::", lowercased) for these resources."""

    region: str
    account_id: str
    websocket_management_url: str

    def _apigatewayv2_api(
        self, lid: str, name: str, p: dict[str, Any], _: Any, d: Deployment
    ) -> dict[str, str]:
        if p.get("ProtocolType") != "WEBSOCKET":
            raise RuntimeError(f"{lid}: only WebSocket APIs are served locally, not {p.get('ProtocolType')}")
        if d.websocket is not None:
            raise RuntimeError(f"{lid}: the local cloud serves one WebSocket API")
        api_id = "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(10))
        d.websocket = WebSocketApiSpec(api_id, p.get("RouteSelectionExpression", "$request.body.action"))
        endpoint = f"wss://{api_id}.execute-api.{self.region}.amazonaws.com"
        return {"Ref": api_id, "ApiId": api_id, "ApiEndpoint": endpoint}

    def _apigatewayv2_integration(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        return {"Ref": lid, "Function": _function_of(lid, str(p.get("IntegrationUri", "")))}

    def _apigatewayv2_authorizer(self, lid: str, name: str, p: dict[str, Any], *_: Any) -> dict[str, str]:
        if p.get("AuthorizerType") != "REQUEST":
            raise RuntimeError(f"{lid}: only Lambda REQUEST authorizers are served locally")
        return {
            "Ref": lid,
            "AuthorizerId": lid,
            "Function": _function_of(lid, str(p.get("AuthorizerUri", ""))),
        }

    def _apigatewayv2_route(
        self, lid: str, name: str, p: dict[str, Any], _: Any, d: Deployment
    ) -> dict[str, str]:
        api = _api(lid, d)
        integration = str(p.get("Target", "")).removeprefix("integrations/")
        route = WebSocketRoute(
            p["RouteKey"],
            function=d.physical[integration]["Function"] if integration in d.physical else "",
            authorizer_function=d.physical[p["AuthorizerId"]]["Function"] if p.get("AuthorizerId") else "",
            two_way="RouteResponseSelectionExpression" in p,
        )
        api.routes[route.route_key] = route
        return {"Ref": lid, "RouteKey": route.route_key}

    def _apigatewayv2_routeresponse(
        self, lid: str, name: str, p: dict[str, Any], _: Any, d: Deployment
    ) -> dict[str, str]:
        """A route response makes its route two-way (the integration's body goes back)."""
        api = _api(lid, d)
        route_key = d.physical[p["RouteId"]]["RouteKey"] if p.get("RouteId") in d.physical else None
        if route_key in api.routes:
            api.routes[route_key].two_way = True
        return {"Ref": lid}

    def _apigatewayv2_stage(
        self, lid: str, name: str, p: dict[str, Any], _: Any, d: Deployment
    ) -> dict[str, str]:
        _api(lid, d).stage = p["StageName"]
        return {"Ref": p["StageName"]}

    def _lambda_eventsourcemapping(
        self, lid: str, name: str, p: dict[str, Any], _: Any, d: Deployment
    ) -> dict[str, str]:
        source = str(p.get("EventSourceArn", ""))
        if ":sqs:" not in source:
            raise RuntimeError(f"{lid}: only SQS event sources are read locally, not {source}")
        d.event_sources.append(
            EventSourceSpec(
                queue_arn=source,
                function=str(p["FunctionName"]),
                batch_size=int(p.get("BatchSize", 10)),
                report_item_failures="ReportBatchItemFailures" in p.get("FunctionResponseTypes", []),
                batching_window_seconds=float(p.get("MaximumBatchingWindowInSeconds", 0)),
                max_concurrency=(p.get("ScalingConfig") or {}).get("MaximumConcurrency"),
            )
        )
        return {"Ref": lid}

    def local_callback_url(self, value: str, d: Deployment) -> str:
        """A function variable holding the WebSocket API's callback URL, pointed at the local
        Management API; any other value unchanged."""
        match = CALLBACK_URL.match(value)
        if match is None or d.websocket is None or match["api"] != d.websocket.api_id:
            return value
        if not self.websocket_management_url:
            raise RuntimeError("the stack has a WebSocket API: give the deployer websocket_management_url")
        return f"{self.websocket_management_url}/{match['stage']}"


def _function_of(lid: str, uri: str) -> str:
    match = FUNCTION_IN_URI.search(uri)
    if match is None:
        raise RuntimeError(f"{lid}: only Lambda integrations are served locally, got {uri!r}")
    return match["function"]


def _api(lid: str, d: Deployment) -> WebSocketApiSpec:
    if d.websocket is None:
        raise RuntimeError(f"{lid} belongs to a WebSocket API that was not deployed first")
    return d.websocket
