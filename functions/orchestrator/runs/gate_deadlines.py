"""An approval gate's deadline: the reminder, the escalation and the default decision.

The state machine waits at a gate in turns (``infra/cdk/constructs/approval_gates.py``): when a
wait times out, the next turn's task either re-arms the gate with a new task token (``rearm``:
a reminder, or an escalation to other roles) or decides it (``decide_by_default``). The new
token replaces the old one in the gate's record, so the API always answers the current one.

A person's decision can cross a deadline: the decision is recorded while the token the API read
expires. The next turn then finds the gate decided and honours that decision instead of waiting
or deciding again (it answers its own token); ``decision_honoured_later`` tells the API when
that will happen.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from orchestrator.core import constants
from orchestrator.core.errors import ApprovalRejected, ConflictError, InvalidRequest, RunCancelled
from orchestrator.core.events import new_envelope
from orchestrator.core.ports import EventPublisher, RunRepository, StepResultRepository, TaskTokens
from orchestrator.core.records import (
    ApprovalTaskInput,
    PendingApproval,
    Run,
    RunStatus,
    StepStatus,
    utc_now,
)
from orchestrator.templates.graph import ApprovalStep, get_template

DEADLINE = "deadline"  # who decided, when the gate took its default decision


def gate_step(run: Run, step: str) -> ApprovalStep:
    gate = get_template(run.template).placement(step).step
    if not isinstance(gate, ApprovalStep):
        raise InvalidRequest(f"step {step} is not an approval gate")
    return gate


def rearm(
    task: ApprovalTaskInput,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    publisher: EventPublisher,
    tokens: TaskTokens,
) -> dict[str, Any]:
    """A wait at the gate timed out: wait again with ``task``'s token, reminded or escalated."""
    run = runs.get(task.tenant_id, task.run_id, consistent=True)
    gate = gate_step(run, task.step)
    assert task.task_token is not None  # the model requires it for re-arming
    if not results.rearm_gate(task.tenant_id, task.run_id, gate.name, task.task_token):
        return _honour_decision(task, task.task_token, results=results, tokens=tokens)
    if run.cancel_requested_at is not None:  # a cancel met the expired token: it ends here
        raise RunCancelled(f"run {run.run_id} was cancelled by {run.cancel_requested_by or 'someone'}")
    if run.awaiting is None:
        raise InvalidRequest(f"run {run.run_id} has no open gate at {gate.name!r}")
    now = utc_now()
    if task.action == "remind":
        awaiting = run.awaiting.model_copy(update={"reminded_at": now})
        event = constants.APPROVAL_REMINDER
    else:
        window = gate.deadlines_for(run.options.approval_timeout_seconds).escalation or 1
        awaiting = run.awaiting.model_copy(
            update={
                "roles": list(gate.escalate_to_roles or ()),
                "timeout_at": now + timedelta(seconds=window),
                "on_deadline": "undo",
                "escalated_at": now,
            }
        )
        event = constants.APPROVAL_ESCALATED
    _show(runs, run, awaiting)
    payload = awaiting.model_dump(mode="json")
    if task.action == "escalate":
        payload["escalated_from_roles"] = list(gate.roles)
    publisher.publish(new_envelope(event, task, phase=gate.name, payload=payload))
    return {"step": gate.name, "status": StepStatus.WAITING.value, "action": task.action}


