"""``/prompts`` through the API's gate (signed tokens, roles) on moto: list, show, add, activate, roll back.

Until ``handlers/api.py`` includes the prompts router, the routes run in a resolver of their own
behind the same gate (``request_gate.refuse``) and the same error mapping; once it does, the tests
run through the real handler.
"""

from __future__ import annotations

import json
from functools import cache
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from infra.local.tokens import LocalSigningKey
from orchestrator import wiring
from orchestrator.agents import AGENTS, get_agent
from orchestrator.api import prompts_routes
from orchestrator.api.request_gate import refuse
from orchestrator.api.security import VERIFIED_CLAIMS
from orchestrator.errors import ConflictError, InvalidRequest, NotFound
from tests.integration.test_api_handler import call

SYSTEM = "You are the $title agent. $goal\nAnswer with JSON matching: $schema"
USER = "Topic: ${topic}\n$context\n$facts"


def _serves_prompts(app: APIGatewayRestResolver) -> bool:
    return any(route.path == "/prompts" for route in app._static_routes)


@cache
def _own_app() -> APIGatewayRestResolver:
    """The prompts router in a resolver of its own, with the API's error mapping."""
    app = APIGatewayRestResolver(enable_validation=True)
    app.include_router(prompts_routes.router)

    def error(status: HTTPStatus) -> Any:
        def answer(exc: Exception) -> Response[dict[str, Any]]:
            return Response(status, "application/json", {"error": type(exc).__name__, "message": str(exc)})

        return answer

    app.exception_handler(NotFound)(error(HTTPStatus.NOT_FOUND))
    app.exception_handler(InvalidRequest)(error(HTTPStatus.BAD_REQUEST))
    app.exception_handler(ConflictError)(error(HTTPStatus.CONFLICT))

    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[dict[str, Any]]:
        details = [
            {"location": ".".join(str(part) for part in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{d['location']}: {d['message']}" for d in details)
        body = {"error": "ValidationError", "message": f"request is invalid: {summary}", "details": details}
        return Response(HTTPStatus.UNPROCESSABLE_ENTITY, "application/json", body)

    return app


@pytest.fixture
def prompts_api(api: Any) -> Any:
    """The API (``wiring.prompt_library()`` on the Prompts table the ``aws`` fixture created)."""
    if _serves_prompts(api.app):
        return api
    app = _own_app()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        VERIFIED_CLAIMS.set(None)
        refused = refuse(event)
        return refused if refused is not None else app.resolve(event, context)

    return SimpleNamespace(handler=handler, app=app)


@pytest.fixture
def admin(signing_key: LocalSigningKey) -> str:
    return signing_key.mint(tenant_id="acme", role="admin", subject="alice")


@pytest.fixture
def user(signing_key: LocalSigningKey) -> str:
    return signing_key.mint(tenant_id="acme", role="user", subject="bob")


def _new(api: Any, token: str, agent: str = "planner", **body: Any) -> tuple[int, Any]:
    status, answer, _ = call(
        api, "POST", f"/prompts/{agent}/versions", token=token, body={"system": SYSTEM, "user": USER} | body
    )
    return status, answer


def test_every_role_reads_the_prompts_of_every_agent_type(
    prompts_api: Any, signing_key: LocalSigningKey, user: str
) -> None:
    # Given a tenant that never changed a prompt
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    # When a viewer lists the prompts and a user opens one agent's
    status, listing, _ = call(prompts_api, "GET", "/prompts", token=viewer)
    shown_status, shown, _ = call(prompts_api, "GET", "/prompts/planner", token=user)
    # Then every agent type of the product is there, each on its shipped v1
    assert status == 200
    by_agent = {item["agent"]: item for item in listing["prompts"]}
    assert set(by_agent) == set(AGENTS)
    assert by_agent["planner"] == {
        "agent": "planner",
        "title": "Planner",
        "uses_model": True,
        "shipped_version": 1,
        "active_version": 1,
        "latest_version": 1,
        "versions": 1,
    }
    assert by_agent["repo_embedder"]["uses_model"] is False
    assert shown_status == 200
    assert (shown["active_version"], shown["rollback_to"]) == (1, None)
    (shipped,) = shown["versions"]
    assert (shipped["label"], shipped["shipped"], shipped["active"]) == ("v1", True, True)
    assert shipped["system"] == get_agent("planner").system_prompt


def test_only_admins_change_prompts(prompts_api: Any, user: str, signing_key: LocalSigningKey) -> None:
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    # When a user or a viewer tries to add, activate or roll back
    for token in (user, viewer):
        assert _new(prompts_api, token)[0] == 403
        assert call(prompts_api, "POST", "/prompts/planner/versions/1/activate", token=token)[:2] == (
            403,
            {"message": "Forbidden"},
        )
        assert call(prompts_api, "POST", "/prompts/planner/rollback", token=token)[0] == 403
    # And without a token nothing is even read
    assert call(prompts_api, "GET", "/prompts")[0] == 401
    assert _new(prompts_api, "")[0] == 401
    # Then nothing changed
    _, shown, _ = call(prompts_api, "GET", "/prompts/planner", token=user)
    assert [v["version"] for v in shown["versions"]] == [1]


def test_an_admin_adds_activates_and_rolls_back(prompts_api: Any, admin: str, user: str) -> None:
    # Given an admin adds v2 and activates it at once, then adds v3 without activating it
    status, created = _new(prompts_api, admin, note="stricter JSON", activate=True)
    assert status == 201
    assert {k: created[k] for k in ("version", "label", "note", "created_by", "shipped", "active")} == {
        "version": 2,
        "label": "v2",
        "note": "stricter JSON",
        "created_by": "alice",
        "shipped": False,
        "active": True,
    }
    status, third = _new(prompts_api, admin, user="Only: $topic")
    assert (status, third["version"], third["active"]) == (201, 3, False)
    # When anyone of the tenant looks
    _, shown, _ = call(prompts_api, "GET", "/prompts/planner", token=user)
    # Then every version is listed with its text, v2 active, v1 what a rollback would go back to
    assert [(v["version"], v["active"]) for v in shown["versions"]] == [(1, False), (2, True), (3, False)]
    assert shown["versions"][2]["user"] == "Only: $topic"
    assert (shown["active_version"], shown["rollback_to"]) == (2, 1)
    # When the admin activates v3, then rolls back twice
    status, activated, _ = call(prompts_api, "POST", "/prompts/planner/versions/3/activate", token=admin)
    assert (status, activated["active_version"], activated["previous"], activated["rollback_to"]) == (
        200,
        3,
        [1, 2],
        2,
    )
    assert call(prompts_api, "POST", "/prompts/planner/rollback", token=admin)[1]["active_version"] == 2
    status, back, _ = call(prompts_api, "POST", "/prompts/planner/rollback", token=admin)
    assert (status, back["active_version"], back["rollback_to"], back["updated_by"]) == (
        200,
        1,
        None,
        "alice",
    )
    # Then a further rollback is a conflict that says why
    status, refused, _ = call(prompts_api, "POST", "/prompts/planner/rollback", token=admin)
    assert status == 409
    assert refused["error"] == "ConflictError" and "nothing to roll back to" in refused["message"]
    _, listing, _ = call(prompts_api, "GET", "/prompts", token=user)
    planner = next(item for item in listing["prompts"] if item["agent"] == "planner")
    assert (planner["active_version"], planner["latest_version"], planner["versions"]) == (1, 3, 3)


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"user": "Run ${__import__('os').system('id')}"}, 400, "user: "),
        ({"system": "Hello $foo.bar"}, 400, "system: $foo is not a placeholder"),
        ({"system": "costs 5$"}, 400, "system: '$' at line 1, column 8 is not a placeholder"),
        ({"system": "x" * 20_001}, 422, "body.system"),
        ({"note": "n" * 501}, 422, "body.note"),
        ({"activate": "yes"}, 422, "body.activate"),
        ({"tenant_id": "other"}, 422, "body.tenant_id"),
        ({"system": 5}, 422, "body.system"),
    ],
)
def test_a_bad_prompt_is_refused_saying_what_and_where(
    prompts_api: Any, admin: str, body: dict[str, Any], status: int, says: str
) -> None:
    got, answer = _new(prompts_api, admin, **body)
    assert got == status, answer
    assert says in answer["message"]
    _, shown, _ = call(prompts_api, "GET", "/prompts/planner", token=admin)
    assert len(shown["versions"]) == 1  # nothing stored


