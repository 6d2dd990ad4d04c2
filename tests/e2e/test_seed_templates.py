"""Every template of the seed systems, through the HTTP API on the local cloud, offline.

For each template: its sample request (uploads included, as a client sends them) succeeds and
every agent's result has the shape of that agent's own output schema. Then the last step that has
side effects is failed (for good), with every earlier side effect to undo: the run must leave the
tenant exactly as it found it: every workspace object version, every vector, every logged command
undone. (The unit tests of each template fail every side-effecting step in turn, in memory, with
the same agents and compensation code; this suite proves the same on the deployed state machines.)
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from infra.cli.demo_requests import demo_body
from infra.cli.narration import flatten_steps
from infra.local.cloud import LocalCloud
from orchestrator.agents import get_agent
from orchestrator.core import constants
from orchestrator.core.vectors import INDEX_NAME_PREFIX, tenant_index_key
from tests.e2e.conftest import Client, ended_execution

SEED_TEMPLATES = [
    "web_development",
    "data_science",
    "agent_pipeline",
    "feature_delivery",
    "sales_call_analysis",
    "repo_ingestion",
]


def _tenant(cloud: LocalCloud, name: str) -> Client:
    return Client(cloud, cloud.mint_token(tenant_id=name, subject=f"{name}-user"))


def _finish(client: Client, run_id: str, timeout: float = 180) -> dict[str, Any]:
    """Wait for the run's end, approving at every gate on the way."""
    decided: set[str] = set()
    while True:
        view = client.wait(run_id, timeout=timeout, until={"AWAITING_APPROVAL", *FINAL})
        if view["status"] != "AWAITING_APPROVAL":
            return view
        gate = view["awaiting"]["step"]
        if gate not in decided:
            decided.add(gate)
            answer = client.request("POST", f"/runs/{run_id}/approval", json={"decision": "approve"})
            assert answer.status_code == 200, answer.text


FINAL = {"SUCCEEDED", "COMPENSATED", "COMPENSATION_FAILED", "FAILED_TO_START", "REJECTED", "CANCELLED"}


def tenant_state(cloud: LocalCloud, tenant_id: str) -> dict[str, Any]:
    """What 'exactly as before' compares: every object version and delete marker of the tenant,
    and every vector index it has (its names begin with the tenant's key)."""
    s3 = cloud.client("s3")
    bucket = cloud.deployment.outputs["WorkspaceBucketName"]  # type: ignore[union-attr]
    versions: list[tuple[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=f"{tenant_id}/"):
        versions += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        versions += [(m["Key"], m["VersionId"]) for m in page.get("DeleteMarkers", [])]
    state: dict[str, Any] = {"workspace": sorted(versions)}
    vector_bucket = (cloud.deployment.outputs or {}).get("VectorBucketName")  # type: ignore[union-attr]
    if vector_bucket:
        mine = f"{INDEX_NAME_PREFIX}{tenant_index_key(tenant_id)}-"  # other tenants' runs go on at once
        indexes = cloud.client("s3vectors").list_indexes(vectorBucketName=vector_bucket, prefix=mine)
        state["vector_indexes"] = sorted(
            i["indexName"] for i in indexes.get("indexes", []) if i["indexName"].startswith(mine)
        )
    return state


def commands_of(cloud: LocalCloud, tenant_id: str, run_id: str) -> list[dict[str, Any]]:
    dynamodb = cloud.client("dynamodb")
    items = dynamodb.query(
        TableName=cloud.physical_id("TablesCommands"),
        KeyConditionExpression="#pk = :pk",
        ExpressionAttributeNames={"#pk": constants.PK},
        ExpressionAttributeValues={":pk": {"S": f"{tenant_id}#{run_id}"}},
    )["Items"]
    return [{"command_id": i["command_id"]["S"], "status": i["status"]["S"]} for i in items]


def _data(cloud: LocalCloud, step: dict[str, Any]) -> dict[str, Any]:
    if step.get("data") is not None:
        return dict(step["data"])
    s3 = cloud.client("s3")
    bucket = cloud.deployment.outputs["WorkspaceBucketName"]  # type: ignore[union-attr]
    return dict(json.loads(s3.get_object(Bucket=bucket, Key=step["data_ref"])["Body"].read()))


def _agent_results(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in flatten_steps(view["steps"]) if s.get("kind") == "agent" and s.get("metadata")]


def _states_entered(cloud: LocalCloud, execution_arn: str) -> int:
    """The states the execution entered, once it has ended."""
    ended_execution(cloud, execution_arn)
    sfn = cloud.client("stepfunctions")
    history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)
    return sum(1 for event in history["events"] if event["type"].endswith("StateEntered"))


def assert_aws_cost_reported(cloud: LocalCloud, view: dict[str, Any]) -> None:
    """A finished run reports its AWS cost, counted by the functions that ran it, with not one Scan
    among their requests, and the state transitions it estimates are those its execution entered."""
    cost, counted = view["infrastructure_cost_usd"], view["infrastructure_cost"]["counted"]
    assert cost > 0 and counted["lambda_invocations"] >= len(_agent_results(view)) + 3
    assert counted["requests"].get("dynamodb:Query", 0) > 0 and counted["event_entries"] > 0
    assert [name for name in counted["requests"] if name.endswith(":Scan")] == []
    estimated = view["infrastructure_cost"]["estimated"]["state_transitions"]
    assert estimated == _states_entered(cloud, view["execution_arn"])


