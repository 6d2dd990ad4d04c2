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
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.cli.demo_requests import demo_body
from infra.cli.narration import flatten_steps
from infra.local.cloud import LocalCloud
from orchestrator.agents import get_agent
from orchestrator.core import constants
from tests.e2e.conftest import Client

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
    and every vector index it has."""
    s3 = cloud.client("s3")
    bucket = cloud.deployment.outputs["WorkspaceBucketName"]  # type: ignore[union-attr]
    versions: list[tuple[str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=f"{tenant_id}/"):
        versions += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
        versions += [(m["Key"], m["VersionId"]) for m in page.get("DeleteMarkers", [])]
    state: dict[str, Any] = {"workspace": sorted(versions)}
    vector_bucket = (cloud.deployment.outputs or {}).get("VectorBucketName")  # type: ignore[union-attr]
    if vector_bucket:
        indexes = cloud.client("s3vectors").list_indexes(vectorBucketName=vector_bucket).get("indexes", [])
        state["vector_indexes"] = sorted(index["indexName"] for index in indexes)
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


@pytest.mark.parametrize("template", SEED_TEMPLATES)
def test_the_sample_request_succeeds_and_each_failing_side_effect_step_undoes_everything(
    cloud: LocalCloud, template: str
) -> None:
    # Given a tenant of its own that has uploaded what the sample needs
    name = f"seed-{template.replace('_', '-')}"
    client = _tenant(cloud, name)
    body = demo_body(cloud.api_url, client.token, template)

    # When the sample request runs
    run_id = client.start(body)
    view = _finish(client, run_id)

    # Then it succeeds, every agent step and map item with a result of its agent's own schema
    assert view["status"] == "SUCCEEDED", view.get("error")
    results = _agent_results(view)
    assert results and all(step["status"] == "SUCCEEDED" for step in results)
    for step in results:
        agent = get_agent(step["metadata"]["agent"])
        agent.output_model.model_validate(_data(cloud, step))
        assert step["metadata"]["provider"] in ("offline", "none"), step["metadata"]
    ran = {c["command_id"].split("#", 1)[0] for c in commands_of(cloud, name, run_id)}
    side_effect_steps = [s["step"] for s in results if s["step"] in ran]
    side_effect_steps = list(dict.fromkeys(side_effect_steps))
    assert side_effect_steps, "the template has no side effects"
    chosen = side_effect_steps[-1:]

    # When the last side-effecting step fails for good (in a tenant of its own)
    def fail_at(step: str) -> tuple[str, dict[str, Any], list[dict[str, Any]], bool]:
        tenant_id = f"{name}-{step.replace('_', '-')}"[:60]
        tenant = _tenant(cloud, tenant_id)
        failing = demo_body(cloud.api_url, tenant.token, template)
        before = tenant_state(cloud, tenant_id)
        failed_run = tenant.start(failing | {"options": {"simulate_failure": {"step": step}}})
        ended = _finish(tenant, failed_run)
        after = tenant_state(cloud, tenant_id)
        return step, ended, commands_of(cloud, tenant_id, failed_run), after == before

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(fail_at, chosen))

    # Then each run ends COMPENSATED at that step, with every command undone and the tenant as before
    for step, ended, commands, unchanged in outcomes:
        assert ended["status"] == "COMPENSATED", (step, ended.get("error"))
        assert ended["failed_step"] == step
        assert all(c["status"] == "UNDONE" for c in commands), (step, commands)
        assert unchanged, f"failing {step!r} left side effects behind"
