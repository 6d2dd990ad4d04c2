"""Replaying a run through the HTTP API on the local cloud: a succeeded run replayed with one agent's
new prompt version calls the model for that agent's step only, every other step reusing its recorded
answer, and the diff of the two runs shows exactly that step as changed."""

from __future__ import annotations

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client
from tests.e2e.test_resume_runs import NO_CACHE, _agent_steps

PROMPT = {
    "system": "You are the ${title} agent. Answer with JSON matching: ${schema}",
    "user": "List the requirements, most important first. Topic: ${topic}\n${context}\n${facts}",
    "note": "requirements first",
    "activate": False,
}


def test_a_run_replayed_with_one_agents_new_prompt_calls_the_model_for_that_step_only(
    cloud: LocalCloud,
) -> None:
    tenant = "replayer"
    user = Client(cloud, cloud.mint_token(tenant_id=tenant, subject="rene"))
    admin = Client(cloud, cloud.mint_token(tenant_id=tenant, role="admin", subject="ada"))
    # Given a web_development run that succeeded, and a new (not active) requirements prompt
    body = {"template": "web_development", "topic": "a booking site for a climbing gym", "options": NO_CACHE}
    run_id = user.start(body)
    original = user.wait(run_id, timeout=180)
    assert original["status"] == "SUCCEEDED", original.get("error")
    created = admin.request("POST", "/prompts/web_requirements/versions", json=PROMPT)
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    # When the run is replayed with it
    answer = user.request(
        "POST", f"/runs/{run_id}/replay", json={"prompt_versions": {"web_requirements": version}}
    )
    assert answer.status_code == 202, answer.text
    replayed = answer.json()
    assert replayed["replayed_from"] == run_id and replayed["model_steps"] == ["requirements"]
    assert replayed["reused_steps"] == ["ideation"]
    view = user.wait(replayed["run_id"], timeout=180)
    assert view["status"] == "SUCCEEDED", view.get("error")
    # Then the requirements step alone called the model, with the new version
    assert view["model_calls"] == 1
    steps = _agent_steps(view)
    assert steps["requirements"]["metadata"]["prompt_version"] == f"v{version}"
    assert steps["requirements"]["reused_from"] is None
    others = [name for name in steps if name != "requirements"]
    for name in others:
        assert steps[name]["reused_from"] == {"run_id": run_id, "key": name}, name
        assert steps[name]["cost_usd"] == 0 and steps[name]["metadata"]["model_calls"] == 0
    # And the diff shows exactly that step as changed
    compared = user.request("GET", f"/runs/{run_id}/diff/{replayed['run_id']}")
    assert compared.status_code == 200, compared.text
    assert compared.json()["changed_steps"] == ["requirements"]
    assert sorted(compared.json()["unchanged_steps"]) == sorted(others)
    # And the runs are linked both ways, the original's trail names the replay
    assert user.request("GET", f"/runs/{run_id}").json()["replayed_by"] == [replayed["run_id"]]
    events = user.events(run_id, "ORCHESTRATION_REPLAYED")
    assert [e["payload"]["replayed_by"] for e in events if e["event_type"] == "ORCHESTRATION_REPLAYED"] == [
        replayed["run_id"]
    ]