def decide_by_default(
    task: ApprovalTaskInput,
    *,
    runs: RunRepository,
    results: StepResultRepository,
    publisher: EventPublisher,
) -> dict[str, Any]:
    """Nobody decided by the deadline: the gate's default decision. ``approve``: the run goes on;
    ``reject``: ``ApprovalRejected`` (the run is undone and ends ``REJECTED``). A decision a
    person recorded as the deadline passed wins over the default."""
    run = runs.get(task.tenant_id, task.run_id, consistent=True)
    gate = gate_step(run, task.step)
    if gate.on_deadline not in ("approve", "reject"):
        raise InvalidRequest(
            f"the gate {gate.name!r} has no default decision: on_deadline is {gate.on_deadline!r}"
        )
    now = utc_now()
    record = {
        "decision": gate.on_deadline,
        "comment": f"nobody decided by the deadline: the gate's default is {gate.on_deadline}",
        "decided_by": DEADLINE,
        "role": None,
        "decided_at": now.isoformat(),
    }
    status = StepStatus.APPROVED if gate.on_deadline == "approve" else StepStatus.REJECTED
    if run.cancel_requested_at is not None:
        raise RunCancelled(f"run {run.run_id} was cancelled by {run.cancel_requested_by or 'someone'}")
    if not results.decide_gate(task.tenant_id, task.run_id, gate.name, status, record):
        earlier = results.get(task.tenant_id, task.run_id, gate.name)
        if earlier is None or (earlier.decision or {}).get("decided_by") != DEADLINE:
            return _person_decided(task, results)
        # a retry of this task: the default was recorded, what follows it is done again
    payload = {"step": gate.name, "title": gate.label, "deadline": _deadline(run)} | record
    publisher.publish(new_envelope(constants.APPROVAL_DEFAULTED, task, phase=gate.name, payload=payload))
    if status is StepStatus.REJECTED:
        raise ApprovalRejected(
            f"nobody decided at {gate.label} by the deadline: the gate's default is to reject"
        )
    waiting = [RunStatus.AWAITING_APPROVAL, RunStatus.RUNNING]  # RUNNING: a retry
    runs.update_status(run.tenant_id, run.run_id, RunStatus.RUNNING, allowed_from=waiting, awaiting=None)
    return {"step": gate.name, "status": status.value, "decided_by": DEADLINE}


def decision_honoured_later(gate: PendingApproval) -> bool:
    """Whether a decision recorded as the gate's current wait timed out is still honoured: the
    next turn (reminder, escalation, default decision) finds it. Only the last wait of an
    ``undo`` deadline has no next turn."""
    if gate.escalated_at is not None:  # the escalation's wait is the last one
        return False
    reminder_pending = gate.remind_at is not None and gate.reminded_at is None
    return reminder_pending or gate.on_deadline != "undo"


def _honour_decision(
    task: ApprovalTaskInput, token: str, *, results: StepResultRepository, tokens: TaskTokens
) -> dict[str, Any]:
    """The gate was decided as its wait timed out: answer this turn's token with that decision."""
    try:
        answer = _person_decided(task, results)
    except ApprovalRejected as rejected:
        tokens.fail(token, ApprovalRejected.__name__, str(rejected))
        return {"step": task.step, "status": StepStatus.REJECTED.value}
    tokens.succeed(token, {"step": task.step, "decision": "approve"})
    return answer


def _person_decided(task: ApprovalTaskInput, results: StepResultRepository) -> dict[str, Any]:
    """The decision recorded at the gate: approved (what to answer), or ``ApprovalRejected``."""
    result = results.get(task.tenant_id, task.run_id, task.step)
    if result is None or result.status not in (StepStatus.APPROVED, StepStatus.REJECTED):
        raise InvalidRequest(f"the gate {task.step!r} is neither waiting nor decided")
    decision = result.decision or {}
    if result.status is StepStatus.REJECTED:
        who, comment = decision.get("decided_by", "someone"), decision.get("comment") or "no comment"
        raise ApprovalRejected(f"{who} rejected at {task.step}: {comment}")
    return {"step": task.step, "status": result.status.value, "decided_by": decision.get("decided_by")}


def _show(runs: RunRepository, run: Run, awaiting: PendingApproval) -> None:
    """The run shows the gate's current deadline and who may decide."""
    try:
        runs.update_fields(
            run.tenant_id,
            run.run_id,
            allowed_from=[RunStatus.AWAITING_APPROVAL],
            awaiting=awaiting.model_dump(mode="json"),
            updated_at=utc_now().isoformat(),
        )
    except ConflictError:  # it stopped waiting meanwhile (a cancel): the next turn sees why
        return


def _deadline(run: Run) -> str | None:
    return run.awaiting.timeout_at.isoformat() if run.awaiting is not None else None
