"""``POST /runs/{run_id}/replay`` and ``GET /runs/{a}/diff/{b}`` through the API function on moto: a new
run linked both ways with its forecast and estimate, clear answers for a run that cannot be
replayed, and the diff of two runs read from the step results table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.local.tokens import LocalSigningKey
from orchestrator.adapters.dynamodb import DynamoRunRepository, DynamoStepResultRepository
from orchestrator.core.records import ResultMetadata, RunStatus, StepResult, StepStatus, TokenUsage
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call

STEPS = ["ideation", "research", "design", "development", "execution", "review", "deployment"]


def _finished(
    api: Any, aws: MotoAws, token: str, *, changed: str | None = None, run_id: str | None = None
) -> str:
    """A generic run that SUCCEEDED, each step recorded with its request and input digests (the
    step ``changed``: another prompt version, digest and summary). ``run_id``: record them on that
    run (a replay started through the API) instead of a new one."""
    if run_id is None:
        status, body, _ = call(api, "POST", "/runs", token=token, body={"topic": "a todo app"})
        assert status == 202, body
        run_id = body["run_id"]
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    now = datetime.now(UTC)
    for sequence, step in enumerate(STEPS, start=1):
        other = step == changed
        summary = f"{step} done" + (" differently" if other else "")
        results.save(
            StepResult(
                tenant_id="acme",
                run_id=run_id,
                step=step,
                status=StepStatus.SUCCEEDED,
                data={"summary": summary, "deliverables": [step], "risks": [], "confidence": 0.8},
                summary=summary,
                started_at=now,
                completed_at=now,
                sequence=sequence,
                confidence_score=0.8,
                token_usage=TokenUsage(input_tokens=100, output_tokens=50),
                metadata=ResultMetadata(
                    agent=step,
                    attempts=1,
                    provider="offline",
                    model="offline-1",
                    prompt_version="v2" if other else "v1",
                    model_calls=1,
                ),
                prompt_hash=(f"{step}-v2" if other else step).ljust(64, "0"),
                input_hash=f"in-{step}".ljust(64, "0"),
            )
        )
    DynamoRunRepository(aws.tables["Runs"]).update_status("acme", run_id, RunStatus.SUCCEEDED)
    return run_id


def _new_research_prompt(api: Any, signing_key: LocalSigningKey) -> int:
    admin = signing_key.mint(tenant_id="acme", role="admin")
    body = {
        "system": "You are ${title}. ${schema}",
        "user": "REWORDED ${topic} ${context}",
        "activate": False,
    }
    status, answer, _ = call(api, "POST", "/prompts/research/versions", token=admin, body=body)
    assert status == 201, answer
    return int(answer["version"])


def test_a_succeeded_run_is_replayed_with_a_new_prompt_and_the_diff_shows_the_changed_step(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _finished(api, aws, token)
    version = _new_research_prompt(api, signing_key)
    # When it is replayed with research's new prompt
    status, body, headers = call(
        api, "POST", f"/runs/{run_id}/replay", token=token, body={"prompt_versions": {"research": version}}
    )
    # Then a new run starts: ideation reused, research calls the model, what reads it may
    assert status == 202, body
    assert body["replayed_from"] == run_id and body["run_id"] != run_id
    assert headers["location"] == f"/runs/{body['run_id']}"
    assert body["reused_steps"] == ["ideation"] and body["model_steps"] == ["research"]
    assert body["dependent_steps"] == STEPS[2:]
    assert [entry["step"] for entry in body["estimate"]] == STEPS[1:]
    # And both runs show the link; the original's trail names the replay
    new_id = body["run_id"]
    new = call(api, "GET", f"/runs/{new_id}", token=token)[1]
    assert new["replayed_from"] == run_id and new["prompt_versions"]["research"] == version
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["replayed_by"] == [new_id]
    published = aws.published()
    replayed = [m["detail"] for m in published if m["detail-type"] == "ORCHESTRATION_REPLAYED"]
    assert [(e["run_id"], e["payload"]["replayed_by"]) for e in replayed] == [(run_id, new_id)]
    actions = [m["detail"] for m in published if m["detail-type"] == "USER_ACTION"]
    assert any(a["payload"]["action"] == "replay" and a["run_id"] == new_id for a in actions)

    # When the replay has run (its results recorded: research answered anew), a viewer diffs the runs
    _finished(api, aws, token, changed="research", run_id=new_id)
    viewer = signing_key.mint(tenant_id="acme", role="viewer")
    status, compared, _ = call(api, "GET", f"/runs/{run_id}/diff/{new_id}", token=viewer)
    # Then research alone changed: its prompt version, its request and its summary
    assert status == 200, compared
    assert compared["changed_steps"] == ["research"] and compared["unchanged_steps"] == [
        s for s in STEPS if s != "research"
    ]
    research = next(step for step in compared["steps"] if step["key"] == "research")
    assert research["prompt_version"] == {"a": "v1", "b": "v2"}
    assert research["changes"] == ["prompt_version", "prompt", "output"]
    assert research["output_fields"] == ["summary"] and research["input_changed"] is False
    assert compared["a"]["run_id"] == run_id and compared["b"]["replayed_from"] == run_id


def test_a_run_that_cannot_be_replayed_or_diffed_gets_a_clear_answer(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _finished(api, aws, token)
    running = call(api, "POST", "/runs", token=token, body={"topic": "still going"})[1]["run_id"]

    def replay(target: str, body: Any, who: str = token) -> tuple[int, Any]:
        status, answer, _ = call(api, "POST", f"/runs/{target}/replay", token=who, body=body)
        return status, answer

    status, answer = replay(running, {})
    assert status == 409 and "PENDING" in answer["message"]
    status, answer = replay(run_id, {"prompt_versions": {"research": 9}})
    assert status == 400 and "prompt_versions.research" in answer["message"]
    status, answer = replay(run_id, {"prompt_versions": {"nobody": 2}})
    assert status == 400 and "has no agent 'nobody'" in answer["message"]
    status, answer = replay(run_id, {"inputs": {"colour": "red"}})
    assert status == 400 and "takes no inputs" in answer["message"]
    status, answer = replay(run_id, {"from_step": "design"})
    assert status == 422 and [d["location"] for d in answer["details"]] == ["body.from_step"]
    assert replay(run_id, {}, signing_key.mint(tenant_id="globex", role="admin"))[0] == 404
    assert replay(run_id, {}, signing_key.mint(tenant_id="acme", role="viewer"))[0] == 403
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["replayed_by"] == []
    # Diff: both runs must be the caller's tenant's
    other = signing_key.mint(tenant_id="globex", role="admin")
    assert call(api, "GET", f"/runs/{run_id}/diff/{running}", token=other)[0] == 404
    status, answer, _ = call(api, "GET", f"/runs/{run_id}/diff/01jzzzzzzzzzzzzzzzzzzzzzzz", token=token)
    assert status == 404 and "01jzzzzzzzzzzzzzzzzzzzzzzz" in answer["message"]
    status, compared, _ = call(api, "GET", f"/runs/{run_id}/diff/{running}", token=token)
    assert status == 200 and compared["changed_steps"] == STEPS  # the running one has no results yet
    assert all(step["only_in"] == "a" for step in compared["steps"])


def test_a_retried_replay_with_the_same_idempotency_key_starts_one_run(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _finished(api, aws, token)
    key = {"Idempotency-Key": "replay-once-1"}
    first = call(api, "POST", f"/runs/{run_id}/replay", token=token, body={}, headers=key)
    again = call(api, "POST", f"/runs/{run_id}/replay", token=token, body={}, headers=key)
    assert first[0] == again[0] == 202 and again[1]["run_id"] == first[1]["run_id"]
    assert again[2]["idempotent-replayed"] == "true"
    assert first[1]["reused_steps"] == STEPS and first[1]["estimate"] == []
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["replayed_by"] == [first[1]["run_id"]]
