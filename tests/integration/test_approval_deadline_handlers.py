"""The ApprovalGate function's turns at a gate with a deadline, in-process against moto: opened,
reminded and escalated with a new token each (the stored token is always the current one), then
decided by the escalation role; at another gate, the default decision taken alone."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core.errors import ForbiddenAction
from orchestrator.core.records import RunStatus, StepStatus
from orchestrator.runs.control import ApprovalDecision, decide
from tests.fakes.lambda_context import FakeLambdaContext
from tests.fakes.task_tokens import FakeTaskTokens
from tests.integration.conftest import MotoAws

TENANT = "acme"


@pytest.fixture
def run_id(aws: MotoAws) -> str:
    from orchestrator.core.ids import new_run_id
    from orchestrator.core.records import Run, RunOptions

    run = Run(
        tenant_id=TENANT,
        run_id=new_run_id(),
        template="change_request",
        topic="rotate the signing keys",
        correlation_id="corr-1",
        options=RunOptions(approval_timeout_seconds=20),
    )
    aws.container.runs.create(run)
    aws.container.runs.update_status(TENANT, run.run_id, RunStatus.RUNNING)
    return run.run_id


def _turn(aws: MotoAws, run_id: str, step: str, action: str | None, token: str | None) -> dict[str, Any]:
    from handlers import approval_gate

    payload: dict[str, Any] = {
        "tenant_id": TENANT,
        "run_id": run_id,
        "correlation_id": "corr-1",
        "template": "change_request",
        "step": step,
    }
    payload |= {"action": action} if action else {}
    payload |= {"task_token": token} if token else {}
    result: dict[str, Any] = approval_gate.handler(payload, FakeLambdaContext(), container=aws.container)
    return result


def _decide(aws: MotoAws, run_id: str, role: str, tokens: FakeTaskTokens) -> None:
    decide(
        TENANT,
        run_id,
        ApprovalDecision(decision="approve"),
        caller_subject=f"{role}-1",
        caller_role=role,
        runs=aws.container.runs,
        results=aws.container.step_results,
        tokens=tokens,
        publisher=aws.container.publisher,
    )


def _published(aws: MotoAws) -> dict[str, list[dict[str, Any]]]:
    """Every event put on the bus so far, by type (read once: reading consumes them)."""
    by_type: dict[str, list[dict[str, Any]]] = {}
    for message in aws.published():
        by_type.setdefault(message["detail-type"], []).append(message["detail"])
    return by_type


def test_a_gate_reminded_and_escalated_waits_on_its_newest_token_for_the_escalation_role(
    aws: MotoAws, run_id: str
) -> None:
    # Given the peer review opened (a payload without an action opens the gate)
    _turn(aws, run_id, "peer_review", None, "token-open")
    # When its waits time out: a reminder, then the escalation, each with a new token
    assert _turn(aws, run_id, "peer_review", "remind", "token-remind")["status"] == "WAITING"
    assert aws.container.step_results.gate_token(TENANT, run_id, "peer_review") == "token-remind"
    _turn(aws, run_id, "peer_review", "escalate", "token-escalate")
    # Then the run shows the new deciders and deadline, the token stays the backend's
    run = aws.container.runs.get(TENANT, run_id)
    assert run.awaiting is not None and run.awaiting.roles == ["admin"] and run.awaiting.escalated_at
    assert run.awaiting.reminded_at is not None and "token" not in run.model_dump_json()
    assert aws.container.step_results.gate_token(TENANT, run_id, "peer_review") == "token-escalate"
    # And the bus was told each turn, in the lifecycle envelope
    published = _published(aws)
    reminder = published["APPROVAL_REMINDER"][0]
    assert (
        reminder["run_id"] == run_id
        and reminder["tenant_id"] == TENANT
        and reminder["phase"] == "peer_review"
    )
    escalated = published["APPROVAL_ESCALATED"][0]["payload"]
    assert escalated["roles"] == ["admin"] and escalated["escalated_from_roles"] == ["user"]
    # And only the escalation role decides, answering the newest token
    tokens = FakeTaskTokens()
    with pytest.raises(ForbiddenAction):
        _decide(aws, run_id, "user", tokens)
    _decide(aws, run_id, "admin", tokens)
    assert tokens.calls == [("succeed", "token-escalate", {"step": "peer_review", "decision": "approve"})]


def test_a_gate_with_a_default_approval_decides_alone(aws: MotoAws, run_id: str) -> None:
    _turn(aws, run_id, "objections", "open", "token-open")
    outcome = _turn(aws, run_id, "objections", "decide_by_default", None)
    assert outcome == {"step": "objections", "status": "APPROVED", "decided_by": "deadline"}
    run = aws.container.runs.get(TENANT, run_id)
    assert run.status is RunStatus.RUNNING and run.awaiting is None
    gate = aws.container.step_results.get(TENANT, run_id, "objections")
    assert gate is not None and gate.status is StepStatus.APPROVED
    assert _published(aws)["APPROVAL_DEFAULTED"][0]["payload"]["decision"] == "approve"
