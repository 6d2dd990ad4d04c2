"""Resuming runs through the HTTP API on the local cloud: a failed, rejected or cancelled run is taken
over by a new run that reuses the stored results before the resume point (no model call) and
re-applies their side effects, on the deployed state machines."""

from __future__ import annotations

from typing import Any

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client
from tests.e2e.test_seed_templates import FINAL, commands_of, tenant_state

NO_CACHE = {"use_cache": False}


def _resume(client: Client, run_id: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = client.request("POST", f"/runs/{run_id}/resume", json=body)
    assert answer.status_code == 202, answer.text
    resumed: dict[str, Any] = answer.json()
    assert resumed["resumed_from"] == run_id and resumed["run_id"] != run_id
    return resumed


def _agent_steps(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    steps: dict[str, dict[str, Any]] = {}
    for step in view["steps"]:
        if step["kind"] == "parallel":
            for branch in step["branches"].values():
                steps |= {inner["step"]: inner for inner in branch}
        elif step["kind"] in ("agent", "approval"):
            steps[step["step"]] = step
    return steps


def test_a_generic_run_failed_at_development_is_resumed_and_calls_a_model_only_for_the_steps_it_runs(
    acme: Client,
) -> None:
    # Given a generic run that failed for good at development, without the response cache
    failing = NO_CACHE | {"simulate_failure": {"step": "development"}}
    run_id = acme.start({"topic": "a recipe planner", "options": failing})
    assert acme.wait(run_id)["status"] == "COMPENSATED"
    # When it is resumed without the simulated failure
    resumed = _resume(acme, run_id, {"options": NO_CACHE})
    # Then the new run reuses the three steps before development and succeeds
    assert resumed["reused_steps"] == ["ideation", "research", "design"]
    assert resumed["from_step"] == "development"
    assert [entry["step"] for entry in resumed["estimate"]] == [
        "development",
        "execution",
        "review",
        "deployment",
    ]
    view = acme.wait(resumed["run_id"])
    assert view["status"] == "SUCCEEDED", view.get("error")
    # And it made exactly as many model calls as the steps it ran
    assert view["model_calls"] == 4
    steps = _agent_steps(view)
    for name in ("ideation", "research", "design"):
        assert steps[name]["reused_from"] == {"run_id": run_id, "key": name}
        assert steps[name]["cost_usd"] == 0 and steps[name]["metadata"]["model_calls"] == 0
        assert steps[name]["data"]["deliverables"]
    assert all(steps[name]["metadata"]["model_calls"] == 1 for name in ("development", "execution", "review"))
    # And the two runs are linked both ways
    assert acme.request("GET", f"/runs/{run_id}").json()["resumed_by"] == [resumed["run_id"]]
    assert view["resumed_from"] == run_id
    (resumed_event,) = [
        e for e in acme.events(run_id, "ORCHESTRATION_RESUMED") if e["event_type"] == "ORCHESTRATION_RESUMED"
    ]
    assert resumed_event["payload"]["resumed_by"] == resumed["run_id"]
    # And the new run's lineage leads back to the original run's results
    lineage = acme.request("GET", f"/runs/{resumed['run_id']}/lineage").json()
    assert [entry["run_id"] for entry in lineage["chain"]] == [run_id]
    by_key = {entry["key"]: entry for entry in lineage["steps"]}
    for name in ("ideation", "research", "design"):
        origin = by_key[name]["origin"]
        assert by_key[name]["source"] == "reused" and origin["run_id"] == run_id and origin["key"] == name
        assert origin["source"] == "model" and origin["tokens"]["output_tokens"] > 0
    assert by_key["development"]["source"] == "model" and "origin" not in by_key["development"]


def test_a_feature_delivery_run_rejected_at_its_gate_is_resumed_from_the_gate(acme: Client) -> None:
    # Given a feature_delivery run rejected at its release approval
    run_id = acme.start({"template": "feature_delivery", "topic": "export invoices as CSV"})
    waiting = acme.wait(run_id, until={"AWAITING_APPROVAL", *FINAL})
    assert waiting["status"] == "AWAITING_APPROVAL", waiting.get("error")
    gate = waiting["awaiting"]["step"]
    answer = acme.request("POST", f"/runs/{run_id}/approval", json={"decision": "reject"})
    assert answer.status_code == 200, answer.text
    assert acme.wait(run_id)["status"] == "REJECTED"
    # When it is resumed from the gate
    resumed = _resume(acme, run_id, {"from_step": gate})
    assert resumed["reused_steps"] == ["analysis", "backend", "testing", "security"]
    # Then the new run asks at the gate again, and on approval deploys
    waiting = acme.wait(resumed["run_id"], until={"AWAITING_APPROVAL", *FINAL})
    assert waiting["status"] == "AWAITING_APPROVAL" and waiting["awaiting"]["step"] == gate
    answer = acme.request("POST", f"/runs/{resumed['run_id']}/approval", json={"decision": "approve"})
    assert answer.status_code == 200, answer.text
    view = acme.wait(resumed["run_id"])
    assert view["status"] == "SUCCEEDED", view.get("error")
    steps = _agent_steps(view)
    assert steps["security"]["reused_from"] == {"run_id": run_id, "key": "security"}
    assert steps["deploy"]["status"] == "SUCCEEDED" and steps["deploy"]["reused_from"] is None


def _documents(cloud: LocalCloud, tenant_id: str, run_id: str) -> list[str]:
    """The current workspace documents of a web_development run, relative to its project folder."""
    s3 = cloud.client("s3")
    bucket = cloud.deployment.outputs["WorkspaceBucketName"]  # type: ignore[union-attr]
    prefix = f"{tenant_id}/projects/{run_id}/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    return sorted(item["Key"][len(prefix) :] for item in listed)


def test_a_web_development_run_failed_at_deployment_is_resumed_with_every_document(cloud: LocalCloud) -> None:
    tenant = "resumer"
    client = Client(cloud, cloud.mint_token(tenant_id=tenant, subject="rita"))
    before = tenant_state(cloud, tenant)
    # Given a web_development run failed at its deployment step (everything undone)
    failing = NO_CACHE | {"simulate_failure": {"step": "deployment"}}
    body = {"template": "web_development", "topic": "a booking site for a climbing gym"}
    run_id = client.start(body | {"options": failing})
    assert client.wait(run_id, timeout=180)["status"] == "COMPENSATED"
    assert tenant_state(cloud, tenant) == before
    # When it is resumed and fails at deployment again
    again = _resume(client, run_id, {"options": failing})
    assert client.wait(again["run_id"], timeout=180)["status"] == "COMPENSATED"
    # Then the documents it wrote again are undone too: the workspace is as before the first run
    assert tenant_state(cloud, tenant) == before
    assert {c["status"] for c in commands_of(cloud, tenant, again["run_id"])} == {"UNDONE"}
    # When it is resumed without the failure
    resumed = _resume(client, run_id, {"options": NO_CACHE})
    view = client.wait(resumed["run_id"], timeout=180)
    assert view["status"] == "SUCCEEDED", view.get("error")
    assert view["model_calls"] == 1  # the deployment step alone called a model
    # Then the workspace holds every document of the run, as a run that never failed writes them
    reference = client.start(body | {"options": NO_CACHE})
    assert client.wait(reference, timeout=180)["status"] == "SUCCEEDED"
    documents = _documents(cloud, tenant, resumed["run_id"])
    assert documents == _documents(cloud, tenant, reference) and len(documents) >= 7
    assert _resumed_by(client, run_id) == [again["run_id"], resumed["run_id"]]


def _resumed_by(client: Client, run_id: str) -> list[str]:
    links: list[str] = client.request("GET", f"/runs/{run_id}").json()["resumed_by"]
    return links


def test_a_run_still_going_or_of_another_tenant_cannot_be_resumed(acme: Client, globex: Client) -> None:
    run_id = acme.start({"topic": "a long one", "options": {"offline": {"latency_ms": 2000}}})
    answer = acme.request("POST", f"/runs/{run_id}/resume", json={})
    assert answer.status_code == 409 and "can be resumed" in answer.json()["message"]
    assert globex.request("POST", f"/runs/{run_id}/resume", json={}).status_code == 404
    acme.request("POST", f"/runs/{run_id}/cancel")
    assert acme.wait(run_id)["status"] == "CANCELLED"
    # a cancelled run can be resumed
    resumed = _resume(acme, run_id, {"options": {}})
    assert acme.wait(resumed["run_id"])["status"] == "SUCCEEDED"
