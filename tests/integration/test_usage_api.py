"""``GET /usage`` and ``GET|PUT /settings/budget`` through a resolver carrying the usage router, the
real request gate (token verification, unknown query parameters) and a usage ledger on moto."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any, cast

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from infra.local.api_server import proxy_event
from infra.local.tokens import LOCAL_AUDIENCE, LOCAL_ISSUER, LocalSigningKey
from orchestrator import constants, settings
from orchestrator.api import request_gate, security, usage_routes
from orchestrator.api.request_gate import refuse
from orchestrator.api.security import VERIFIED_CLAIMS
from orchestrator.errors import BudgetExceeded, InvalidRequest
from orchestrator.models import TokenUsage, utc_now
from orchestrator.repositories.usage_ledger import DynamoUsageLedger, month_of
from tests.integration.conftest import FakeLambdaContext, MotoAws

MICRO = constants.MICRO_USD


def resolver() -> APIGatewayRestResolver:
    """The usage router as the API function serves it: validation on, errors as the API maps them."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.include_router(usage_routes.router)

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
def ledger(aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> DynamoUsageLedger:
    store = DynamoUsageLedger(aws.tables["Usage"])
    # cached like the real factory: the fixtures' teardown clears every wiring cache
    monkeypatch.setattr("orchestrator.wiring.usage_ledger", functools.cache(lambda: store), raising=False)
    return store


@pytest.fixture
def api(
    ledger: DynamoUsageLedger, signing_key: LocalSigningKey, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    monkeypatch.setenv(constants.ENV_JWT_ISSUER, LOCAL_ISSUER)
    monkeypatch.setenv(constants.ENV_JWT_AUDIENCE, LOCAL_AUDIENCE)
    monkeypatch.setenv(constants.ENV_JWT_JWKS, json.dumps(signing_key.jwks()))
    # the gate refuses query parameters a route does not declare: /usage declares ``month``
    usage_query = (request_gate._path_pattern("/usage"), ("month",))
    monkeypatch.setattr(request_gate, "_QUERY_PATTERNS", [*request_gate._QUERY_PATTERNS, usage_query])
    settings.get_settings.cache_clear()
    security.verifier.cache_clear()
    app = resolver()

    def handler(event: dict[str, Any]) -> dict[str, Any]:
        VERIFIED_CLAIMS.set(None)
        refused = refuse(event)
        return refused if refused is not None else app.resolve(event, cast(Any, FakeLambdaContext()))

    yield handler
    security.verifier.cache_clear()
    settings.get_settings.cache_clear()


def call(api: Any, method: str, path: str, token: str | None, body: Any = None) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
    raw = json.dumps(body).encode() if body is not None else b""
    response = api(proxy_event(method, path, headers, raw, "127.0.0.1", "1"))
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def token(signing_key: LocalSigningKey, role: str, tenant: str = "acme") -> str:
    return signing_key.mint(tenant_id=tenant, role=role, subject=f"{role}-1")


def test_any_reader_sees_the_current_months_usage_of_their_tenant(
    api: Any, ledger: DynamoUsageLedger, signing_key: LocalSigningKey
) -> None:
    # Given acme spent 1.25 USD this month in two calls, under a 10 USD budget
    month = month_of(utc_now())
    ledger.set_budget("acme", 10.0, by="admin-1")
    ledger.reserve("acme", month, 2 * MICRO)
    usage = TokenUsage(input_tokens=1000, output_tokens=200, cached_input_tokens=300, cache_write_tokens=50)
    ledger.reconcile("acme", month, 2 * MICRO, 1_250_000, usage, 2, False)
    # When a viewer of acme asks for the usage
    status, body = call(api, "GET", "/usage", token(signing_key, "viewer"))
    # Then they see this month's tokens, cost and budget
    assert status == 200
    assert body == {
        "month": month,
        "input_tokens": 1000,
        "output_tokens": 200,
        "cached_input_tokens": 300,
        "cache_write_tokens": 50,
        "total_tokens": 1550,
        "cost_usd": 1.25,
        "model_calls": 2,
        "cache_hits": 0,
        "steps": 1,
        "budget_usd": 10.0,
        "reserved_usd": 0.0,
        "remaining_usd": 8.75,
        "threshold_notified": False,
    }
    # and another tenant's user sees none of it
    status, other = call(api, "GET", "/usage", token(signing_key, "user", tenant="globex"))
    assert (status, other["cost_usd"], other["budget_usd"]) == (200, 0.0, None)


def test_a_past_month_is_chosen_with_the_month_parameter(
    api: Any, ledger: DynamoUsageLedger, signing_key: LocalSigningKey
) -> None:
    ledger.reconcile("acme", "2025-03", 0, 500_000, TokenUsage(output_tokens=10), 1, False)
    status, body = call(api, "GET", "/usage?month=2025-03", token(signing_key, "user"))
    assert (status, body["month"], body["cost_usd"], body["output_tokens"]) == (200, "2025-03", 0.5, 10)
    status, body = call(api, "GET", "/usage?month=2025-04", token(signing_key, "user"))
    assert (status, body["cost_usd"], body["steps"]) == (200, 0.0, 0)


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "march", "2026-12-01", ""])
def test_a_bad_month_is_a_422_naming_the_parameter(
    api: Any, signing_key: LocalSigningKey, month: str
) -> None:
    status, body = call(api, "GET", f"/usage?month={month}", token(signing_key, "viewer"))
    assert status == 422
    assert [d["location"] for d in body["details"]] == ["query.month"]


