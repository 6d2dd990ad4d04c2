"""``POST /cache/invalidations`` through a resolver carrying the cache router, the real request gate
(token verification) and a response cache on moto."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from infra.local.api_server import proxy_event
from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator import constants, settings
from orchestrator.api import cache_routes, security
from orchestrator.api.request_gate import refuse
from orchestrator.api.security import VERIFIED_CLAIMS
from orchestrator.errors import InvalidRequest
from orchestrator.repositories.response_cache_store import DynamoResponseCache
from tests.integration.conftest import FakeLambdaContext, MotoAws

AGENT = "sales_call_reporter"


def resolver() -> APIGatewayRestResolver:
    """The cache router as the API function serves it: validation on, errors as the API maps them."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.include_router(cache_routes.router)

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[dict[str, Any]]:
        details = [
            {"location": ".".join(str(p) for p in error.get("loc", ())), "type": error.get("type", "")}
            for error in exc.errors()
        ]
        return Response(422, "application/json", {"error": "ValidationError", "details": details})

    @app.exception_handler(InvalidRequest)
    def _invalid(exc: InvalidRequest) -> Response[dict[str, Any]]:
        return Response(400, "application/json", {"error": type(exc).__name__, "message": str(exc)})

    return app


@pytest.fixture
def cache(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> DynamoResponseCache:
    store = DynamoResponseCache(aws.tables["ModelCache"])
    # cached like the real factory: the fixtures' teardown clears every wiring cache
    monkeypatch.setattr("orchestrator.wiring.response_cache", functools.cache(lambda: store), raising=False)
    return store


@pytest.fixture
def api(
    cache: DynamoResponseCache, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv(constants.ENV_JWT_ISSUER, LOCAL_ISSUER)
    monkeypatch.setenv(constants.ENV_JWT_AUDIENCE, LOCAL_AUDIENCE)
    monkeypatch.setenv(constants.ENV_JWT_JWKS, json.dumps(signing_key.jwks()))
    settings.get_settings.cache_clear()
    security.verifier.cache_clear()
    app = resolver()

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        VERIFIED_CLAIMS.set(None)
        refused = refuse(event)
        return refused if refused is not None else app.resolve(event, FakeLambdaContext())  # type: ignore[arg-type]

    yield handler
    security.verifier.cache_clear()
    settings.get_settings.cache_clear()


def post(api: Any, body: Any, token: str | None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    event = proxy_event("POST", "/cache/invalidations", headers, json.dumps(body).encode(), "127.0.0.1", "1")
    response = api(event)
    return response["statusCode"], json.loads(response["body"])


def test_an_admin_invalidates_an_agents_cache_for_their_tenant_only(
    api: Any, cache: DynamoResponseCache, signing_key: LocalSigningKey
) -> None:
    # Given an admin of acme
    token = signing_key.mint(tenant_id="acme", role="admin")
    # When they invalidate the agent's whole cache
    status, body = post(api, {"agent": AGENT}, token)
    # Then the answer names the new generation, and only acme's generation moved on
    assert (status, body) == (200, {"agent": AGENT, "prompt_version": None, "generation": "a1"})
    assert cache.generation("acme", AGENT, "v1") == "a1.p0"
    assert cache.generation("globex", AGENT, "v1") == "a0.p0"


def test_an_admin_invalidates_one_prompt_version(
    api: Any, cache: DynamoResponseCache, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="admin")
    status, body = post(api, {"agent": AGENT, "prompt_version": "v3"}, token)
    assert (status, body) == (200, {"agent": AGENT, "prompt_version": "v3", "generation": "a0.p1"})
    assert cache.generation("acme", AGENT, "v3") == "a0.p1"
    assert cache.generation("acme", AGENT, "v1") == "a0.p0"


@pytest.mark.parametrize(("role", "expected"), [("user", 403), ("viewer", 403), (None, 401)])
def test_only_admins_may_invalidate(
    api: Any, cache: DynamoResponseCache, signing_key: LocalSigningKey, role: str | None, expected: int
) -> None:
    # Given a caller who is not an admin (or has no token)
    token = signing_key.mint(tenant_id="acme", role=role) if role else None
    # When they ask for an invalidation
    status, _ = post(api, {"agent": AGENT}, token)
    # Then they are refused and nothing changed
    assert status == expected
    assert cache.generation("acme", AGENT, "v1") == "a0.p0"


@pytest.mark.parametrize(
    ("body", "location", "error_type"),
    [
        ({"agent": "Sales-Reporter"}, "body.agent", "string_pattern_mismatch"),
        ({"agent": "a"}, "body.agent", "string_pattern_mismatch"),
        ({"agent": AGENT, "prompt_version": "3"}, "body.prompt_version", "string_pattern_mismatch"),
        ({"agent": AGENT, "prompt_version": 3}, "body.prompt_version", "string_type"),
        ({"prompt_version": "v1"}, "body.agent", "missing"),
        ({"agent": AGENT, "tenant_id": "globex"}, "body.tenant_id", "extra_forbidden"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(
    api: Any,
    cache: DynamoResponseCache,
    signing_key: LocalSigningKey,
    body: dict[str, Any],
    location: str,
    error_type: str,
) -> None:
    token = signing_key.mint(tenant_id="acme", role="admin")
    status, answer = post(api, body, token)
    assert status == HTTPStatus.UNPROCESSABLE_ENTITY
    assert {"location": location, "type": error_type} in answer["details"]
    assert cache.generation("acme", AGENT, "v1") == "a0.p0"
    assert cache.generation("globex", AGENT, "v1") == "a0.p0"


def test_the_route_documents_its_request_and_answer() -> None:
    schema = resolver().get_openapi_schema(security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")})
    spec = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    operation = spec["paths"]["/cache/invalidations"]["post"]
    assert {"200", "401", "403", "422"} <= set(operation["responses"])
    schemas = spec["components"]["schemas"]
    assert schemas["CacheInvalidation"]["required"] == ["agent", "prompt_version", "generation"]
    assert schemas["CacheInvalidationRequest"]["properties"]["agent"]["pattern"] == r"^[a-z][a-z0-9_]{1,40}$"
