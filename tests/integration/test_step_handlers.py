"""The state machine's task handlers in-process against moto: a graph_showcase run step by step.

Each handler is called with the payload its state sends (see infra/cdk/constructs/workflows.py), in
the order the state machine calls them: agents write to the versioned workspace through the
command log, the map's manifest lands in S3, and the bounded undo loop takes everything back,
newest first, until the workspace is exactly as it was before the run.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from orchestrator.commands.base import RUN_METADATA
from orchestrator.commands.executor import COMMAND_METADATA
from orchestrator.core.errors import RunCancelled
from orchestrator.core.records import CommandRecord, CommandStatus, RunStatus, StepStatus
from orchestrator.runs.control import ApprovalDecision, decide
from orchestrator.runs.step_runner import AgentRunner
from tests.fakes.lambda_context import FakeLambdaContext
from tests.fakes.task_tokens import FakeTaskTokens
from tests.integration.conftest import MotoAws

TENANT = "acme"
RELEASE_NOTES = f"{TENANT}/showcase/releases/LATEST.md"


def _reference(run_id: str) -> dict[str, str]:
    return {"tenant_id": TENANT, "run_id": run_id, "correlation_id": "corr-1", "template": "graph_showcase"}


def _agent(aws: MotoAws, agent_type: str, run_id: str, step: str, item: int | None = None) -> dict[str, Any]:
    from handlers import run_agent

    runner = AgentRunner(
        runs=aws.container.runs,
        results=aws.container.step_results,
        command_log=aws.container.command_log,
        workspace=aws.container.workspace,
        publisher=aws.container.publisher,
        provider_factory=aws.container.provider,
        agent_type=agent_type,
    )
    payload = _reference(run_id) | {"step": step} | ({"item": item} if item is not None else {})
    result: dict[str, Any] = run_agent.handler(
        payload, FakeLambdaContext(), container=aws.container, runner=runner
    )
    return result


def _status(aws: MotoAws, run_id: str, status: RunStatus, **extra: Any) -> None:
    from handlers import run_status

    run_status.handler(
        _reference(run_id) | {"status": status.value} | extra, FakeLambdaContext(), container=aws.container
    )


def _workspace(aws: MotoAws) -> dict[str, bytes]:
    """The tenant's workspace as a reader sees it: current objects and their content."""
    s3 = boto3.client("s3")
    listed = s3.list_objects_v2(Bucket=aws.bucket, Prefix=f"{TENANT}/").get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=aws.bucket, Key=o["Key"])["Body"].read() for o in listed}


@pytest.fixture
def run_id(aws: MotoAws) -> str:
    # the tenant's workspace already holds the previous release's notes
    boto3.client("s3").put_object(Bucket=aws.bucket, Key=RELEASE_NOTES, Body=b"previous release")
    from orchestrator.core.ids import new_run_id
    from orchestrator.core.records import OfflineOptions, Run, RunOptions

    run = Run(
        tenant_id=TENANT,
        run_id=new_run_id(),
        template="graph_showcase",
        topic="a todo app",
        correlation_id="corr-1",
        options=RunOptions(offline=OfflineOptions(list_items=3)),
    )
    aws.container.runs.create(run)
    return run.run_id


def _run_to_the_end(aws: MotoAws, run_id: str) -> None:
    _status(
        aws, run_id, RunStatus.RUNNING, execution_arn="arn:aws:states:us-east-1:123456789012:execution:x:y"
    )
    _agent(aws, "request_analyst", run_id, "intake")
    _agent(aws, "risk_assessor", run_id, "risks")  # the two branches of "Assess and plan"
    _agent(aws, "planner", run_id, "plan")
    from handlers import prepare_map

    prepared = prepare_map.handler(
        _reference(run_id) | {"step": "execute"}, FakeLambdaContext(), container=aws.container
    )
    assert prepared["count"] == 3 and prepared["inline"] is True
    assert prepared["items"] == [{"index": 0}, {"index": 1}, {"index": 2}]
    manifest = boto3.client("s3").get_object(
        Bucket=prepared["manifest"]["bucket"], Key=prepared["manifest"]["key"]
    )
    assert json.loads(manifest["Body"].read()) == prepared["items"], "what the Distributed Map reads"
    for index in (2, 0, 1):  # map items finish in any order
        _agent(aws, "task_executor", run_id, "execute_task", item=index)
    _agent(aws, "safety_checker", run_id, "safety")
    _agent(aws, "reporter", run_id, "report")
    from handlers import approval_gate

    approval_gate.handler(
        _reference(run_id) | {"step": "sign_off", "task_token": "tok"},
        FakeLambdaContext(),
        container=aws.container,
    )
    tokens = FakeTaskTokens()
    decide(
        TENANT,
        run_id,
        ApprovalDecision(decision="approve"),
        caller_subject="alice",
        caller_role="user",
        runs=aws.container.runs,
        results=aws.container.step_results,
        tokens=tokens,
        publisher=aws.container.publisher,
    )
    assert tokens.calls == [("succeed", "tok", {"step": "sign_off", "decision": "approve"})]
    _agent(aws, "releaser", run_id, "release")