def test_an_undeclared_query_parameter_is_refused(api: Any, signing_key: LocalSigningKey) -> None:
    status, body = call(api, "GET", "/usage?tenant=globex", token(signing_key, "admin"))
    assert status == 422 and [d["location"] for d in body["details"]] == ["query.tenant"]


def test_an_admin_sets_and_reads_the_budget_and_the_usage_follows(
    api: Any, ledger: DynamoUsageLedger, signing_key: LocalSigningKey
) -> None:
    admin = token(signing_key, "admin")
    # Given no budget yet
    assert call(api, "GET", "/settings/budget", admin) == (
        200,
        {"monthly_usd": None, "updated_by": None, "updated_at": None},
    )
    # When an admin sets 50 USD
    status, body = call(api, "PUT", "/settings/budget", admin, {"monthly_usd": 50})
    # Then it is answered, stored with who set it, and this month's usage counts against it
    assert status == 200
    assert (body["monthly_usd"], body["updated_by"]) == (50.0, "admin-1") and body["updated_at"]
    assert call(api, "GET", "/settings/budget", admin) == (200, body)
    _, usage = call(api, "GET", "/usage", admin)
    assert (usage["budget_usd"], usage["remaining_usd"]) == (50.0, 50.0)
    # and the ledger refuses a reservation it cannot afford
    with pytest.raises(BudgetExceeded, match=r"of the monthly budget \$50\.00"):
        ledger.reserve("acme", month_of(utc_now()), 51 * MICRO)
    # When the admin removes the limit
    status, body = call(api, "PUT", "/settings/budget", admin, {"monthly_usd": None})
    # Then the budget is unlimited again
    assert (status, body["monthly_usd"]) == (200, None)
    _, usage = call(api, "GET", "/usage", admin)
    assert (usage["budget_usd"], usage["remaining_usd"]) == (None, None)
    ledger.reserve("acme", month_of(utc_now()), 51 * MICRO)


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"monthly_usd": -1}, "body.monthly_usd"),
        ({"monthly_usd": 10_000_001}, "body.monthly_usd"),
        ({"monthly_usd": "50"}, "body.monthly_usd"),
        ({"monthly_usd": True}, "body.monthly_usd"),
        ({}, "body.monthly_usd"),
        ({"monthly_usd": 5, "tenant_id": "globex"}, "body.tenant_id"),
    ],
)
def test_a_bad_budget_is_a_422_naming_the_field_and_changes_nothing(
    api: Any, ledger: DynamoUsageLedger, signing_key: LocalSigningKey, body: Any, location: str
) -> None:
    admin = token(signing_key, "admin")
    status, answer = call(api, "PUT", "/settings/budget", admin, body)
    assert status == 422, answer
    assert location in [d["location"] for d in answer["details"]]
    assert ledger.get_budget("acme").monthly_usd is None
    assert ledger.get_budget("globex").monthly_usd is None


@pytest.mark.parametrize(("role", "expected"), [("user", 403), ("viewer", 403), (None, 401)])
def test_only_admins_may_see_or_set_the_budget(
    api: Any, ledger: DynamoUsageLedger, signing_key: LocalSigningKey, role: str | None, expected: int
) -> None:
    # Given a tenant with a 20 USD budget, and a caller who is not an admin (or has no token)
    ledger.set_budget("acme", 20.0, by="admin-1")
    caller = token(signing_key, role) if role else None
    # When they read or change it
    read, _ = call(api, "GET", "/settings/budget", caller)
    write, _ = call(api, "PUT", "/settings/budget", caller, {"monthly_usd": 1000})
    # Then they are refused and the budget stands
    assert (read, write) == (expected, expected)
    assert ledger.get_budget("acme").monthly_usd == 20.0


def test_usage_needs_a_token(api: Any) -> None:
    assert call(api, "GET", "/usage", None)[0] == 401


def test_the_openapi_document_carries_the_usage_and_budget_schemas() -> None:
    schema = resolver().get_openapi_schema(security_schemes={"bearerAuth": HTTPBearer(bearerFormat="JWT")})
    spec = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert set(spec["paths"]["/usage"]["get"]["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "422",
        "429",
        "503",
    }
    assert set(spec["paths"]["/settings/budget"]) == {"get", "put"}
    schemas = spec["components"]["schemas"]
    assert {"MonthUsage", "Budget", "BudgetRequest"} <= set(schemas)
    assert schemas["BudgetRequest"]["required"] == ["monthly_usd"]
