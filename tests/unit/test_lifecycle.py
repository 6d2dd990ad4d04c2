"""A run's lifecycle inside its state machine: status changes, compensation, audit."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from orchestrator import constants
from orchestrator.errors import InvalidRequest, ModelOutputInvalid, RepositoryError, RunNotFound
from orchestrator.lifecycle import (
    compensate_phase,
    describe_error,
    reconcile_ended_execution,
    record_status,
    write_audit_event,
)
from orchestrator.models import (
    EndedExecution,
    EventEnvelope,
    PhaseStatus,
    PhaseTaskInput,
    Run,
    RunStatus,
    RunStatusTaskInput,
)
from orchestrator.phase_runner import PhaseRunner

from .fakes import (
    InMemoryEventRepository,
    InMemoryPhaseResultRepository,
    InMemoryRunRepository,
    PublisherFailingOnce,
    RecordingPublisher,
    ScriptedProvider,
    given_run,
    phase_answer,
)

ARN = "arn:aws:states:us-east-1:123456789012:execution:orchestrator-generic:01jabcdefghjkmnpqrstvwxyz0"
LAMBDA_CAUSE = json.dumps(
    {
        "errorType": "SimulatedPhaseFailure",
        "errorMessage": "boom",
        "trace": ["Traceback (most recent call last):", "..."],
    }
)


def status_task(run: Run, status: RunStatus, **fields: object) -> RunStatusTaskInput:
    return RunStatusTaskInput.model_validate(
        {
            "tenant_id": run.tenant_id,
            "run_id": run.run_id,
            "correlation_id": run.correlation_id,
            "template": run.template,
            "status": status,
            "phases": {"ideation": {"status": "SUCCEEDED"}},  # the rest of the state is ignored
        }
        | fields
    )


def phase_task(run: Run, phase: str) -> PhaseTaskInput:
    return PhaseTaskInput(
        tenant_id=run.tenant_id,
        run_id=run.run_id,
        correlation_id=run.correlation_id,
        template=run.template,
        phase=phase,
    )


def test_running_stores_the_execution_and_start_time(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    # Given a pending run
    run = given_run(runs, correlation_id="corr-run")

    # When its state machine reports it running
    updated = record_status(
        status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher
    )

    # Then the run is RUNNING with its execution and start time stored
    stored = runs.get(run.tenant_id, run.run_id)
    assert updated == stored
    assert stored.status is RunStatus.RUNNING
    assert stored.execution_arn == ARN
    assert isinstance(stored.started_at, datetime)
    assert stored.finished_at is None
    # And ORCHESTRATION_STARTED is published with the run's correlation id
    (event,) = publisher.events
    assert event.event_type == constants.ORCHESTRATION_STARTED
    assert event.correlation_id == "corr-run"
    assert event.payload == {"status": "RUNNING", "template": "generic", "execution_arn": ARN}


def test_compensating_stores_the_error_and_failed_phase(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    # Given a running run whose design phase failed for good
    run = given_run(runs)
    record_status(status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher)
    error = {"Error": "SimulatedPhaseFailure", "Cause": LAMBDA_CAUSE}

    # When the state machine catches the failure
    record_status(
        status_task(run, RunStatus.COMPENSATING, failed_phase="design", error=error),
        runs=runs,
        publisher=publisher,
    )

    # Then the run says which phase failed and why, in plain words
    stored = runs.get(run.tenant_id, run.run_id)
    assert stored.status is RunStatus.COMPENSATING
    assert stored.failed_phase == "design"
    assert stored.error == {"name": "SimulatedPhaseFailure", "message": "boom"}
    assert stored.execution_arn == ARN  # earlier fields are kept
    assert stored.finished_at is None
    # And ERROR_OCCURRED tells the bus
    event = publisher.events[-1]
    assert event.event_type == constants.ERROR_OCCURRED
    assert event.phase == "design"
    assert event.payload["error"] == {"name": "SimulatedPhaseFailure", "message": "boom"}
    assert event.payload["failed_phase"] == "design"


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        (RunStatus.SUCCEEDED, constants.ORCHESTRATION_COMPLETED),
        (RunStatus.COMPENSATED, constants.ORCHESTRATION_COMPENSATED),
        (RunStatus.COMPENSATION_FAILED, constants.COMPENSATION_FAILED),
    ],
)
def test_final_statuses_stamp_the_finish_time(
    runs: InMemoryRunRepository, publisher: RecordingPublisher, status: RunStatus, event_type: str
) -> None:
    run = given_run(runs)

    record_status(status_task(run, status), runs=runs, publisher=publisher)

    stored = runs.get(run.tenant_id, run.run_id)
    assert stored.status is status
    assert stored.finished_at is not None
    assert publisher.types == [event_type]


def test_compensation_failure_keeps_its_own_error(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs)
    error = {"Error": "RepositoryError", "Cause": "table unavailable"}

    record_status(
        status_task(run, RunStatus.COMPENSATION_FAILED, error=error), runs=runs, publisher=publisher
    )

    stored = runs.get(run.tenant_id, run.run_id)
    assert stored.compensation_error == {"name": "RepositoryError", "message": "table unavailable"}
    assert stored.error is None


def test_status_of_an_unknown_run_is_run_not_found(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    run = Run(tenant_id="acme", run_id="missing", template="generic", topic="t", correlation_id="c")

    with pytest.raises(RunNotFound):
        record_status(status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher)
    assert publisher.events == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (None, None),
        ({}, None),
        (
            {"Error": "States.Timeout", "Cause": "task timed out"},
            {"name": "States.Timeout", "message": "task timed out"},
        ),
        ({"Error": "X", "Cause": "{not json"}, {"name": "X", "message": "{not json"}),
        ({"Error": "X", "Cause": '{"errorType": "X"}'}, {"name": "X", "message": '{"errorType": "X"}'}),
        ({"Cause": "c"}, {"name": "Unknown", "message": "c"}),
        ({"Error": "X", "Cause": "y" * 5000}, {"name": "X", "message": "y" * 1000}),
    ],
    ids=[
        "none",
        "empty",
        "plain-cause",
        "broken-json-cause",
        "json-without-message",
        "no-name",
        "long-cause",
    ],
)
def test_describe_error(error: dict[str, str] | None, expected: dict[str, str] | None) -> None:
    assert describe_error(error) == expected


# --- compensation ----------------------------------------------------------------------------
@pytest.fixture
def run_with_design_done(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> Run:
    run = given_run(runs, correlation_id="corr-comp")
    runner = PhaseRunner(
        runs=runs,
        results=results,
        publisher=RecordingPublisher(),
        provider_factory=lambda _name: ScriptedProvider([phase_answer(summary="Design done.")]),
    )
    runner.run(phase_task(run, "design"))
    return run


def test_compensating_a_phase_removes_its_output_and_records_it(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    publisher: RecordingPublisher,
    run_with_design_done: Run,
) -> None:
    run = run_with_design_done

    # When the completed design phase is undone
    outcome = compensate_phase(phase_task(run, "design"), runs=runs, results=results, publisher=publisher)

    # Then its output is gone, the audit stub says COMPENSATED, and the run lists it
    assert outcome == {"phase": "design", "compensated": True}
    stored = results.get(run.tenant_id, run.run_id, "design")
    assert stored is not None
    assert stored.status is PhaseStatus.COMPENSATED
    assert stored.data is None
    assert stored.compensated_at is not None
    assert stored.summary == "Design done."  # the audit stub keeps what happened
    assert runs.get(run.tenant_id, run.run_id).compensated_phases == ["design"]
    (event,) = publisher.events
    assert event.event_type == constants.PHASE_COMPENSATED
    assert (event.phase, event.correlation_id, event.payload) == ("design", "corr-comp", {"undone": True})


def test_compensating_twice_is_a_no_op(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    publisher: RecordingPublisher,
    run_with_design_done: Run,
) -> None:
    run = run_with_design_done
    compensate_phase(phase_task(run, "design"), runs=runs, results=results, publisher=publisher)

    # When the same undo is retried
    outcome = compensate_phase(phase_task(run, "design"), runs=runs, results=results, publisher=publisher)

    # Then the phase is reported compensated and nothing happens twice
    assert outcome == {"phase": "design", "compensated": True}
    assert runs.get(run.tenant_id, run.run_id).compensated_phases == ["design"]
    assert publisher.types == [constants.PHASE_COMPENSATED]


def test_a_compensation_interrupted_after_the_undo_is_completed_by_the_retry(
    runs: InMemoryRunRepository,
    results: InMemoryPhaseResultRepository,
    run_with_design_done: Run,
) -> None:
    # Given the undo removed the output, then the bus failed (throttled) before anything else
    run = run_with_design_done

    publisher = PublisherFailingOnce()
    with pytest.raises(RepositoryError):
        compensate_phase(phase_task(run, "design"), runs=runs, results=results, publisher=publisher)

    # When Step Functions retries the Undo step
    outcome = compensate_phase(phase_task(run, "design"), runs=runs, results=results, publisher=publisher)

    # Then the run records the compensation and the event is published after all
    assert outcome == {"phase": "design", "compensated": True}
    assert runs.get(run.tenant_id, run.run_id).compensated_phases == ["design"]
    assert publisher.types == [constants.PHASE_COMPENSATED]


def test_compensating_a_phase_that_never_succeeded_is_skipped(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    # Given design never ran and review only failed
    run = given_run(runs)
    runner = PhaseRunner(
        runs=runs,
        results=results,
        publisher=RecordingPublisher(),
        provider_factory=lambda _name: ScriptedProvider(["not json"]),
    )
    with pytest.raises(ModelOutputInvalid):
        runner.run(phase_task(run, "review"))

    # When both are undone, Then neither is reported compensated
    for phase in ("design", "review"):
        outcome = compensate_phase(phase_task(run, phase), runs=runs, results=results, publisher=publisher)
        assert outcome == {"phase": phase, "compensated": False}
    failed = results.get(run.tenant_id, run.run_id, "review")
    assert failed is not None
    assert failed.status is PhaseStatus.FAILED
    assert runs.get(run.tenant_id, run.run_id).compensated_phases == []
    assert publisher.events == []


def test_compensated_phases_are_listed_in_undo_order(
    runs: InMemoryRunRepository, results: InMemoryPhaseResultRepository, publisher: RecordingPublisher
) -> None:
    run = given_run(runs)
    runner = PhaseRunner(
        runs=runs,
        results=results,
        publisher=RecordingPublisher(),
        provider_factory=lambda _name: ScriptedProvider([phase_answer()]),
    )
    for phase in ("ideation", "research", "design"):
        runner.run(phase_task(run, phase))

    for phase in ("design", "research", "ideation"):
        compensate_phase(phase_task(run, phase), runs=runs, results=results, publisher=publisher)

    assert runs.get(run.tenant_id, run.run_id).compensated_phases == ["design", "research", "ideation"]


# --- audit -------------------------------------------------------------------------------------
def test_audit_stores_a_redelivered_event_once(events: InMemoryEventRepository) -> None:
    # Given an event on the bus
    event = EventEnvelope(
        event_type=constants.PHASE_COMPLETED, correlation_id="c", tenant_id="acme", run_id="r1"
    )

    # When it is delivered twice
    first = write_audit_event(event, events=events)
    second = write_audit_event(event.model_copy(), events=events)

    # Then it is stored once
    assert (first, second) == (True, False)
    stored, _ = events.list_for_run("acme", "r1", 10, None)
    assert [e.event_id for e in stored] == [event.event_id]


@pytest.mark.parametrize("status", [RunStatus.PENDING, RunStatus.FAILED_TO_START])
def test_a_state_machine_cannot_set_statuses_it_does_not_own(
    runs: InMemoryRunRepository, publisher: RecordingPublisher, status: RunStatus
) -> None:
    # Given a running run
    run = given_run(runs)
    record_status(status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher)
    published = len(publisher.events)

    # When a task asks for a status only the API sets, Then it is refused before anything is written
    with pytest.raises(InvalidRequest, match=status.value):
        record_status(status_task(run, status), runs=runs, publisher=publisher)
    assert runs.get(run.tenant_id, run.run_id).status is RunStatus.RUNNING
    assert len(publisher.events) == published


def ended(run: Run, status: str = "TIMED_OUT", **extra: object) -> EndedExecution:
    return EndedExecution.model_validate(
        {
            "tenant_id": run.tenant_id,
            "run_id": run.run_id,
            "correlation_id": run.correlation_id,
            "template": run.template,
            "status": status,
        }
        | extra
    )


def test_an_execution_that_timed_out_marks_its_running_run(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    # Given a run its state machine left RUNNING (the execution timed out)
    run = given_run(runs, correlation_id="corr-t")
    record_status(status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher)

    # When the execution's end is reported
    updated = reconcile_ended_execution(ended(run), runs=runs, publisher=publisher)

    # Then the run needs attention: it is final, says why, and the bus is told
    assert updated is not None and updated.status is RunStatus.COMPENSATION_FAILED
    stored = runs.get(run.tenant_id, run.run_id)
    assert stored.finished_at is not None
    assert stored.compensation_error is not None
    assert stored.compensation_error["name"] == "ExecutionTimedOut"
    assert "ended TIMED_OUT while the run was RUNNING" in stored.compensation_error["message"]
    last = publisher.events[-1]
    assert last.event_type == constants.COMPENSATION_FAILED and last.correlation_id == "corr-t"


def test_an_execution_that_recorded_its_outcome_is_left_alone(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    # Given a run its state machine already marked COMPENSATED (and then failed, by design)
    run = given_run(runs)
    record_status(status_task(run, RunStatus.COMPENSATED), runs=runs, publisher=publisher)
    published = len(publisher.events)

    # When the execution's FAILED end is reported, Then nothing changes
    assert (
        reconcile_ended_execution(
            ended(run, "FAILED", error="RunCompensated"), runs=runs, publisher=publisher
        )
        is None
    )
    assert runs.get(run.tenant_id, run.run_id).status is RunStatus.COMPENSATED
    assert len(publisher.events) == published


def test_a_step_still_in_flight_cannot_revive_a_run_marked_after_its_execution_ended(
    runs: InMemoryRunRepository, publisher: RecordingPublisher
) -> None:
    # Given an operator stopped the execution and the run was marked COMPENSATION_FAILED
    run = given_run(runs)
    record_status(status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=publisher)
    reconcile_ended_execution(ended(run, "ABORTED"), runs=runs, publisher=publisher)
    published = len(publisher.events)

    # When a "Record failure" step that was already running finishes afterwards
    result = record_status(
        status_task(run, RunStatus.COMPENSATING, failed_phase="design"), runs=runs, publisher=publisher
    )

    # Then the run stays final and nothing is announced
    assert result.status is RunStatus.COMPENSATION_FAILED
    assert runs.get(run.tenant_id, run.run_id).status is RunStatus.COMPENSATION_FAILED
    assert len(publisher.events) == published


def test_marking_an_ended_execution_is_safe_to_retry(runs: InMemoryRunRepository) -> None:
    run = given_run(runs)

    publisher = PublisherFailingOnce()
    record_status(
        status_task(run, RunStatus.RUNNING, execution_arn=ARN), runs=runs, publisher=RecordingPublisher()
    )
    with pytest.raises(RepositoryError):
        reconcile_ended_execution(ended(run, "TIMED_OUT"), runs=runs, publisher=publisher)
    assert runs.get(run.tenant_id, run.run_id).status is RunStatus.RUNNING  # nothing half-done

    # When Lambda retries, Then the operator is alerted and the run marked
    assert reconcile_ended_execution(ended(run, "TIMED_OUT"), runs=runs, publisher=publisher) is not None
    assert publisher.types == [constants.COMPENSATION_FAILED]
    assert runs.get(run.tenant_id, run.run_id).status is RunStatus.COMPENSATION_FAILED
