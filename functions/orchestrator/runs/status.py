"""A run's lifecycle inside its state machine: status transitions and compensation (saga)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from orchestrator.core import constants
from orchestrator.core.errors import (
    ApprovalRejected,
    ConflictError,
    InvalidRequest,
    RunCancelled,
    RunRejected,
)
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import EventPublisher, EventRepository, RunRepository, StepResultRepository
from orchestrator.core.records import (
    EndedExecution,
    EventEnvelope,
    Run,
    RunStatus,
    RunStatusTaskInput,
    StepStatus,
    utc_now,
)
from orchestrator.templates.graph import get_template

if TYPE_CHECKING:
    from orchestrator.runs.aws_costs import RunAccounting
    from orchestrator.tenancy.plans import TenantDirectory

_EVENT_FOR_STATUS = {
    RunStatus.RUNNING: constants.ORCHESTRATION_STARTED,
    RunStatus.SUCCEEDED: constants.ORCHESTRATION_COMPLETED,
    RunStatus.COMPENSATING: constants.ERROR_OCCURRED,
    RunStatus.COMPENSATED: constants.ORCHESTRATION_COMPENSATED,
    RunStatus.COMPENSATION_FAILED: constants.COMPENSATION_FAILED,
    RunStatus.REJECTED: constants.ORCHESTRATION_REJECTED,
    RunStatus.CANCELLED: constants.ORCHESTRATION_CANCELLED,
}
_REQUESTABLE = (
    RunStatus.RUNNING,
    RunStatus.SUCCEEDED,
    RunStatus.COMPENSATING,
    RunStatus.COMPENSATED,
    RunStatus.COMPENSATION_FAILED,
)

_END_FOR_ERROR = {
    RunRejected.__name__: RunStatus.REJECTED,
    ApprovalRejected.__name__: RunStatus.REJECTED,
    RunCancelled.__name__: RunStatus.CANCELLED,
}
"""After compensation, why the run failed says how it ends; anything else ends COMPENSATED."""


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


def record_status(
    task: RunStatusTaskInput,
    *,
    runs: RunRepository,
    publisher: EventPublisher,
    results: StepResultRepository | None = None,
    tenants: TenantDirectory | None = None,
    accounting: RunAccounting | None = None,
) -> Run:
    """Move a run to ``task.status`` and publish the matching lifecycle event.

    ``accounting``: this task's AWS requests join the run's record (the same write), and a run
    that ends adds what its AWS requests cost to its tenant's month.

    ``COMPENSATED`` asks for the end of compensation: the run ends ``REJECTED`` (an agent or a
    person refused it), ``CANCELLED`` (someone cancelled it) or ``COMPENSATED`` (it failed),
    according to the error that started compensation. Starting or finishing a run whose
    cancel was requested raises ``RunCancelled``, so that the state machine undoes it.
    """
    if task.status not in _REQUESTABLE:
        allowed = ", ".join(status.value for status in _REQUESTABLE)
        raise InvalidRequest(f"a state machine cannot set status {task.status.value}; allowed: {allowed}")
    current = runs.get(task.tenant_id, task.run_id, consistent=True)
    if task.status in (RunStatus.RUNNING, RunStatus.SUCCEEDED) and current.cancel_requested_at is not None:
        raise RunCancelled(f"run {task.run_id} was cancelled by {current.cancel_requested_by or 'someone'}")
    status = task.status
    if status is RunStatus.COMPENSATED and current.error:
        status = _END_FOR_ERROR.get(current.error.get("name", ""), RunStatus.COMPENSATED)
    failed_step = task.failed_step
    now = utc_now()
    fields: dict[str, Any] = {"updated_at": now.isoformat()}
    error = describe_error(task.error)
    if status is RunStatus.RUNNING:
        fields |= {"started_at": now.isoformat(), "execution_arn": task.execution_arn}
    if status.is_final:
        fields["finished_at"] = now.isoformat()
    if status is RunStatus.COMPENSATING:
        failed_step = _failed_step(task, results) or failed_step
        fields |= {"failed_step": failed_step, "error": error, "awaiting": None}
    if status is RunStatus.COMPENSATION_FAILED:
        fields["compensation_error"] = error
    # A run that reached another final status (an operator stopped it, it timed out) stays there:
    # a step still in flight when that happened must not revive it.
    allowed_from = [s for s in RunStatus if not s.is_final or s is status]
    try:
        run = _update_counted(current, status, fields, allowed_from, runs, results, accounting)
    except ConflictError:  # it ended another way before
        if tenants is not None:
            tenants.release_run_slot(task.tenant_id, task.run_id)
        return runs.get(task.tenant_id, task.run_id)
    if status.is_final and tenants is not None:  # given back once, however often this is retried
        tenants.release_run_slot(task.tenant_id, task.run_id)
    payload: dict[str, Any] = {"status": status.value, "template": run.template}
    if error:
        payload["error"] = error
    if run.error and status.is_final and status is not RunStatus.SUCCEEDED:
        payload["cause"] = run.error
    if failed_step:
        payload["failed_step"] = failed_step
    if status is RunStatus.RUNNING:
        payload["execution_arn"] = task.execution_arn
    publisher.publish(
        new_envelope(
            _EVENT_FOR_STATUS[status],
            task,
            phase=failed_step,
            payload=payload,
        )
    )
    return run


def _update_counted(
    current: Run,
    status: RunStatus,
    fields: dict[str, Any],
    allowed_from: list[RunStatus],
    runs: RunRepository,
    results: StepResultRepository | None,
    accounting: RunAccounting | None,
) -> Run:
    """The run's update, carrying this task's AWS requests (``accounting``); a run that ends adds
    what its AWS requests cost to its tenant's month."""
    tenant_id, run_id = current.tenant_id, current.run_id
    if accounting is None:
        return runs.update_status(tenant_id, run_id, status, allowed_from=allowed_from, **fields)
    ended = results.list_for_run(tenant_id, run_id) if results is not None and status.is_final else []
    counted = accounting.status_task(current, final=status.is_final)
    if counted is not None:
        fields = fields | {"aws_usage": counted.model_dump(mode="json")}
    run = runs.update_status(tenant_id, run_id, status, allowed_from=allowed_from, **fields)
    if status.is_final:
        accounting.run_ended(run, ended)
    return run


