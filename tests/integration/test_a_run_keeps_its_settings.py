"""A run keeps what it started with: the tenant's model settings and, where the tenant had activated
none, the shipped prompt (pinned like its prompt versions, read once when it starts). A change
made while it runs applies from the next run on (moto, the real API and agent handlers)."""

from __future__ import annotations

from typing import Any

from orchestrator.core.records import RunStatus
from tests.fakes.lambda_context import FakeLambdaContext
from tests.integration.api_calls import ApiClient
from tests.integration.conftest import MotoAws
from tests.integration.test_run_aws_costs import _status

REVIEW_SMALL = {"steps": {"generic.review": {"tier": "small"}}}


def _start(client: ApiClient, aws: MotoAws) -> dict[str, Any]:
    status, started, _ = client.call_as("user", "POST", "/runs", {"template": "generic", "topic": "a CRM"})
    assert status == 202, started
    reference = {
        "tenant_id": "acme",
        "run_id": started["run_id"],
        "correlation_id": "c",
        "template": "generic",
    }
    _status(aws, reference, RunStatus.RUNNING)
    return reference


def _review_tier(aws: MotoAws, reference: dict[str, Any]) -> str | None:
    from handlers import run_agent

    run_agent.handler(
        reference | {"step": "review", "retry_count": 0}, FakeLambdaContext(), container=aws.container
    )
    result = aws.container.step_results.get("acme", reference["run_id"], "review")
    assert result is not None
    return result.metadata.tier


def test_a_settings_change_applies_from_the_next_run(api: Any, aws: MotoAws, signing_key: Any) -> None:
    client = ApiClient(api, signing_key)
    # Given a run started while the tenant had no model settings
    before = _start(client, aws)
    # When an admin pins the review step to the small tier while it runs
    status, _, _ = client.call_as("admin", "PUT", "/settings/models", REVIEW_SMALL)
    assert status == 200
    # Then the running run's review keeps the settings it started with (large: a long prompt)
    assert _review_tier(aws, before) == "large"
    # and a run started after the change has its review on the small tier
    after = _start(client, aws)
    assert _review_tier(aws, after) == "small"
    # and what a run keeps is not part of its view
    status, view, _ = client.call_as("user", "GET", f"/runs/{after['run_id']}")
    assert status == 200 and "tenant_models" not in view and "shipped_prompts" not in view


def test_a_prompt_activated_before_the_start_is_rendered_the_shipped_one_otherwise(
    api: Any, aws: MotoAws, signing_key: Any
) -> None:
    client = ApiClient(api, signing_key)
    # Given a run started with the shipped review prompt, then a new review prompt activated
    shipped = _start(client, aws)
    body = {"system": "Review strictly.", "user": "Review $topic.", "note": "strict", "activate": True}
    status, created, _ = client.call_as("admin", "POST", "/prompts/review/versions", body)
    assert status == 201, created
    # Then the running run renders the shipped prompt, a new run the activated one
    _review_tier(aws, shipped)
    first = aws.container.step_results.get("acme", shipped["run_id"], "review")
    later = _start(client, aws)
    _review_tier(aws, later)
    second = aws.container.step_results.get("acme", later["run_id"], "review")
    assert first is not None and second is not None
    assert (first.metadata.prompt_version, second.metadata.prompt_version) == ("v1", f"v{created['version']}")