STARTING = threading.Lock()
"""Runs are started one at a time (uploads, then the POST), as one client would; they then run
side by side."""


@dataclass
class Outcome:
    """What one template's two runs left: the sample run, then the run failed at its last
    side-effecting step (with the tenant's state before and after it)."""

    name: str
    view: dict[str, Any]
    side_effect_steps: list[str]
    failed_step: str = ""
    ended: dict[str, Any] = field(default_factory=dict)
    commands: list[dict[str, Any]] = field(default_factory=list)
    left_behind: dict[str, Any] = field(default_factory=dict)


def _sample_run(cloud: LocalCloud, template: str) -> Outcome:
    """Its sample request (uploads included, in a tenant of its own), run to its end."""
    name = f"seed-{template.replace('_', '-')}"
    with STARTING:
        client = _tenant(cloud, name)
        run_id = client.start(demo_body(cloud.api_url, client.token, template))
    view = _finish(client, run_id)
    ran = {c["command_id"].split("#", 1)[0] for c in commands_of(cloud, name, run_id)}
    steps = [s["step"] for s in _agent_results(view) if s["step"] in ran]
    return Outcome(name, view, list(dict.fromkeys(steps)))


def _failed_run(cloud: LocalCloud, template: str, outcome: Outcome) -> Outcome:
    """The same request failed for good at the last side-effecting step, in a tenant of its own."""
    if outcome.view["status"] != "SUCCEEDED" or not outcome.side_effect_steps:
        return outcome  # the test reports why
    step = outcome.side_effect_steps[-1]
    tenant_id = f"{outcome.name}-{step.replace('_', '-')}"[:60]
    with STARTING:
        tenant = _tenant(cloud, tenant_id)
        failing = demo_body(cloud.api_url, tenant.token, template)
        before = tenant_state(cloud, tenant_id)
        failed_run = tenant.start(failing | {"options": {"simulate_failure": {"step": step}}})
    ended = _finish(tenant, failed_run)
    after = tenant_state(cloud, tenant_id)
    left_behind = {
        part: sorted(set(map(tuple, after[part])) ^ set(map(tuple, before[part])))
        if part == "workspace"
        else sorted(set(after[part]) ^ set(before[part]))
        for part in after
        if after[part] != before[part]
    }
    commands = commands_of(cloud, tenant_id, failed_run)
    return replace(outcome, failed_step=step, ended=ended, commands=commands, left_behind=left_behind)


@pytest.fixture(scope="module")
def outcomes(cloud: LocalCloud) -> dict[str, Outcome | Exception]:
    """Every template's sample run and then its failed run, the templates side by side (a run
    mostly waits on its steps): what went wrong with one template fails that template's test."""

    def both(template: str) -> Outcome | Exception:
        try:
            return _failed_run(cloud, template, _sample_run(cloud, template))
        except Exception as exc:  # raised again by the template's own test
            return exc

    with ThreadPoolExecutor(max_workers=len(SEED_TEMPLATES)) as pool:
        return dict(zip(SEED_TEMPLATES, pool.map(both, SEED_TEMPLATES), strict=True))


@pytest.mark.parametrize("template", SEED_TEMPLATES)
def test_the_sample_request_succeeds_and_each_failing_side_effect_step_undoes_everything(
    cloud: LocalCloud, outcomes: dict[str, Outcome | Exception], template: str
) -> None:
    # Given a tenant of its own that has uploaded what the sample needs
    # When the sample request runs
    outcome = outcomes[template]
    if isinstance(outcome, Exception):
        raise outcome
    view = outcome.view

    # Then it succeeds, every agent step and map item with a result of its agent's own schema
    assert view["status"] == "SUCCEEDED", view.get("error")
    results = _agent_results(view)
    assert results and all(step["status"] == "SUCCEEDED" for step in results)
    for result in results:
        agent = get_agent(result["metadata"]["agent"])
        agent.output_model.model_validate(_data(cloud, result))
        assert result["metadata"]["provider"] in ("offline", "none"), result["metadata"]
    assert outcome.side_effect_steps, "the template has no side effects"
    # And it reports what its AWS requests cost, counted by its own functions (tests/e2e/test_run_costs.py)
    assert_aws_cost_reported(cloud, view)

    # When the last side-effecting step fails for good (in a tenant of its own)
    # Then the run ends COMPENSATED at that step, with every command undone and the tenant as before
    step, ended = outcome.failed_step, outcome.ended
    assert ended["status"] == "COMPENSATED", (step, ended.get("error"))
    assert ended["failed_step"] == step
    assert all(c["status"] == "UNDONE" for c in outcome.commands), (step, outcome.commands)
    assert not outcome.left_behind, f"failing {step!r} left side effects behind: {outcome.left_behind}"
