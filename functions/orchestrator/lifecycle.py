"""A run's lifecycle inside its state machine: status transitions and compensation (saga)."""

from __future__ import annotations

import json
from typing import Any

from orchestrator import constants
from orchestrator.errors import ConflictError, InvalidRequest
from orchestrator.events import EventPublisher
from orchestrator.models import (
    EndedExecution,
    EventEnvelope,
    PhaseStatus,
    PhaseTaskInput,
    Run,
    RunStatus,
    RunStatusTaskInput,
    utc_now,
)
from orchestrator.repositories import EventRepository, PhaseResultRepository, RunRepository

_EVENT_FOR_STATUS = {
    RunStatus.RUNNING: constants.ORCHESTRATION_STARTED,
    RunStatus.SUCCEEDED: constants.ORCHESTRATION_COMPLETED,
    RunStatus.COMPENSATING: constants.ERROR_OCCURRED,
    RunStatus.COMPENSATED: constants.ORCHESTRATION_COMPENSATED,
    RunStatus.COMPENSATION_FAILED: constants.COMPENSATION_FAILED,
}


def describe_error(error: dict[str, Any] | None) -> dict[str, str] | None:
    """A Step Functions Catch result ``{Error, Cause}`` as ``{name, message}``.

    The cause of a Lambda task failure is the function's error payload (JSON with
    ``errorMessage``); other causes are kept as they are.
    """
    if not error:
        return None
    name = str(error.get("Error", "Unknown"))
    cause = error.get("Cause", "")
    message = str(cause)
    if isinstance(cause, str) and cause.startswith("{"):
        try:
            message = str(json.loads(cause).get("errorMessage", cause))
        except (json.JSONDecodeError, AttributeError):
            message = cause
    return {"name": name, "message": message[:1000]}


def record_status(task: RunStatusTaskInput, *, runs: RunRepository, publisher: EventPublisher) -> Run:
    """Move a run to ``task.status`` and publish the matching lifecycle event."""
    if task.status not in _EVENT_FOR_STATUS:
        allowed = ", ".join(status.value for status in _EVENT_FOR_STATUS)
        raise InvalidRequest(f"a state machine cannot set status {task.status.value}; allowed: {allowed}")
    failed_phase = task.failed_phase
    now = utc_now()
    fields: dict[str, Any] = {"updated_at": now.isoformat()}
    error = describe_error(task.error)
    if task.status is RunStatus.RUNNING:
        fields |= {"started_at": now.isoformat(), "execution_arn": task.execution_arn}
    if task.status.is_final:
        fields["finished_at"] = now.isoformat()
    if task.status is RunStatus.COMPENSATING:
        fields |= {"failed_phase": failed_phase, "error": error}
    if task.status is RunStatus.COMPENSATION_FAILED:
        fields["compensation_error"] = error
    # A run that reached another final status (an operator stopped it, it timed out) stays there:
    # a step still in flight when that happened must not revive it.
    allowed_from = [status for status in RunStatus if not status.is_final or status is task.status]
    try:
        run = runs.update_status(
            task.tenant_id, task.run_id, task.status, allowed_from=allowed_from, **fields
        )
    except ConflictError:
        return runs.get(task.tenant_id, task.run_id)
    payload: dict[str, Any] = {"status": task.status.value, "template": run.template}
    if error:
        payload["error"] = error
    if failed_phase:
        payload["failed_phase"] = failed_phase
    if task.status is RunStatus.RUNNING:
        payload["execution_arn"] = task.execution_arn
    publisher.publish(
        EventEnvelope(
            event_type=_EVENT_FOR_STATUS[task.status],
            correlation_id=task.correlation_id,
            tenant_id=task.tenant_id,
            run_id=task.run_id,
            phase=failed_phase,
            payload=payload,
        )
    )
    return run


def compensate_phase(
    task: PhaseTaskInput,
    *,
    runs: RunRepository,
    results: PhaseResultRepository,
    publisher: EventPublisher,
) -> dict[str, Any]:
    """Undo one completed phase: its output is removed and the run records the compensation.

    Safe to retry at any point: removing the output happens once (conditional update); the
    event and the run's record follow as long as the run does not list the phase yet (an
    interrupted attempt may publish the event twice; the audit keeps both, with their ids).
    A phase that never succeeded has nothing to undo and is reported as skipped.
    """
    undone_now = results.mark_compensated(task.tenant_id, task.run_id, task.phase, utc_now())
    if not undone_now:
        result = results.get(task.tenant_id, task.run_id, task.phase)
        if result is None or result.status is not PhaseStatus.COMPENSATED:
            return {"phase": task.phase, "compensated": False}
    run = runs.get(task.tenant_id, task.run_id)
    if task.phase not in run.compensated_phases:
        publisher.publish(
            EventEnvelope(
                event_type=constants.PHASE_COMPENSATED,
                correlation_id=task.correlation_id,
                tenant_id=task.tenant_id,
                run_id=task.run_id,
                phase=task.phase,
                payload={"undone": True},
            )
        )
        runs.add_compensated_phase(task.tenant_id, task.run_id, task.phase)
    return {"phase": task.phase, "compensated": True}


def reconcile_ended_execution(
    ended: EndedExecution, *, runs: RunRepository, publisher: EventPublisher
) -> Run | None:
    """A run's execution ended FAILED, TIMED_OUT or ABORTED: make sure the run says so.

    Normally the state machine records the outcome itself and this is a no-op. When it could
    not (an execution timed out or was stopped by an operator, or recording failed for good),
    the run would stay RUNNING for ever; it is marked COMPENSATION_FAILED instead, since its
    completed phases may not have been undone, and an operator is told through the bus.
    """
    run = runs.get(ended.tenant_id, ended.run_id)
    if run.status.is_final:
        return None
    error = {
        "name": f"Execution{ended.status.title().replace('_', '')}",
        "message": (
            f"the execution ended {ended.status} while the run was {run.status.value}; "
            f"completed phases may not have been undone"
            + (f" ({ended.error}: {ended.cause})" if ended.error else "")
        )[:1000],
    }
    # the alert goes out first: a retry after a failed publish still finds the run not final
    publisher.publish(
        EventEnvelope(
            event_type=constants.COMPENSATION_FAILED,
            correlation_id=ended.correlation_id,
            tenant_id=ended.tenant_id,
            run_id=ended.run_id,
            payload={
                "status": RunStatus.COMPENSATION_FAILED.value,
                "error": error,
                "execution_status": ended.status,
            },
        )
    )
    now = utc_now().isoformat()
    try:
        return runs.update_status(
            ended.tenant_id,
            ended.run_id,
            RunStatus.COMPENSATION_FAILED,
            allowed_from=[run.status],  # only if nothing moved it since it was read
            compensation_error=error,
            finished_at=now,
            updated_at=now,
        )
    except ConflictError:
        return None


def write_audit_event(event: EventEnvelope, *, events: EventRepository) -> bool:
    """Store one bus event in the audit table (a redelivered event is stored once)."""
    return events.append(event)
