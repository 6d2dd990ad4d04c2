"""``/prompts`` through the API function (signed tokens, roles) on the Prompts table (moto): list,
show, add, activate, roll back."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.agents import AGENTS, get_agent
from tests.integration.api_calls import ApiClient

SYSTEM = "You are the $title agent. $goal\nAnswer with JSON matching: $schema"
USER = "Topic: ${topic}\n$context\n$facts"


def _new(client: ApiClient, role: str | None, agent: str = "planner", **body: Any) -> tuple[int, Any]:
    status, answer, _ = client.call_as(
        role, "POST", f"/prompts/{agent}/versions", {"system": SYSTEM, "user": USER} | body
    )
    return status, answer


def test_every_role_reads_the_prompts_of_every_agent_type(api_client: ApiClient) -> None:
    # Given a tenant that never changed a prompt
    # When a viewer lists the prompts and a user opens one agent's
    status, listing, _ = api_client.call_as("viewer", "GET", "/prompts")
    shown_status, shown, _ = api_client.call_as("user", "GET", "/prompts/planner")
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


def test_only_admins_change_prompts(api_client: ApiClient) -> None:
    # When a user or a viewer tries to add, activate or roll back
    for role in ("user", "viewer"):
        assert _new(api_client, role)[0] == 403
        status, body, _ = api_client.call_as(role, "POST", "/prompts/planner/versions/1/activate")
        assert status == 403 and body["error"] == "ForbiddenAction" and "'admin'" in body["message"]
        assert api_client.call_as(role, "POST", "/prompts/planner/rollback")[0] == 403
    # And without a token nothing is even read
    assert api_client.call_as(None, "GET", "/prompts")[0] == 401
    assert _new(api_client, None)[0] == 401
    # Then nothing changed
    _, shown, _ = api_client.call_as("user", "GET", "/prompts/planner")
    assert [v["version"] for v in shown["versions"]] == [1]


def test_an_admin_adds_activates_and_rolls_back(api_client: ApiClient) -> None:
    # Given an admin adds v2 and activates it at once, then adds v3 without activating it
    status, created = _new(api_client, "admin", note="stricter JSON", activate=True)
    assert status == 201
    assert {k: created[k] for k in ("version", "label", "note", "created_by", "shipped", "active")} == {
        "version": 2,
        "label": "v2",
        "note": "stricter JSON",
        "created_by": "alice",
        "shipped": False,
        "active": True,
    }
    status, third = _new(api_client, "admin", user="Only: $topic")
    assert (status, third["version"], third["active"]) == (201, 3, False)
    # When anyone of the tenant looks
    _, shown, _ = api_client.call_as("user", "GET", "/prompts/planner")
    # Then every version is listed with its text, v2 active, v1 what a rollback would go back to
    assert [(v["version"], v["active"]) for v in shown["versions"]] == [(1, False), (2, True), (3, False)]
    assert shown["versions"][2]["user"] == "Only: $topic"
    assert (shown["active_version"], shown["rollback_to"]) == (2, 1)
    # When the admin activates v3, then rolls back twice
    status, activated, _ = api_client.call_as("admin", "POST", "/prompts/planner/versions/3/activate")
    assert (status, activated["active_version"], activated["previous"], activated["rollback_to"]) == (
        200,
        3,
        [1, 2],
        2,
    )
    assert api_client.call_as("admin", "POST", "/prompts/planner/rollback")[1]["active_version"] == 2
    status, back, _ = api_client.call_as("admin", "POST", "/prompts/planner/rollback")
    assert (status, back["active_version"], back["rollback_to"], back["updated_by"]) == (
        200,
        1,
        None,
        "alice",
    )
    # Then a further rollback is a conflict that says why
    status, refused, _ = api_client.call_as("admin", "POST", "/prompts/planner/rollback")
    assert status == 409
    assert refused["error"] == "ConflictError" and "nothing to roll back to" in refused["message"]
    _, listing, _ = api_client.call_as("user", "GET", "/prompts")
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
    api_client: ApiClient, body: dict[str, Any], status: int, says: str
) -> None:
    got, answer = _new(api_client, "admin", **body)
    assert got == status, answer
    assert says in answer["message"]
    _, shown, _ = api_client.call_as("admin", "GET", "/prompts/planner")
    assert len(shown["versions"]) == 1  # nothing stored


def test_a_template_look_alike_is_stored_as_plain_text(api_client: ApiClient) -> None:
    status, created = _new(api_client, "admin", system="{{7*7}} {% raw %} $$5 for $title", activate=True)
    assert status == 201
    library = api_client.api.container.prompt_library
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
    api_client: ApiClient, method: str, path: str, status: int
) -> None:
    got, answer, _ = api_client.call_as("admin", method, path)
    assert got == status, answer
    assert answer["message"]


def test_a_tool_agent_has_no_prompt_to_add(api_client: ApiClient) -> None:
    status, answer = _new(api_client, "admin", agent="repo_embedder")
    assert (status, answer["error"]) == (400, "InvalidRequest")
    assert "is a tool" in answer["message"]


def test_another_tenant_never_sees_or_activates_these_versions(api_client: ApiClient) -> None:
    # Given acme's admin added and activated v2
    assert _new(api_client, "admin", system="acme secret: $title", activate=True)[0] == 201
    # When globex's admin looks and tries to activate v2
    _, shown, _ = api_client.call_as("admin", "GET", "/prompts/planner", tenant="globex")
    activate = "/prompts/planner/versions/2/activate"
    status, _, _ = api_client.call_as("admin", "POST", activate, tenant="globex")
    # Then globex has its shipped prompt only, and v2 does not exist for it
    assert [v["version"] for v in shown["versions"]] == [1]
    assert "acme secret" not in str(shown)
    assert status == 404


def test_the_openapi_document_declares_the_prompt_routes_with_their_schemas(api_client: ApiClient) -> None:
    spec = api_client.openapi()
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
