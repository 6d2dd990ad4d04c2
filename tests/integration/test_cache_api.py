"""``POST /cache/invalidations`` through the API function (gate, roles, validation) on the
ModelCache table (moto)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest

from tests.integration.api_calls import ApiClient

AGENT = "sales_call_reporter"
PATH = "/cache/invalidations"


def test_an_admin_invalidates_an_agents_cache_for_their_tenant_only(api_client: ApiClient) -> None:
    # Given an admin of acme
    # When they invalidate the agent's whole cache
    status, body, _ = api_client.call_as("admin", "POST", PATH, {"agent": AGENT})
    # Then the answer names the new generation, and only acme's generation moved on
    assert (status, body) == (200, {"agent": AGENT, "prompt_version": None, "generation": "a1"})
    assert api_client.api.container.response_cache.generation("acme", AGENT, "v1") == "a1.p0"
    assert api_client.api.container.response_cache.generation("globex", AGENT, "v1") == "a0.p0"


def test_an_admin_invalidates_one_prompt_version(api_client: ApiClient) -> None:
    status, body, _ = api_client.call_as("admin", "POST", PATH, {"agent": AGENT, "prompt_version": "v3"})
    assert (status, body) == (200, {"agent": AGENT, "prompt_version": "v3", "generation": "a0.p1"})
    assert api_client.api.container.response_cache.generation("acme", AGENT, "v3") == "a0.p1"
    assert api_client.api.container.response_cache.generation("acme", AGENT, "v1") == "a0.p0"


@pytest.mark.parametrize(("role", "expected"), [("user", 403), ("viewer", 403), (None, 401)])
def test_only_admins_may_invalidate(api_client: ApiClient, role: str | None, expected: int) -> None:
    # Given a caller who is not an admin (or has no token)
    # When they ask for an invalidation
    status, _, _ = api_client.call_as(role, "POST", PATH, {"agent": AGENT})
    # Then they are refused and nothing changed
    assert status == expected
    assert api_client.api.container.response_cache.generation("acme", AGENT, "v1") == "a0.p0"


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
    api_client: ApiClient, body: dict[str, Any], location: str, error_type: str
) -> None:
    status, answer, _ = api_client.call_as("admin", "POST", PATH, body)
    assert status == HTTPStatus.UNPROCESSABLE_ENTITY
    assert (location, error_type) in [(d["location"], d["type"]) for d in answer["details"]]
    assert api_client.api.container.response_cache.generation("acme", AGENT, "v1") == "a0.p0"
    assert api_client.api.container.response_cache.generation("globex", AGENT, "v1") == "a0.p0"


@pytest.mark.parametrize("prompt_version", [None, "v1"])
def test_invalidating_an_agent_that_does_not_exist_is_a_404_naming_it(
    api_client: ApiClient, prompt_version: str | None
) -> None:
    # Given an admin and an agent name of the right form that no agent type has
    body = {"agent": "sales_call_repoter", "prompt_version": prompt_version}
    # When they ask to invalidate its cache
    status, answer, _ = api_client.call_as("admin", "POST", PATH, body)
    # Then they are told there is no such agent, and no generation moved on
    assert status == HTTPStatus.NOT_FOUND
    assert answer["error"] == "NotFound" and "'sales_call_repoter'" in answer["message"]
    cache = api_client.api.container.response_cache
    assert cache.generation("acme", "sales_call_repoter", "v1") == "a0.p0"


def test_the_route_documents_its_request_and_answer(api_client: ApiClient) -> None:
    spec = api_client.openapi()
    operation = spec["paths"][PATH]["post"]
    assert {"200", "401", "403", "404", "422"} <= set(operation["responses"])
    schemas = spec["components"]["schemas"]
    assert schemas["CacheInvalidation"]["required"] == ["agent", "prompt_version", "generation"]
    assert schemas["CacheInvalidationRequest"]["properties"]["agent"]["pattern"] == r"^[a-z][a-z0-9_]{1,40}$"
