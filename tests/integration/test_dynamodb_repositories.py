"""The DynamoDB and S3 repositories against moto: tenancy, pagination, conditions, versions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from orchestrator.adapters.dynamodb import (
    DynamoCommandLogRepository,
    DynamoEventRepository,
    DynamoRunRepository,
    DynamoStepResultRepository,
)
from orchestrator.adapters.s3_workspace import S3Workspace
from orchestrator.core.constants import TTL_ATTRIBUTE
from orchestrator.core.errors import ConflictError, DataStoreRejected, InvalidRequest, RunNotFound
from orchestrator.core.ids import new_run_id
from orchestrator.core.records import (
    CommandRecord,
    CommandStatus,
    EventEnvelope,
    ResultMetadata,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
)
from tests.fakes.run_data import InMemoryRunRepository
from tests.integration.conftest import MotoAws


def _run(tenant: str, run_id: str | None = None) -> Run:
    return Run(
        tenant_id=tenant, run_id=run_id or new_run_id(), template="generic", topic="t", correlation_id="c"
    )


def _result(
    tenant: str,
    run_id: str,
    step: str,
    status: StepStatus = StepStatus.SUCCEEDED,
    item: int | None = None,
) -> StepResult:
    now = datetime.now(UTC)
    return StepResult(
        tenant_id=tenant,
        run_id=run_id,
        step=step,
        item=item,
        status=status,
        data={"summary": "s", "deliverables": ["d"], "confidence": 0.8}
        if status is StepStatus.SUCCEEDED
        else None,
        summary="s",
        confidence_score=0.8,
        started_at=now,
        completed_at=now,
        metadata=ResultMetadata(agent=step, attempts=1, provider="offline", model="m", prompt_version="v1"),
        cost_usd=0.0012,
    )


def test_a_run_is_only_visible_to_its_tenant(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    assert runs.get("acme", run.run_id).topic == "t"
    with pytest.raises(RunNotFound):
        runs.get("globex", run.run_id)
    with pytest.raises(RunNotFound):
        runs.update_status("globex", run.run_id, RunStatus.RUNNING)


def test_creating_the_same_run_twice_conflicts(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    with pytest.raises(ConflictError):
        runs.create(run)


def test_runs_list_newest_first_in_pages(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    base = 1_700_000_000_000
    ids = [new_run_id(base + i * 1000) for i in range(5)]
    for run_id in ids:
        runs.create(_run("acme", run_id))
    runs.create(_run("globex"))
    first, cursor = runs.list("acme", 2, None)
    second, cursor2 = runs.list("acme", 2, cursor)
    third, cursor3 = runs.list("acme", 2, cursor2)
    listed = [r.run_id for r in first + second + third]
    assert listed == list(reversed(ids))
    assert cursor3 is None or runs.list("acme", 2, cursor3)[0] == []
    with pytest.raises(InvalidRequest):
        runs.list("globex", 2, cursor)  # a cursor of another tenant is refused


def test_status_updates_and_compensation_list(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    updated = runs.update_status(
        "acme", run.run_id, RunStatus.COMPENSATING, error={"name": "X", "message": "m"}
    )
    assert updated.status is RunStatus.COMPENSATING and updated.error == {"name": "X", "message": "m"}
    runs.add_compensated_step("acme", run.run_id, "research")
    runs.add_compensated_step("acme", run.run_id, "ideation")
    assert runs.get("acme", run.run_id).compensated_steps == ["research", "ideation"]


def test_step_results_attempts_and_compensation(aws: MotoAws) -> None:
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    assert [results.next_attempt("acme", "r1", "design") for _ in range(3)] == [1, 2, 3]
    assert results.get("acme", "r1", "design") is None  # only counted attempts so far
    results.save(_result("acme", "r1", "design"))
    results.save(_result("acme", "r1", "ideation"))
    stored = results.get("acme", "r1", "design")
    assert stored is not None and stored.cost_usd == pytest.approx(0.0012) and stored.data
    assert results.list_for_run("globex", "r1") == []
    assert results.mark_compensated("acme", "r1", "design", datetime.now(UTC)) is True
    again = results.mark_compensated("acme", "r1", "design", datetime.now(UTC))
    assert again is False
    compensated = results.get("acme", "r1", "design")
    assert (
        compensated is not None and compensated.status is StepStatus.COMPENSATED and compensated.data is None
    )
    assert compensated.undone_data == stored.data, "the undone output is kept for a resumed run"
    results.save(_result("acme", "r1", "gate", StepStatus.APPROVED))  # a gate has no output
    assert results.mark_compensated("acme", "r1", "gate", datetime.now(UTC)) is True
    gate = results.get("acme", "r1", "gate")
    assert gate is not None and gate.status is StepStatus.COMPENSATED and gate.undone_data is None
    results.save(_result("acme", "r1", "review", StepStatus.FAILED))
    assert results.mark_compensated("acme", "r1", "review", datetime.now(UTC)) is False


def test_events_are_stored_once_in_time_order(aws: MotoAws) -> None:
    events = DynamoEventRepository(aws.tables["Events"])
    start = datetime.now(UTC)
    envelopes = [
        EventEnvelope(
            event_type=f"E{i}",
            correlation_id="c",
            tenant_id="acme",
            run_id="r1",
            timestamp=start + timedelta(seconds=i),
        )
        for i in range(3)
    ]
    for envelope in reversed(envelopes):
        assert events.append(envelope) is True
    assert events.append(envelopes[0]) is False  # redelivered
    listed, cursor = events.list_for_run("acme", "r1", 10, None)
    assert [e.event_type for e in listed] == ["E0", "E1", "E2"] and cursor is None
    assert events.list_for_run("globex", "r1", 10, None)[0] == []


def test_events_expire_after_the_retention_days(aws: MotoAws) -> None:
    happened = datetime(2026, 1, 1, tzinfo=UTC)
    envelope = EventEnvelope(
        event_type="E", correlation_id="c", tenant_id="acme", run_id="r9", timestamp=happened
    )
    DynamoEventRepository(aws.tables["Events"], retention_days=30).append(envelope)
    kept = EventEnvelope(
        event_type="K", correlation_id="c", tenant_id="acme", run_id="r9", timestamp=happened
    )
    DynamoEventRepository(aws.tables["Events"], retention_days=0).append(kept)
    items = boto3.resource("dynamodb").Table(aws.tables["Events"]).scan()["Items"]
    expiry = {item["event_type"]: item.get(TTL_ATTRIBUTE) for item in items if item["run_id"] == "r9"}
    assert expiry == {"E": int(happened.timestamp()) + 30 * 86400, "K": None}
    with pytest.raises(ValueError, match="retention_days"):
        DynamoEventRepository(aws.tables["Events"], retention_days=-1)


def test_status_changes_can_be_conditional(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    runs.update_status("acme", run.run_id, RunStatus.RUNNING, allowed_from=[RunStatus.PENDING])
    with pytest.raises(ConflictError, match="is RUNNING: cannot become SUCCEEDED"):
        runs.update_status("acme", run.run_id, RunStatus.SUCCEEDED, allowed_from=[RunStatus.PENDING])
    assert runs.get("acme", run.run_id).status is RunStatus.RUNNING
    with pytest.raises(RunNotFound):
        runs.update_status("acme", new_run_id(), RunStatus.SUCCEEDED, allowed_from=[RunStatus.RUNNING])


def test_map_item_results_are_kept_apart_per_item(aws: MotoAws) -> None:
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    for item in (0, 1, 2):
        results.save(_result("acme", "r1", "execute_task", item=item))
    results.save(_result("acme", "r1", "plan"))
    stored = results.get("acme", "r1", "execute_task#0001")
    assert stored is not None and stored.item == 1 and stored.key == "execute_task#0001"
    assert results.get("acme", "r1", "execute_task") is None
    assert sorted(r.key for r in results.list_for_run("acme", "r1")) == [
        "execute_task#0000",
        "execute_task#0001",
        "execute_task#0002",
        "plan",
    ]


# --- approval gates ----------------------------------------------------------------------------
TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAf-secret-task-token"


def _gate(tenant: str, run_id: str) -> StepResult:
    now = datetime.now(UTC)
    return StepResult(
        tenant_id=tenant,
        run_id=run_id,
        step="sign_off",
        status=StepStatus.WAITING,
        summary="Release the work described in the report?",
        started_at=now,
        completed_at=now,
        sequence=5,
        metadata=ResultMetadata(agent="approval", attempts=1, provider="person", model="", prompt_version=""),
    )


def test_a_gates_token_is_stored_but_never_part_of_a_step_result(aws: MotoAws) -> None:
    # Given a gate opened with its task token
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    results.open_gate(_gate("acme", "r1"), TOKEN)
    # Then the backend can read the token back, for this tenant only
    assert results.gate_token("acme", "r1", "sign_off") == TOKEN
    assert results.gate_token("globex", "r1", "sign_off") is None
    assert results.gate_token("acme", "r1", "report") is None
    # And the step result as the API shows it never carries it
    stored = results.get("acme", "r1", "sign_off")
    assert stored is not None and stored.status is StepStatus.WAITING and stored.sequence == 5
    assert TOKEN not in stored.model_dump_json()
    assert all(TOKEN not in r.model_dump_json() for r in results.list_for_run("acme", "r1"))


def test_a_gate_is_decided_exactly_once(aws: MotoAws) -> None:
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    results.open_gate(_gate("acme", "r1"), TOKEN)
    decision = {"decision": "approve", "decided_by": "alice", "decided_at": "2030-01-01T00:00:00+00:00"}
    # When two decisions race, only the first one counts
    assert results.decide_gate("acme", "r1", "sign_off", StepStatus.APPROVED, decision) is True
    rejection = decision | {"decision": "reject", "decided_by": "bob"}
    assert results.decide_gate("acme", "r1", "sign_off", StepStatus.REJECTED, rejection) is False
    decided = results.get("acme", "r1", "sign_off")
    assert decided is not None and decided.status is StepStatus.APPROVED
    assert decided.decision == decision
    # A gate that was never opened (or another tenant's) cannot be decided
    assert results.decide_gate("acme", "r1", "release", StepStatus.APPROVED, decision) is False
    assert results.decide_gate("globex", "r1", "sign_off", StepStatus.APPROVED, decision) is False


def test_a_waiting_gate_is_rearmed_with_a_new_token_a_decided_one_is_not(aws: MotoAws) -> None:
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    results.open_gate(_gate("acme", "r1"), TOKEN)
    # When the gate's wait times out and its next turn waits with a new token
    assert results.rearm_gate("acme", "r1", "sign_off", "second-token") is True
    # Then the API answers the new one; the gate still waits, the token still hidden
    assert results.gate_token("acme", "r1", "sign_off") == "second-token"
    waiting = results.get("acme", "r1", "sign_off")
    assert waiting is not None and waiting.status is StepStatus.WAITING
    assert "second-token" not in waiting.model_dump_json()
    # And a decided gate, a gate never opened and another tenant's are not re-armed
    decision = {"decision": "approve", "decided_by": "alice", "decided_at": "2030-01-01T00:00:00+00:00"}
    assert results.decide_gate("acme", "r1", "sign_off", StepStatus.APPROVED, decision) is True
    assert results.rearm_gate("acme", "r1", "sign_off", "third-token") is False
    assert results.gate_token("acme", "r1", "sign_off") == "second-token"
    assert results.rearm_gate("acme", "r1", "release", "third-token") is False
    assert results.rearm_gate("globex", "r1", "sign_off", "third-token") is False
    assert results.get("globex", "r1", "sign_off") is None


def test_undoing_a_gate_drops_its_token(aws: MotoAws) -> None:
    results = DynamoStepResultRepository(aws.tables["StepResults"])
    results.open_gate(_gate("acme", "r1"), TOKEN)
    assert results.mark_compensated("acme", "r1", "sign_off", datetime.now(UTC)) is True
    assert results.gate_token("acme", "r1", "sign_off") is None
    undone = results.get("acme", "r1", "sign_off")
    assert undone is not None and undone.status is StepStatus.COMPENSATED


# --- the command log ---------------------------------------------------------------------------
def _command(tenant: str, run_id: str, result_key: str, index: int) -> CommandRecord:
    return CommandRecord(
        tenant_id=tenant,
        run_id=run_id,
        command_id=f"{result_key}#{index}",
        result_key=result_key,
        kind="write_file",
        params={"key": f"{tenant}/reports/{result_key}.md", "size": 1.5},
        fingerprint="f" * 64,
        status=CommandStatus.STARTED,
        started_at=datetime.now(UTC),
    )


def test_a_command_is_logged_before_and_after_it_runs(aws: MotoAws) -> None:
    log = DynamoCommandLogRepository(aws.tables["Commands"])
    command = _command("acme", "r1", "report", 0)
    # Given a command logged before it runs
    log.start(command)
    started = log.get("acme", "r1", "report#0")
    assert started is not None and started.status is CommandStatus.STARTED and started.outcome == {}
    assert started.params == command.params
    # When it completes, its outcome (what undo needs) and completion order are kept
    at = datetime.now(UTC)
    log.complete("acme", "r1", "report#0", {"version_id": "v1"}, 7, at)
    completed = log.get("acme", "r1", "report#0")
    assert completed is not None and completed.status is CommandStatus.COMPLETED
    assert completed.outcome == {"version_id": "v1"} and completed.sequence == 7
    assert completed.completed_at == at
    # Then it cannot complete twice, and an unknown command cannot complete at all
    with pytest.raises(ConflictError, match="is not running"):
        log.complete("acme", "r1", "report#0", {"version_id": "v2"}, 8, at)
    with pytest.raises(ConflictError):
        log.complete("acme", "r1", "release#0", {}, 9, at)
    assert log.get("acme", "r1", "release#0") is None
    assert log.get("globex", "r1", "report#0") is None


def test_a_command_is_undone_once_whether_it_completed_or_not(aws: MotoAws) -> None:
    log = DynamoCommandLogRepository(aws.tables["Commands"])
    log.start(_command("acme", "r1", "report", 0))
    log.start(_command("acme", "r1", "release", 0))  # its outcome never got recorded
    log.complete("acme", "r1", "report#0", {"version_id": "v1"}, 1, datetime.now(UTC))
    at = datetime.now(UTC)
    assert log.mark_undone("acme", "r1", "report#0", {"deleted": "v1"}, at) is True
    assert log.mark_undone("acme", "r1", "report#0", {"deleted": "v1"}, at) is False
    assert log.mark_undone("acme", "r1", "release#0", {"nothing_written": True}, at) is True
    assert log.mark_undone("acme", "r1", "missing#0", {}, at) is False
    undone = log.get("acme", "r1", "report#0")
    assert undone is not None and undone.status is CommandStatus.UNDONE
    assert undone.undo_outcome == {"deleted": "v1"} and undone.undone_at == at
    assert undone.outcome == {"version_id": "v1"}, "what was done stays on record"


def test_a_runs_commands_are_listed_for_that_run_and_tenant_only(aws: MotoAws) -> None:
    log = DynamoCommandLogRepository(aws.tables["Commands"])
    for key, index in (("report", 0), ("execute_task#0001", 0), ("execute_task#0001", 1)):
        log.start(_command("acme", "r1", key, index))
    log.start(_command("acme", "r2", "report", 0))
    log.start(_command("globex", "r1", "report", 0))
    listed = log.list_for_run("acme", "r1")
    assert [c.command_id for c in listed] == ["execute_task#0001#0", "execute_task#0001#1", "report#0"]
    assert all(c.tenant_id == "acme" and c.run_id == "r1" for c in listed)
    assert log.list_for_run("initech", "r1") == []


# --- runs: partial updates and the completion counter --------------------------------------------
def test_update_fields_sets_and_removes_fields_only_in_allowed_states(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    active = [RunStatus.PENDING, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL]
    asked = datetime.now(UTC)
    updated = runs.update_fields(
        "acme",
        run.run_id,
        allowed_from=active,
        cancel_requested_at=asked.isoformat(),
        cancel_requested_by="bob",
    )
    assert updated.cancel_requested_at == asked and updated.cancel_requested_by == "bob"
    assert updated.status is RunStatus.PENDING, "only the named fields change"
    # None removes a field
    cleared = runs.update_fields("acme", run.run_id, allowed_from=active, cancel_requested_by=None)
    assert cleared.cancel_requested_by is None and cleared.cancel_requested_at == asked
    assert "cancel_requested_by" not in _raw_run(aws, "acme", run.run_id)
    # a run in another state, or another tenant's run, is not touched
    runs.update_status("acme", run.run_id, RunStatus.SUCCEEDED)
    with pytest.raises(ConflictError, match="is SUCCEEDED"):
        runs.update_fields("acme", run.run_id, allowed_from=active, cancel_requested_by="eve")
    with pytest.raises(RunNotFound):
        runs.update_fields("globex", run.run_id, allowed_from=active, cancel_requested_by="eve")
    assert runs.get("acme", run.run_id).cancel_requested_by is None


def test_a_status_change_can_remove_the_pending_approval(aws: MotoAws) -> None:
    runs = DynamoRunRepository(aws.tables["Runs"])
    run = _run("acme")
    runs.create(run)
    now = datetime.now(UTC)
    awaiting = {
        "step": "sign_off",
        "title": "Sign off release",
        "roles": ["admin"],
        "requested_at": now.isoformat(),
        "timeout_at": (now + timedelta(hours=1)).isoformat(),
    }
    waiting = runs.update_status("acme", run.run_id, RunStatus.AWAITING_APPROVAL, awaiting=awaiting)
    assert waiting.awaiting is not None and waiting.awaiting.roles == ["admin"]
    resumed = runs.update_status(
        "acme", run.run_id, RunStatus.RUNNING, allowed_from=[RunStatus.AWAITING_APPROVAL], awaiting=None
    )
    assert resumed.status is RunStatus.RUNNING and resumed.awaiting is None
    assert "awaiting" not in _raw_run(aws, "acme", run.run_id)


@pytest.mark.usefixtures("one_dynamodb_request_at_a_time")
def test_the_completion_sequence_is_atomic_across_concurrent_steps(aws: MotoAws) -> None:
    # Given one run and twenty steps completing at the same time, each in its own "function"
    run = _run("acme")
    DynamoRunRepository(aws.tables["Runs"]).create(run)
    repositories = [
        DynamoRunRepository(aws.tables["Runs"], resource=boto3.session.Session().resource("dynamodb"))
        for _ in range(20)
    ]
    start = threading.Barrier(20)

    def complete(repository: DynamoRunRepository) -> int:
        start.wait()
        return repository.next_sequence("acme", run.run_id)

    # When each takes the next completion number
    with ThreadPoolExecutor(max_workers=20) as pool:
        numbers = list(pool.map(complete, repositories))
    # Then every step got its own number, without gaps
    assert sorted(numbers) == list(range(1, 21))
    with pytest.raises(RunNotFound):
        repositories[0].next_sequence("globex", run.run_id)


def _raw_run(aws: MotoAws, tenant: str, run_id: str) -> dict[str, object]:
    table = boto3.resource("dynamodb").Table(aws.tables["Runs"])
    item: dict[str, object] = table.get_item(Key={"pk": tenant, "sk": run_id})["Item"]
    return item


# --- the workspace: a versioned bucket ---------------------------------------------------------
def test_each_write_to_the_workspace_is_a_version_that_undo_takes_back(aws: MotoAws) -> None:
    workspace = S3Workspace(aws.bucket)
    key = "acme/reports/summary.md"
    # Given a file written twice
    first = workspace.put(key, b"first draft", "text/markdown", {"run-id": "r1"})
    second = workspace.put(key, b"second draft", "text/markdown", {"run-id": "r2"})
    assert first and second and first != second
    assert workspace.get(key) == b"second draft"
    # When the second write is undone, the first is back
    workspace.delete_version(key, second)
    assert workspace.get(key) == b"first draft"
    # And undoing it again (a retried undo) changes nothing
    workspace.delete_version(key, second)
    assert workspace.get(key) == b"first draft"
    # When the first write is undone as well, the file is gone, as before the runs
    workspace.delete_version(key, first)
    with pytest.raises(DataStoreRejected, match="NoSuchKey"):
        workspace.get(key)


def test_workspace_versions_are_listed_by_prefix_with_their_metadata(aws: MotoAws) -> None:
    workspace = S3Workspace(aws.bucket)
    a = workspace.put("acme/notes/a.md", b"a", "text/markdown", {"run-id": "r1", "step": "report"})
    b1 = workspace.put("acme/notes/b.md", b"b1", "text/markdown", {"run-id": "r1", "step": "release"})
    b2 = workspace.put("acme/notes/b.md", b"b2", "text/markdown", {"run-id": "r2", "step": "release"})
    workspace.put("acme-two/notes/a.md", b"other tenant", "text/markdown", {"run-id": "r9"})
    listed = {(key, version): metadata for key, version, metadata in workspace.versions("acme/")}
    assert listed == {
        ("acme/notes/a.md", a): {"run-id": "r1", "step": "report"},
        ("acme/notes/b.md", b1): {"run-id": "r1", "step": "release"},
        ("acme/notes/b.md", b2): {"run-id": "r2", "step": "release"},
    }
    assert workspace.versions("initech/") == []


def test_the_workspace_refuses_to_write_where_writes_cannot_be_undone(aws: MotoAws) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="unversioned")
    with pytest.raises(DataStoreRejected, match="not versioned"):
        S3Workspace("unversioned").put("acme/a.md", b"a", "text/markdown", {})


@pytest.mark.parametrize("store", ["dynamodb", "fake"])
def test_a_claim_is_won_by_exactly_one_of_the_callers_racing_for_it(aws: MotoAws, store: str) -> None:
    runs: Any = DynamoRunRepository(aws.tables["Runs"]) if store == "dynamodb" else InMemoryRunRepository()
    run = _run("acme")
    runs.create(run)
    active = [RunStatus.PENDING, RunStatus.RUNNING]

    def claim_as(who: str) -> Run | None:
        claimed: Run | None = runs.claim(
            "acme", run.run_id, "claimed_at", allowed_from=active, claimed_at="2026-12-05T01:00:00", by=who
        )
        return claimed

    # Eight callers at once: one gets the run back, the others None
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = [r for r in pool.map(claim_as, [f"caller-{i}" for i in range(8)]) if r is not None]
    assert len(won) == 1
    # A claim older than stale_before is taken over; a fresh one is not
    later = {"allowed_from": active, "claimed_at": "2026-12-05T02:00:00"}
    assert runs.claim("acme", run.run_id, "claimed_at", stale_before="2026-12-05T00:30:00", **later) is None
    assert (
        runs.claim("acme", run.run_id, "claimed_at", stale_before="2026-12-05T01:30:00", **later) is not None
    )
    # A non-empty list named by unless_listed refuses it
    runs.update_fields("acme", run.run_id, allowed_from=active, claimed_at=None, resumed_by=["r2"])
    assert runs.claim("acme", run.run_id, "claimed_at", unless_listed="resumed_by", **later) is None
    # A run in another status is a conflict, another tenant's run is not found
    runs.update_status("acme", run.run_id, RunStatus.SUCCEEDED)
    with pytest.raises(ConflictError, match="is SUCCEEDED"):
        runs.claim("acme", run.run_id, "other_claim", allowed_from=active, other_claim="x")
    with pytest.raises(RunNotFound):
        runs.claim("globex", run.run_id, "other_claim", allowed_from=active, other_claim="x")