def test_a_template_look_alike_is_stored_as_plain_text(prompts_api: Any, admin: str) -> None:
    status, created = _new(prompts_api, admin, system="{{7*7}} {% raw %} $$5 for $title", activate=True)
    assert status == 201
    library = wiring.prompt_library()
    system, _ = library.render(library.active("acme", "planner"), {"title": "Planner"})
    assert system == "{{7*7}} {% raw %} $5 for Planner"
    assert created["system"] == "{{7*7}} {% raw %} $$5 for $title"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/prompts/Planner", 422),
        ("GET", "/prompts/x", 422),
        ("GET", "/prompts/no_such_agent", 404),
        ("POST", "/prompts/planner/versions/0/activate", 422),
        ("POST", "/prompts/planner/versions/abc/activate", 422),
        ("POST", "/prompts/planner/versions/9/activate", 404),
        ("POST", "/prompts/no_such_agent/rollback", 404),
    ],
)
def test_paths_name_a_known_agent_and_version(
    prompts_api: Any, admin: str, method: str, path: str, status: int
) -> None:
    got, answer, _ = call(prompts_api, method, path, token=admin)
    assert got == status, answer
    assert answer["message"]


def test_a_tool_agent_has_no_prompt_to_add(prompts_api: Any, admin: str) -> None:
    status, answer = _new(prompts_api, admin, agent="repo_embedder")
    assert (status, answer["error"]) == (400, "InvalidRequest")
    assert "is a tool" in answer["message"]


