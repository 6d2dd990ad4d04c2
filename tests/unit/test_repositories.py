"""The repository contract: the in-memory fakes, and the DynamoDB repositories' error paths.

The fakes stand in for DynamoDB in every other unit test, so they are held to the same
outcomes as ``orchestrator/repositories/dynamodb.py``. The DynamoDB repositories are
checked on a stub table (no AWS): each conditional failure must mean the same thing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from orchestrator.adapters.dynamodb import (
    DynamoEventRepository,
    DynamoRunRepository,
    DynamoStepResultRepository,
)
from orchestrator.core.errors import (
    ConflictError,
    DataStoreRejected,
    InvalidRequest,
    RepositoryError,
    RunNotFound,
)
from orchestrator.core.records import EventEnvelope, ResultMetadata, Run, RunStatus, StepResult, StepStatus
from tests.fakes.run_data import (
    InMemoryEventRepository,
    InMemoryRunRepository,
    InMemoryStepResultRepository,
    given_run,
)

T0 = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def a_result(tenant_id: str, run_id: str, phase: str, status: StepStatus, attempts: int = 1) -> StepResult:
    return StepResult(
        tenant_id=tenant_id,
        run_id=run_id,
        step=phase,
        status=status,
        data={"summary": "s"} if status is StepStatus.SUCCEEDED else None,
        summary="s",
        started_at=T0,
        completed_at=T0,
        metadata=ResultMetadata(
            agent=phase, attempts=attempts, provider="offline", model="m", prompt_version="v1"
        ),
    )


# --- runs ----------------------------------------------------------------------------------
def test_missing_run_is_run_not_found(runs: InMemoryRunRepository) -> None:
    with pytest.raises(RunNotFound):
        runs.get("acme", "nope")
    with pytest.raises(RunNotFound):
        runs.update_status("acme", "nope", RunStatus.RUNNING)
    with pytest.raises(RunNotFound):
        runs.add_compensated_step("acme", "nope", "design")


def test_creating_a_run_twice_is_a_conflict(runs: InMemoryRunRepository) -> None:
    run = given_run(runs, topic="first")
    with pytest.raises(ConflictError):
        runs.create(run.model_copy(update={"topic": "second"}))
    assert runs.get("acme", run.run_id).topic == "first"


def test_tenants_never_see_each_others_runs(runs: InMemoryRunRepository) -> None:
    run = given_run(runs, tenant_id="acme")

    with pytest.raises(RunNotFound):
        runs.get("globex", run.run_id)
    with pytest.raises(RunNotFound):
        runs.update_status("globex", run.run_id, RunStatus.RUNNING)
    assert runs.list("globex", 10, None) == ([], None)
    assert runs.get("acme", run.run_id).status is RunStatus.PENDING


def test_invalid_tenant_ids_never_reach_storage(runs: InMemoryRunRepository) -> None:
    with pytest.raises(ValueError, match="tenant id"):
        runs.get("acme#globex", "r1")


def test_returned_runs_are_copies(runs: InMemoryRunRepository) -> None:
    run = given_run(runs)
    runs.get("acme", run.run_id).compensated_steps.append("design")
    assert runs.get("acme", run.run_id).compensated_steps == []


def test_update_writes_given_fields_and_removes_nones(runs: InMemoryRunRepository) -> None:
    run = given_run(runs)
    runs.update_status(
        "acme", run.run_id, RunStatus.RUNNING, execution_arn="arn:1", started_at=T0.isoformat()
    )

    updated = runs.update_status(
        "acme", run.run_id, RunStatus.COMPENSATING, execution_arn=None, failed_step="x"
    )

    assert updated.status is RunStatus.COMPENSATING
    assert updated.execution_arn is None  # None removes the attribute
    assert updated.started_at == T0
    assert updated.failed_step == "x"


def test_runs_list_newest_first_page_by_page(runs: InMemoryRunRepository) -> None:
    ids = [f"01j{index:023d}" for index in range(5)]
    for run_id in ids:
        given_run(runs, run_id=run_id)
    given_run(runs, tenant_id="globex", run_id="01j99999999999999999999999")

    first, cursor = runs.list("acme", 2, None)
    second, cursor2 = runs.list("acme", 2, cursor)
    third, cursor3 = runs.list("acme", 2, cursor2)

    assert [r.run_id for r in first + second + third] == list(reversed(ids))
    assert cursor3 is None
    with pytest.raises(InvalidRequest):
        runs.list("globex", 2, cursor)


# --- phase results ----------------------------------------------------------------------------
def test_attempts_count_per_tenant_run_and_phase(results: InMemoryStepResultRepository) -> None:
    assert results.next_attempt("acme", "r1", "design") == 1
    assert results.next_attempt("acme", "r1", "design") == 2
    assert results.next_attempt("acme", "r1", "review") == 1
    assert results.next_attempt("acme", "r2", "design") == 1
    assert results.next_attempt("globex", "r1", "design") == 1
    assert results.next_attempt("acme", "r1", "design") == 3


def test_an_attempt_counter_alone_is_no_result(results: InMemoryStepResultRepository) -> None:
    results.next_attempt("acme", "r1", "design")

    assert results.get("acme", "r1", "design") is None
    assert results.list_for_run("acme", "r1") == []


def test_saved_results_are_per_tenant_and_keep_counting(results: InMemoryStepResultRepository) -> None:
    results.next_attempt("acme", "r1", "design")
    results.next_attempt("acme", "r1", "design")
    results.save(a_result("acme", "r1", "design", StepStatus.SUCCEEDED, attempts=2))

    assert results.get("acme", "r1", "design") == a_result(
        "acme", "r1", "design", StepStatus.SUCCEEDED, attempts=2
    )
    assert results.get("globex", "r1", "design") is None
    assert results.list_for_run("globex", "r1") == []
    assert results.next_attempt("acme", "r1", "design") == 3


@pytest.mark.parametrize("status", [StepStatus.FAILED, StepStatus.COMPENSATED, None])
def test_only_a_succeeded_phase_can_be_compensated(
    results: InMemoryStepResultRepository, status: StepStatus | None
) -> None:
    if status is not None:
        results.save(a_result("acme", "r1", "design", status))
    before = results.get("acme", "r1", "design")

    assert results.mark_compensated("acme", "r1", "design", T0) is False
    assert results.get("acme", "r1", "design") == before


def test_compensating_is_tenant_scoped(results: InMemoryStepResultRepository) -> None:
    results.save(a_result("acme", "r1", "design", StepStatus.SUCCEEDED))

    assert results.mark_compensated("globex", "r1", "design", T0) is False
    assert results.mark_compensated("acme", "r1", "design", T0) is True
    stored = results.get("acme", "r1", "design")
    assert stored is not None
    assert (stored.status, stored.data, stored.compensated_at) == (StepStatus.COMPENSATED, None, T0)


# --- events -------------------------------------------------------------------------------------
def an_event(
    tenant_id: str = "acme", run_id: str = "r1", seconds: int = 0, event_id: str = "e1"
) -> EventEnvelope:
    return EventEnvelope(
        event_id=event_id,
        event_type="PHASE_COMPLETED",
        correlation_id="c",
        tenant_id=tenant_id,
        run_id=run_id,
        timestamp=T0 + timedelta(seconds=seconds),
    )


def test_duplicate_event_is_ignored(events: InMemoryEventRepository) -> None:
    assert events.append(an_event()) is True
    assert events.append(an_event()) is False
    assert len(events.list_for_run("acme", "r1", 10, None)[0]) == 1


def test_events_list_in_time_order_per_tenant(events: InMemoryEventRepository) -> None:
    for seconds, event_id in [(3, "c"), (1, "a"), (2, "b")]:
        events.append(an_event(seconds=seconds, event_id=event_id))
    events.append(an_event(tenant_id="globex", event_id="g"))

    page, cursor = events.list_for_run("acme", "r1", 2, None)
    rest, end = events.list_for_run("acme", "r1", 2, cursor)

    assert [e.event_id for e in page + rest] == ["a", "b", "c"]
    assert end is None
    assert [e.event_id for e in events.list_for_run("globex", "r1", 10, None)[0]] == ["g"]
    with pytest.raises(InvalidRequest):
        events.list_for_run("globex", "r1", 2, cursor)


# --- the DynamoDB repositories on a stub table ------------------------------------------------
class StubTable:
    """A table whose calls answer from a script: a response dict or a DynamoDB error code."""

    def __init__(self, answer: dict[str, Any] | str) -> None:
        self.answer = answer
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _call(self, operation: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((operation, kwargs))
        if isinstance(self.answer, str):
            raise ClientError({"Error": {"Code": self.answer, "Message": "stub"}}, operation)
        return self.answer

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("GetItem", kwargs)

    def put_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("PutItem", kwargs)

    def update_item(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("UpdateItem", kwargs)

    def query(self, **kwargs: Any) -> dict[str, Any]:
        return self._call("Query", kwargs)


class StubResource:
    def __init__(self, table: StubTable) -> None:
        self.table = table

    def Table(self, name: str) -> StubTable:
        return self.table


CONDITION_FAILED = "ConditionalCheckFailedException"
RUN_ID = "01jabcdefghjkmnpqrstvwxyz0"
A_RUN = Run(tenant_id="acme", run_id=RUN_ID, template="generic", topic="t", correlation_id="c")


def test_dynamo_missing_run_is_run_not_found() -> None:
    repo = DynamoRunRepository("runs", resource=StubResource(StubTable({})))
    with pytest.raises(RunNotFound):
        repo.get("acme", RUN_ID)


def test_dynamo_malformed_run_ids_never_reach_the_table() -> None:
    table = StubTable({})
    repo = DynamoRunRepository("runs", resource=StubResource(table))
    for bad in ("r1", "x" * 2000, "01JABCDEFGHJKMNPQRSTVWXYZ0", "01jabcdefghjkmnpqrstvwxyz0/../x"):
        with pytest.raises(RunNotFound):
            repo.get("acme", bad)
    assert table.calls == []


def test_dynamo_duplicate_run_is_a_conflict() -> None:
    repo = DynamoRunRepository("runs", resource=StubResource(StubTable(CONDITION_FAILED)))
    with pytest.raises(ConflictError):
        repo.create(A_RUN)


def test_dynamo_update_of_a_missing_run_is_run_not_found() -> None:
    repo = DynamoRunRepository("runs", resource=StubResource(StubTable(CONDITION_FAILED)))
    with pytest.raises(RunNotFound):
        repo.update_status("acme", "r1", RunStatus.RUNNING)
    with pytest.raises(RunNotFound):
        repo.add_compensated_step("acme", "r1", "design")


def test_dynamo_duplicate_event_is_ignored() -> None:
    repo = DynamoEventRepository("events", resource=StubResource(StubTable(CONDITION_FAILED)))
    assert repo.append(an_event()) is False


def test_dynamo_other_failures_are_transient_repository_errors() -> None:
    repo = DynamoRunRepository(
        "runs", resource=StubResource(StubTable("ProvisionedThroughputExceededException"))
    )
    with pytest.raises(RepositoryError, match="ProvisionedThroughputExceededException") as raised:
        repo.get("acme", RUN_ID)
    assert raised.value.transient


def test_dynamo_refusals_are_permanent_and_lost_connections_transient() -> None:
    refused = DynamoRunRepository("runs", resource=StubResource(StubTable("ValidationException")))
    with pytest.raises(DataStoreRejected, match="ValidationException") as raised:
        refused.get("acme", RUN_ID)
    assert not raised.value.transient

    class TimingOutTable(StubTable):
        def get_item(self, **kwargs: Any) -> dict[str, Any]:
            raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    timing_out = DynamoRunRepository("runs", resource=StubResource(TimingOutTable({})))
    with pytest.raises(RepositoryError, match="ReadTimeoutError") as raised_timeout:
        timing_out.get("acme", RUN_ID)
    assert raised_timeout.value.transient


def test_dynamo_compensation_only_touches_a_succeeded_phase() -> None:
    table = StubTable({})
    repo = DynamoStepResultRepository("results", resource=StubResource(table))

    assert repo.mark_compensated("acme", "r1", "design", T0) is True

    ((operation, call),) = table.calls
    assert operation == "UpdateItem"
    assert call["Key"] == {"pk": "acme#r1", "sk": "design"}
    assert call["ConditionExpression"] == "#status IN (:succeeded, :approved, :waiting)"
    assert "REMOVE #data, #task_token" in call["UpdateExpression"]


def test_dynamo_compensating_nothing_returns_false() -> None:
    # Given the phase is not SUCCEEDED (never ran, failed, or already compensated)
    repo = DynamoStepResultRepository("results", resource=StubResource(StubTable(CONDITION_FAILED)))

    # When it is compensated (a retried Undo), Then it is reported as nothing to undo, as the fake does
    # (regression: this raised the private _NothingToUndo at aa8d5f6)
    assert repo.mark_compensated("acme", "r1", "design", T0) is False


def test_bad_parameters_and_missing_credentials_are_not_retried() -> None:
    from botocore.exceptions import NoCredentialsError, ParamValidationError

    from orchestrator.core.aws_errors import domain_error

    assert isinstance(domain_error("x", ParamValidationError(report="bad")), DataStoreRejected)
    assert isinstance(domain_error("x", NoCredentialsError()), DataStoreRejected)
    assert isinstance(domain_error("x", ReadTimeoutError(endpoint_url="https://x")), RepositoryError)