def test_a_run_writes_through_its_command_log_in_one_completion_order(aws: MotoAws, run_id: str) -> None:
    # When every step of the showcase runs
    _run_to_the_end(aws, run_id)
    # Then the executors, the report and the release wrote to the tenant's workspace
    workspace = _workspace(aws)
    assert workspace[RELEASE_NOTES].startswith(b"# Release for: a todo app")
    tasks = sorted(k for k in workspace if "/tasks/" in k)
    assert [k.rsplit("/", 1)[1] for k in tasks] == ["task-01.md", "task-02.md", "task-03.md"]
    assert f"{TENANT}/showcase/{run_id}/report.md" in workspace
    # And every command and every result took its own number of one run-wide sequence
    commands = aws.container.command_log.list_for_run(TENANT, run_id)
    assert {c.status for c in commands} == {CommandStatus.COMPLETED}
    assert {c.kind for c in commands} == {"write_artifact", "publish_integration"}
    results = aws.container.step_results.list_for_run(TENANT, run_id)
    assert {r.key for r in results} == {
        "intake",
        "risks",
        "plan",
        "execute_task#0000",
        "execute_task#0001",
        "execute_task#0002",
        "safety",
        "report",
        "sign_off",
        "release",
    }
    numbers = [c.sequence for c in commands] + [r.sequence for r in results]
    assert sorted(numbers) == list(range(1, len(numbers) + 1))  # type: ignore[type-var]
    # the map items completed in the order they ran, not their index order
    items = {r.item: r.sequence for r in results if r.item is not None}
    assert items[2] < items[0] < items[1]  # type: ignore[operator]


def test_undoing_a_run_restores_the_workspace_newest_first(aws: MotoAws, run_id: str) -> None:
    before = _workspace(aws)
    _run_to_the_end(aws, run_id)
    results = aws.container.step_results.list_for_run(TENANT, run_id)
    # Given the run failed after its release (e.g. at "Finish run")
    _status(aws, run_id, RunStatus.COMPENSATING, error={"Error": "RepositoryError", "Cause": "gone"})
    from handlers import undo_completed_work

    # When the bounded loop runs rounds until nothing is left
    outcome = {"rounds": 0, "remaining": 1}
    while outcome["remaining"]:
        assert outcome["rounds"] < 50
        outcome = undo_completed_work.handler(
            _reference(run_id) | {"rounds": outcome["rounds"]}, FakeLambdaContext(), container=aws.container
        )
    # Then the workspace is exactly as before: the previous release notes are back, the run's
    # files, manifests and results are gone, and every version it wrote with them
    assert _workspace(aws) == before == {RELEASE_NOTES: b"previous release"}
    versions = boto3.client("s3").list_object_versions(Bucket=aws.bucket, Prefix=f"{TENANT}/")
    assert [v["Key"] for v in versions.get("Versions", [])] == [RELEASE_NOTES]
    assert not versions.get("DeleteMarkers")
    # And every command is undone, every result compensated, newest completion first
    assert {c.status for c in aws.container.command_log.list_for_run(TENANT, run_id)} == {
        CommandStatus.UNDONE
    }
    after = aws.container.step_results.list_for_run(TENANT, run_id)
    assert {r.status for r in after} == {StepStatus.COMPENSATED}
    newest_first = [r.key for r in sorted(results, key=lambda r: r.sequence or 0, reverse=True)]
    assert aws.container.runs.get(TENANT, run_id).compensated_steps == newest_first
    # And a repeated round changes nothing
    again = undo_completed_work.handler(
        _reference(run_id) | {"rounds": 7}, FakeLambdaContext(), container=aws.container
    )
    assert again == {"remaining": 0, "undone": 0, "rounds": 8}


def test_a_write_whose_outcome_was_never_logged_is_found_by_its_metadata_and_undone(
    aws: MotoAws, run_id: str
) -> None:
    # Given a command that wrote to the workspace but crashed before logging its outcome
    workspace = aws.container.workspace
    command_id = "release#00"
    workspace.put(
        RELEASE_NOTES,
        b"half-done release",
        "text/markdown",
        {COMMAND_METADATA: command_id, RUN_METADATA: run_id},
    )
    aws.container.command_log.start(
        CommandRecord(
            tenant_id=TENANT,
            run_id=run_id,
            command_id=command_id,
            result_key="release",
            kind="write_artifact",
            params={"path": "showcase/releases/LATEST.md"},
            fingerprint="f",
            status=CommandStatus.STARTED,
            started_at=datetime.now(UTC),
        )
    )
    _status(
        aws, run_id, RunStatus.RUNNING, execution_arn="arn:aws:states:us-east-1:123456789012:execution:x:y"
    )
    _status(aws, run_id, RunStatus.COMPENSATING, error={"Error": "Sandbox.Timedout", "Cause": "crashed"})
    from handlers import undo_completed_work

    # When the run is undone
    outcome = undo_completed_work.handler(
        _reference(run_id) | {"rounds": 0}, FakeLambdaContext(), container=aws.container
    )
    # Then the version it wrote is found through S3 metadata and removed
    assert outcome["remaining"] == 0
    assert _workspace(aws) == {RELEASE_NOTES: b"previous release"}
    (record,) = aws.container.command_log.list_for_run(TENANT, run_id)
    assert record.status is CommandStatus.UNDONE and len(record.undo_outcome["deleted_versions"]) == 1


def test_a_cancelled_run_stops_at_its_next_step_before_any_side_effect(aws: MotoAws, run_id: str) -> None:
    _status(
        aws, run_id, RunStatus.RUNNING, execution_arn="arn:aws:states:us-east-1:123456789012:execution:x:y"
    )
    _agent(aws, "request_analyst", run_id, "intake")
    aws.container.runs.update_fields(
        TENANT,
        run_id,
        allowed_from=[RunStatus.RUNNING],
        cancel_requested_at=datetime.now(UTC).isoformat(),
        cancel_requested_by="carol",
    )
    with pytest.raises(RunCancelled, match="cancelled by carol"):
        _agent(aws, "risk_assessor", run_id, "risks")
    assert aws.container.step_results.get(TENANT, run_id, "risks") is None
    assert aws.container.command_log.list_for_run(TENANT, run_id) == []