def test_another_tenant_never_sees_or_activates_these_versions(
    prompts_api: Any, admin: str, signing_key: LocalSigningKey
) -> None:
    # Given acme's admin added and activated v2
    assert _new(prompts_api, admin, system="acme secret: $title", activate=True)[0] == 201
    other = signing_key.mint(tenant_id="globex", role="admin")
    # When globex's admin looks and tries to activate v2
    _, shown, _ = call(prompts_api, "GET", "/prompts/planner", token=other)
    status, _, _ = call(prompts_api, "POST", "/prompts/planner/versions/2/activate", token=other)
    # Then globex has its shipped prompt only, and v2 does not exist for it
    assert [v["version"] for v in shown["versions"]] == [1]
    assert "acme secret" not in str(shown)
    assert status == 404


def test_the_openapi_document_declares_the_prompt_routes_with_their_schemas(prompts_api: Any) -> None:
    bearer = {"bearerAuth": HTTPBearer(bearerFormat="JWT")}
    spec = json.loads(
        prompts_api.app.get_openapi_json_schema(title="t", version="1", security_schemes=bearer)
    )
    write = {"400", "401", "403", "404", "409", "413", "415", "422", "429", "503"}
    expected = {
        ("get", "/prompts"): {"200", "401", "403", "422", "429", "503"},
        ("get", "/prompts/{agent}"): {"200", "401", "403", "404", "422", "429", "503"},
        ("post", "/prompts/{agent}/versions"): write | {"201"},
        ("post", "/prompts/{agent}/versions/{version}/activate"): write | {"200"},
        ("post", "/prompts/{agent}/rollback"): write | {"200"},
    }
    for (method, path), codes in expected.items():
        assert set(spec["paths"][path][method]["responses"]) == codes, (method, path)
    schemas = spec["components"]["schemas"]
    assert set(schemas["NewPromptVersion"]["properties"]) == {"system", "user", "note", "activate"}
    assert {"version", "label", "system", "user", "active"} <= set(schemas["PromptVersionView"]["properties"])
