"""People steering a run: the gate opens, the right role decides once, cancel stops it."""

from __future__ import annotations

import pytest

from orchestrator.core.errors import ForbiddenAction, RunCancelled, RunNotActive
from orchestrator.core.records import ApprovalTaskInput, RunStatus, StepStatus
from orchestrator.runs import control as run_control
from orchestrator.runs.control import ApprovalDecision
from tests.fakes.task_tokens import FakeTaskTokens

from .test_compensation import REFERENCE, RUN, TENANT, World

TOKEN = "task-token-of-sign-off"


def _at_the_gate(options: dict[str, object] | None = None) -> tuple[World, FakeTaskTokens]:
    world = World(options)
    run_control.open_gate(
        ApprovalTaskInput.model_validate(REFERENCE | {"step": "sign_off", "task_token": TOKEN}),
        runs=world.runs,
        results=world.results,
        publisher=world.publisher,
    )
    return world, FakeTaskTokens()


def _decide(world: World, tokens: FakeTaskTokens, decision: str, role: str = "user") -> None:
    run_control.decide(
        TENANT,
        RUN,
        ApprovalDecision(decision=decision, comment="looked at it"),  # type: ignore[arg-type]
        caller_subject="alice",
        caller_role=role,
        runs=world.runs,
        results=world.results,
        tokens=tokens,
        publisher=world.publisher,
    )


def test_an_open_gate_shows_what_the_run_waits_for_without_its_token() -> None:
    world, _ = _at_the_gate({"approval_timeout_seconds": 120})
    run = world.runs.get(TENANT, RUN)
    assert run.status is RunStatus.AWAITING_APPROVAL and run.awaiting is not None
    assert run.awaiting.step == "sign_off" and run.awaiting.roles == ["user", "admin"]
    assert (run.awaiting.timeout_at - run.awaiting.requested_at).total_seconds() == 120
    assert TOKEN not in run.model_dump_json()
    assert world.publisher.types == ["APPROVAL_REQUESTED"]
    assert TOKEN not in world.publisher.events[0].model_dump_json()


def test_approve_resumes_the_run_once_and_is_audited() -> None:
    world, tokens = _at_the_gate()
    _decide(world, tokens, "approve")
    assert tokens.calls == [("succeed", TOKEN, {"step": "sign_off", "decision": "approve"})]
    assert world.runs.get(TENANT, RUN).status is RunStatus.RUNNING
    gate = world.results.get(TENANT, RUN, "sign_off")
    assert gate is not None and gate.status is StepStatus.APPROVED
    action = world.publisher.of_type("USER_ACTION")[0].payload
    assert action["action"] == "approval" and action["caller"] == "alice" and action["decision"] == "approve"
    # a second decision finds nothing waiting
    with pytest.raises(RunNotActive):
        _decide(world, tokens, "reject")


def test_a_gate_opened_again_keeps_the_run_waiting_and_the_decision_answers_the_new_token() -> None:
    # Given a run waiting at its gate
    world, tokens = _at_the_gate()
    requested = world.runs.get(TENANT, RUN).awaiting
    # When the same gate opens again with a new token (its execution resumed after a restart)
    outcome = run_control.open_gate(
        ApprovalTaskInput.model_validate(REFERENCE | {"step": "sign_off", "task_token": "renewed-token"}),
        runs=world.runs,
        results=world.results,
        publisher=world.publisher,
    )
    # Then the run still waits for the same request, announced once, and the decision answers the new token
    assert outcome == {"step": "sign_off", "status": "WAITING"}
    assert world.runs.get(TENANT, RUN).awaiting == requested
    assert world.publisher.types == ["APPROVAL_REQUESTED"]
    _decide(world, tokens, "approve")
    assert tokens.calls == [("succeed", "renewed-token", {"step": "sign_off", "decision": "approve"})]


def test_reject_fails_the_gate_with_approval_rejected() -> None:
    world, tokens = _at_the_gate()
    _decide(world, tokens, "reject")
    assert [call[:3] for call in tokens.calls] == [("fail", TOKEN, "ApprovalRejected")]


def test_a_role_the_gate_does_not_allow_may_not_decide() -> None:
    world, tokens = _at_the_gate()
    with pytest.raises(ForbiddenAction, match="'viewer' may not decide"):
        _decide(world, tokens, "approve", role="viewer")
    assert tokens.calls == [] and world.runs.get(TENANT, RUN).status is RunStatus.AWAITING_APPROVAL


def test_cancel_at_the_gate_fails_it_at_once_and_a_finished_run_cannot_be_cancelled() -> None:
    world, tokens = _at_the_gate()
    kwargs = {"runs": world.runs, "results": world.results, "tokens": tokens, "publisher": world.publisher}
    run = run_control.cancel(TENANT, RUN, caller_subject="bob", **kwargs)  # type: ignore[arg-type]
    assert run.cancel_requested_by == "bob"
    assert [call[:3] for call in tokens.calls] == [("fail", TOKEN, RunCancelled.__name__)]
    world.runs.update_status(TENANT, RUN, RunStatus.CANCELLED)
    with pytest.raises(RunNotActive, match="nothing to cancel"):
        run_control.cancel(TENANT, RUN, caller_subject="bob", **kwargs)  # type: ignore[arg-type]


def test_a_running_run_that_is_cancelled_stops_at_its_next_step() -> None:
    world = World()
    tokens = FakeTaskTokens()
    run_control.cancel(
        TENANT,
        RUN,
        caller_subject="bob",
        runs=world.runs,
        results=world.results,
        tokens=tokens,
        publisher=world.publisher,
    )
    assert tokens.calls == []  # no gate is open
    with pytest.raises(RunCancelled):
        world.run("intake")
    assert not [r for r in world.results.list_for_run(TENANT, RUN) if r.status is StepStatus.SUCCEEDED]
