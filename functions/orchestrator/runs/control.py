"""People steering a run: approval gates (open, decide) and cancel.

A gate's task token is stored with the gate's step result and never leaves the backend:
the API resolves the caller's decision to the token itself.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from orchestrator.core import constants
from orchestrator.core.errors import (
    AlreadyClaimed,
    ApprovalRejected,
    ForbiddenAction,
    InvalidRequest,
    RunCancelled,
    RunNotActive,
)
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import EventPublisher, RunRepository, StepResultRepository, TaskTokens
from orchestrator.core.records import (
    ApprovalTaskInput,
    PendingApproval,
    RequestModel,
    ResultMetadata,
    Run,
    RunStatus,
    StepResult,
    StepStatus,
    utc_now,
)
from orchestrator.runs.gate_deadlines import decision_honoured_later, gate_step
from orchestrator.runs.guards import ensure_moving_forward
from orchestrator.runs.queue import cancel_queued

if TYPE_CHECKING:
    from orchestrator.tenancy.plans import TenantDirectory

ACTIVE = [RunStatus.QUEUED, RunStatus.PENDING, RunStatus.RUNNING, RunStatus.AWAITING_APPROVAL]


class ApprovalDecision(RequestModel):
    """Body of ``POST /runs/{run_id}/approval``."""

    decision: Literal["approve", "reject"]
    comment: str = Field(default="", max_length=1000)


def open_gate(
    task: ApprovalTaskInput, *, runs: RunRepository, results: StepResultRepository, publisher: EventPublisher
) -> dict[str, Any]:
    """The state machine reached a gate: keep its token, show the run as waiting, tell the bus."""
    run = runs.get(task.tenant_id, task.run_id, consistent=True)
    if _reopened(run, task, results):
        return {"step": task.step, "status": StepStatus.WAITING.value}
    ensure_moving_forward(run)
    step = gate_step(run, task.step)
    if task.task_token is None:
        raise InvalidRequest(f"opening the gate {task.step!r} needs a task token")
    now = utc_now()
    results.open_gate(
        StepResult(
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            step=step.name,
            status=StepStatus.WAITING,
            summary=step.question,
            started_at=now,
            completed_at=now,
            sequence=runs.next_sequence(run.tenant_id, run.run_id),
            metadata=ResultMetadata(
                agent="approval", attempts=1, provider="person", model="", prompt_version=""
            ),
        ),
        task.task_token,
    )
    deadlines = step.deadlines_for(run.options.approval_timeout_seconds)
    awaiting = PendingApproval(
        step=step.name,
        title=step.label,
        roles=list(step.roles),
        requested_at=now,
        timeout_at=now + timedelta(seconds=deadlines.window),
        question=step.question,
        on_deadline=step.on_deadline,
        remind_at=None if deadlines.remind_after is None else now + timedelta(seconds=deadlines.remind_after),
    )
    run = runs.update_status(
        run.tenant_id,
        run.run_id,
        RunStatus.AWAITING_APPROVAL,
        allowed_from=[RunStatus.RUNNING],
        awaiting=awaiting.model_dump(mode="json"),
        updated_at=now.isoformat(),
    )
    if run.cancel_requested_at is not None:  # a cancel arrived while the gate opened
        raise RunCancelled(f"run {run.run_id} was cancelled by {run.cancel_requested_by or 'someone'}")
    publisher.publish(
        new_envelope(
            constants.APPROVAL_REQUESTED,
            task,  # the run was read by the task's ids
            phase=step.name,
            payload=awaiting.model_dump(mode="json"),
        )
    )
    return {"step": step.name, "status": StepStatus.WAITING.value}


def _reopened(run: Run, task: ApprovalTaskInput, results: StepResultRepository) -> bool:
    """The gate the run already waits at opens again (its execution resumed after a restart of the
    local cloud, or the call was retried): the run keeps waiting, the new task token is the one
    the decision answers, and nothing is announced twice."""
    if (
        run.status is not RunStatus.AWAITING_APPROVAL
        or run.awaiting is None
        or run.awaiting.step != task.step
    ):
        return False
    if run.cancel_requested_at is not None or task.task_token is None:
        return False
    return results.rearm_gate(run.tenant_id, run.run_id, task.step, task.task_token)


def decide(
    tenant_id: str,
    run_id: str,
    decision: ApprovalDecision,
    *,
    caller_subject: str,
    caller_role: str,
    runs: RunRepository,
    results: StepResultRepository,
    tokens: TaskTokens,
    publisher: EventPublisher,
) -> Run:
    run = runs.get(tenant_id, run_id, consistent=True)
    if run.status is not RunStatus.AWAITING_APPROVAL or run.awaiting is None:
        raise RunNotActive(f"run {run_id} is {run.status.value}, not waiting for approval")
    gate = run.awaiting
    if caller_role not in gate.roles:
        since = f", escalated at {gate.escalated_at.isoformat()}" if gate.escalated_at else ""
        raise ForbiddenAction(
            f"role {caller_role!r} may not decide at {gate.title!r} (allowed: {gate.roles}{since})"
        )
    token = results.gate_token(tenant_id, run_id, gate.step)
    if token is None:
        raise RunNotActive(f"run {run_id} is not waiting at {gate.step!r} any more")
    approved = decision.decision == "approve"
    record = {
        "decision": decision.decision,
        "comment": decision.comment,
        "decided_by": caller_subject,
        "role": caller_role,
        "decided_at": utc_now().isoformat(),
    }
    status = StepStatus.APPROVED if approved else StepStatus.REJECTED
    if not results.decide_gate(tenant_id, run_id, gate.step, status, record):
        raise RunNotActive(f"the gate {gate.step!r} of run {run_id} was decided already")
    if approved:
        run = runs.update_status(
            tenant_id, run_id, RunStatus.RUNNING, allowed_from=[RunStatus.AWAITING_APPROVAL], awaiting=None
        )
    cause = f"{caller_subject} rejected at {gate.title}: {decision.comment or 'no comment'}"
    _answer_gate(tenant_id, run_id, gate, token, approved, cause, results=results, tokens=tokens)
    _user_action(publisher, run, caller_subject, "approval", record | {"step": gate.step})
    return run


def _answer_gate(
    tenant_id: str,
    run_id: str,
    gate: PendingApproval,
    token: str,
    approved: bool,
    cause: str,
    *,
    results: StepResultRepository,
    tokens: TaskTokens,
) -> None:
    """Resume the execution with the recorded decision. The token read may have expired as the
    decision was recorded (a deadline passed): then the gate's current token is answered if it
    was re-armed meanwhile, or the gate's next turn honours the decision; only a last wait that
    ends in undoing the run refuses it (``RunNotActive``, 409)."""
    for attempt in range(2):
        try:
            if approved:
                tokens.succeed(token, {"step": gate.step, "decision": "approve"})
            else:
                tokens.fail(token, ApprovalRejected.__name__, cause)
            return
        except RunNotActive:
            current = results.gate_token(tenant_id, run_id, gate.step)
            if attempt == 0 and current is not None and current != token:
                token = current  # re-armed between reading the token and recording the decision
                continue
            if decision_honoured_later(gate):
                return
            raise


def cancel(
    tenant_id: str,
    run_id: str,
    *,
    caller_subject: str,
    runs: RunRepository,
    results: StepResultRepository,
    tokens: TaskTokens,
    publisher: EventPublisher,
    tenants: TenantDirectory | None = None,
    audit: dict[str, Any] | None = None,
    first_only: bool = False,
) -> Run:
    """Ask a run to stop: its next step (or its open gate, at once) fails with ``RunCancelled``,
    the state machine undoes what it did, and it ends ``CANCELLED``. A run waiting in its tenant's
    queue (``tenants``) leaves it and ends ``CANCELLED`` at once, never started. ``audit``: more
    details for its ``USER_ACTION`` event (the bulk operation it is part of). ``first_only``:
    ``AlreadyClaimed`` if another caller asked first (else that request is answered again)."""
    run = runs.get(tenant_id, run_id, consistent=True)
    if not run.status.is_active:
        raise RunNotActive(f"run {run_id} is {run.status.value}: there is nothing to cancel")
    if run.status is RunStatus.QUEUED and tenants is not None:
        cancelled = cancel_queued(run, caller_subject, tenants=tenants, runs=runs, publisher=publisher)
        if cancelled is not None:
            _user_action(publisher, cancelled, caller_subject, "cancel", audit or {})
            return cancelled
        # promoted meanwhile: its start sees the cancel (below) and ends it without running it
    if run.cancel_requested_at is None:  # one conditional write: of cancels at once, one asks it
        claimed = runs.claim(
            tenant_id,
            run_id,
            "cancel_requested_at",
            allowed_from=ACTIVE,
            cancel_requested_at=utc_now().isoformat(),
            cancel_requested_by=caller_subject,
        )
        run = claimed or runs.get(tenant_id, run_id, consistent=True)
        if claimed is None and first_only:
            raise AlreadyClaimed(f"{run.cancel_requested_by} asked to cancel it at {run.cancel_requested_at}")
    elif first_only:
        raise AlreadyClaimed(f"{run.cancel_requested_by} asked to cancel it at {run.cancel_requested_at}")
    if run.status is RunStatus.AWAITING_APPROVAL and run.awaiting is not None:
        token = results.gate_token(tenant_id, run_id, run.awaiting.step)
        if token is not None:
            # if the gate closed meanwhile, the next step sees the cancel
            with contextlib.suppress(RunNotActive):
                tokens.fail(token, RunCancelled.__name__, f"{caller_subject} cancelled the run")
    _user_action(publisher, run, caller_subject, "cancel", audit or {})
    return run


def _user_action(
    publisher: EventPublisher, run: Run, subject: str, action: str, details: dict[str, Any]
) -> None:
    publisher.publish(
        new_envelope(
            constants.USER_ACTION,
            run,
            phase=details.get("step"),
            payload={"action": action, "caller": subject, "outcome": "accepted"} | details,
        )
    )
