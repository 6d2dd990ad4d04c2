"""The model layer through the HTTP API on the local cloud: the response cache across runs, usage
per month, a tenant's model settings, prompt versions and budget, all per tenant."""

from __future__ import annotations

from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from orchestrator.core.records import utc_now
from tests.e2e.conftest import Client


@pytest.fixture(scope="module")
def admin(cloud: LocalCloud) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id="umbrella", role="admin", subject="carol"))


def _model_steps(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in view["steps"] if s.get("kind") == "agent"]


def test_a_second_identical_run_makes_no_model_call_and_has_the_same_results(admin: Client) -> None:
    # Given a run of a tenant
    body = {"template": "generic", "topic": "a tool library for a small town"}
    first = admin.wait(admin.start(body))
    assert first["status"] == "SUCCEEDED" and first["model_calls"] == 7 and first["cache_hits"] == 0

    # When the same request runs again
    second = admin.wait(admin.start(body))

    # Then it is answered from the tenant's response cache, with the same outputs
    assert second["status"] == "SUCCEEDED"
    assert (second["model_calls"], second["cache_hits"]) == (0, 7)
    for before, again in zip(_model_steps(first), _model_steps(second), strict=True):
        assert again["data"] == before["data"]
        assert again["metadata"]["cache_hit"] is True and again["metadata"]["model_calls"] == 0

    # And the month's usage counts both runs' steps, the calls made and the hits
    month = utc_now().strftime("%Y-%m")
    usage = admin.request("GET", f"/usage?month={month}").json()
    assert usage["month"] == month
    assert usage["model_calls"] >= 7 and usage["cache_hits"] >= 7
    # another tenant's cache is not this tenant's: globex asking the same makes its own calls


def test_another_tenant_does_not_share_the_cache(admin: Client, globex: Client) -> None:
    body = {"template": "generic", "topic": "a cache shared by nobody"}
    assert admin.wait(admin.start(body))["model_calls"] == 7
    assert globex.wait(globex.start(body))["model_calls"] == 7


def test_model_settings_prompts_and_budget_are_the_tenants_own(admin: Client, acme: Client) -> None:
    # An admin sets the tenant's model settings; a user may not
    settings = {"default": {"provider": "offline", "tier": "small"}}
    put = admin.request("PUT", "/settings/models", json=settings)
    assert put.status_code == 200, put.text
    assert acme.request("PUT", "/settings/models", json=settings).status_code == 403
    assert admin.request("GET", "/settings/models").json()["settings"]["default"]["tier"] == "small"

    # The run follows them: every model step on the small tier
    view = admin.wait(admin.start({"template": "generic", "topic": "tiers", "options": {"use_cache": False}}))
    assert {s["metadata"]["tier"] for s in _model_steps(view)} == {"small"}

    # A new prompt version applies to the next run, which records it
    created = admin.request(
        "POST",
        "/prompts/ideation/versions",
        json={
            "system": "You are ${title}. ${goal} Schema: ${schema}",
            "user": "Topic: ${topic}",
            "activate": True,
        },
    )
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    view = admin.wait(
        admin.start({"template": "generic", "topic": "prompts", "options": {"use_cache": False}})
    )
    ideation = next(s for s in view["steps"] if s["step"] == "ideation")
    assert ideation["metadata"]["prompt_version"] == f"v{version}"
    assert acme.request("GET", "/prompts/ideation").json()["active_version"] == 1  # acme keeps its own

    # A budget of 0 still lets offline runs through (they cost nothing), and is the tenant's only
    assert admin.request("PUT", "/settings/budget", json={"monthly_usd": 0}).status_code == 200
    assert admin.wait(admin.start({"template": "generic", "topic": "free"}))["status"] == "SUCCEEDED"
    assert acme.request("GET", "/settings/budget").status_code == 403
