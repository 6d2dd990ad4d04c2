"""``POST /runs/{run_id}/resume`` through the API function on moto: a new run linked both ways, the
estimate of the steps it will run, and a clear answer for a run that cannot be resumed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.local.tokens import LocalSigningKey
from orchestrator.adapters.dynamodb import DynamoRunRepository, DynamoStepResultRepository
from orchestrator.core.ports import StepResultRepository
from orchestrator.core.records import ResultMetadata, RunStatus, StepResult, StepStatus
from tests.integration.conftest import MotoAws
from tests.integration.test_api_handler import call

REUSED = ["ideation", "research", "design"]


def _failed_at_development(api: Any, aws: MotoAws, token: str) -> str:
    """A generic run started through the API that failed for good at development and was undone."""
    failing = {"simulate_failure": {"step": "development"}}
    status, body, _ = call(
        api, "POST", "/runs", token=token, body={"topic": "a todo app", "options": failing}
    )
    assert status == 202, body
    run_id = body["run_id"]
    save_undone_steps(DynamoStepResultRepository(aws.tables["StepResults"]), "acme", run_id)
    DynamoRunRepository(aws.tables["Runs"]).update_status(
        "acme", run_id, RunStatus.COMPENSATED, failed_step="development"
    )
    return run_id


def save_undone_steps(results: StepResultRepository, tenant_id: str, run_id: str) -> None:
    """The results of the three steps before development, stored as they are once undone."""
    now = datetime.now(UTC)
    for sequence, step in enumerate(REUSED, start=1):
        results.save(
            StepResult(
                tenant_id=tenant_id,
                run_id=run_id,
                step=step,
                status=StepStatus.SUCCEEDED,
                data={"summary": f"{step} done", "deliverables": [step], "risks": [], "confidence": 0.8},
                summary=f"{step} done",
                started_at=now,
                completed_at=now,
                sequence=sequence,
                metadata=ResultMetadata(
                    agent=step, attempts=1, provider="offline", model="offline-1", prompt_version="v1"
                ),
            )
        )
        assert results.mark_compensated(tenant_id, run_id, step, now)


def test_a_failed_run_is_resumed_as_a_new_run_linked_both_ways(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _failed_at_development(api, aws, token)
    # When it is resumed without the simulated failure
    status, body, headers = call(api, "POST", f"/runs/{run_id}/resume", token=token, body={"options": {}})
    # Then a new run starts from development, reusing the three steps before it
    assert status == 202, body
    assert body["resumed_from"] == run_id and body["run_id"] != run_id
    assert body["from_step"] == "development" and body["reused_steps"] == REUSED
    assert headers["location"] == f"/runs/{body['run_id']}"
    # And its estimate covers only the steps it will run
    assert [entry["step"] for entry in body["estimate"]] == [
        "development",
        "execution",
        "review",
        "deployment",
    ]
    assert body["estimated_cost_usd"] == sum(entry["cost_usd"] for entry in body["estimate"])
    # And both runs show the link
    new = call(api, "GET", f"/runs/{body['run_id']}", token=token)[1]
    assert new["resumed_from"] == run_id and new["reused_steps"] == REUSED
    assert new["options"]["simulate_failure"] is None
    original = call(api, "GET", f"/runs/{run_id}", token=token)[1]
    assert original["resumed_by"] == [body["run_id"]]
    assert all("undone_data" not in step for step in original["steps"]), "an undone output stays hidden"
    # And the new run's lineage leads back to the original run
    status, lineage, _ = call(api, "GET", f"/runs/{body['run_id']}/lineage", token=token)
    assert status == 200 and lineage["chain"][0]["run_id"] == run_id
    assert lineage["resumed_from"] == run_id and lineage["steps"] == []  # nothing ran yet (no state machine)
    assert call(api, "GET", f"/runs/{run_id}/lineage", token=token)[1]["resumed_by"] == [body["run_id"]]
    # And the original run's trail says which run resumed it
    published = aws.published()
    resumed_events = [m["detail"] for m in published if m["detail-type"] == "ORCHESTRATION_RESUMED"]
    assert [(e["run_id"], e["payload"]["resumed_by"]) for e in resumed_events] == [(run_id, body["run_id"])]
    # And the resume is audited: the new run's trail starts with it
    actions = [m["detail"] for m in published if m["detail-type"] == "USER_ACTION"]
    assert any(a["payload"]["action"] == "resume" and a["run_id"] == body["run_id"] for a in actions)


def test_a_run_that_cannot_be_resumed_gets_a_clear_answer(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _failed_at_development(api, aws, token)
    running = call(api, "POST", "/runs", token=token, body={"topic": "still going"})[1]["run_id"]

    def resume(target: str, body: Any, who: str = token) -> tuple[int, Any]:
        status, answer, _ = call(api, "POST", f"/runs/{target}/resume", token=who, body=body)
        return status, answer

    status, answer = resume(running, {})
    assert status == 409 and "PENDING" in answer["message"]
    status, answer = resume(run_id, {"from_step": "nowhere"})
    assert status == 400 and "not a step of template 'generic'" in answer["message"]
    status, answer = resume(run_id, {"from_step": "review"})
    assert status == 400 and "development, execution before it left no output" in answer["message"]
    status, answer = resume(run_id, {"inputs": {"colour": "red"}})
    assert status == 400 and "takes no inputs" in answer["message"]
    status, answer = resume(run_id, {"step": "development"})
    assert status == 422 and [d["location"] for d in answer["details"]] == ["body.step"]
    assert resume(run_id, {}, signing_key.mint(tenant_id="globex", role="admin"))[0] == 404
    assert resume(run_id, {}, signing_key.mint(tenant_id="acme", role="viewer"))[0] == 403
    original = call(api, "GET", f"/runs/{run_id}", token=token)[1]
    assert original["resumed_by"] == [], "a refused resume changes nothing"


def test_a_retried_resume_with_the_same_idempotency_key_starts_one_run(
    api: Any, aws: MotoAws, signing_key: LocalSigningKey
) -> None:
    token = signing_key.mint(tenant_id="acme", role="user")
    run_id = _failed_at_development(api, aws, token)
    key = {"Idempotency-Key": "resume-once-1"}
    first = call(api, "POST", f"/runs/{run_id}/resume", token=token, body={"options": {}}, headers=key)
    again = call(api, "POST", f"/runs/{run_id}/resume", token=token, body={"options": {}}, headers=key)
    assert first[0] == again[0] == 202 and again[1]["run_id"] == first[1]["run_id"]
    assert again[2]["idempotent-replayed"] == "true" and "idempotent-replayed" not in first[2]
    assert call(api, "GET", f"/runs/{run_id}", token=token)[1]["resumed_by"] == [first[1]["run_id"]]
    other = call(
        api, "POST", f"/runs/{run_id}/resume", token=token, body={"from_step": "design"}, headers=key
    )
    assert other[0] == 422 and "different request" in other[1]["message"]