def _failed_step(task: RunStatusTaskInput, results: StepResultRepository | None) -> str | None:
    """The step (or map item) that failed: the newest failed or rejected result under the
    top-level step the state machine names (a parallel or map fails as a whole).

    When none is recorded, the function could not record its end (it timed out or crashed): its
    step, still RUNNING, is ended FAILED with the state machine's error (a conditional write: a
    function that does record its end later keeps its own)."""
    if results is None or not task.failed_step:
        return None
    try:
        template = get_template(task.template)
        inside = {p.step.name for p in template.placements() if p.top.name == task.failed_step}
    except (KeyError, InvalidRequest):
        return None
    under = [r for r in results.list_for_run(task.tenant_id, task.run_id) if r.step in inside]
    failed = [r for r in under if r.status in (StepStatus.FAILED, StepStatus.REJECTED)]
    if not failed:
        error = describe_error(task.error) or {"name": "Unknown", "message": ""}
        interrupted = [r for r in under if r.status is StepStatus.RUNNING]
        for result in interrupted:
            ended = result.model_copy(
                update={
                    "status": StepStatus.FAILED,
                    "completed_at": utc_now(),
                    "last_error": error,
                    "errors": [*result.errors, f"{error['name']}: {error['message']}"[:2000]],
                }
            )
            if results.end_attempt(ended):
                failed.append(ended)
    if not failed:
        return None
    return max(failed, key=lambda r: r.completed_at or r.started_at).key


def reconcile_ended_execution(
    ended: EndedExecution,
    *,
    runs: RunRepository,
    publisher: EventPublisher,
    tenants: TenantDirectory | None = None,
) -> Run | None:
    """A run's execution ended: its slot is given back. One that ended FAILED, TIMED_OUT or ABORTED:
    make sure the run says so.

    Normally the state machine records the outcome itself and this is a no-op. When it could
    not (an execution timed out or was stopped by an operator, or recording failed for good),
    the run would stay RUNNING for ever; it is marked COMPENSATION_FAILED instead, since its
    completed phases may not have been undone, and an operator is told through the bus.
    """
    if tenants is not None:  # however the run ends, its execution has: its slot is free
        tenants.release_run_slot(ended.tenant_id, ended.run_id)
    if ended.status == "SUCCEEDED":  # it recorded its outcome before its last state
        return None
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
        new_envelope(
            constants.COMPENSATION_FAILED,
            ended,
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


def write_audit_events(batch: list[EventEnvelope], *, events: EventRepository) -> None:
    """Store bus events in the audit table (a redelivered event is stored once)."""
    events.append_all(batch)
