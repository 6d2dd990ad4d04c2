"""A gate's deadline at run time: the reminder and the escalation re-arm it with a new token (the
API answers the current one), the default decision decides alone, and a person's decision that
crosses a deadline is honoured, not lost."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.core.errors import ApprovalRejected, ForbiddenAction, RunNotActive
from orchestrator.core.records import ApprovalTaskInput, Run, RunOptions, RunStatus, StepStatus
from orchestrator.runs import control as run_control
from orchestrator.runs import gate_deadlines
from orchestrator.runs.control import ApprovalDecision
from tests.fakes.run_data import InMemoryRunRepository, InMemoryStepResultRepository, RecordingPublisher
from tests.fakes.task_tokens import FakeTaskTokens

TENANT, RUN = "acme", "01jzzzzzzzzzzzzzzzzzzzzzz3"
REFERENCE = {"tenant_id": TENANT, "run_id": RUN, "correlation_id": "corr", "template": "change_request"}


class Gate:
    """A change_request run waiting at one of its gates, in memory."""

    def __init__(self, step: str, window: int = 20) -> None:
        self.step = step
        self.runs = InMemoryRunRepository()
        self.results = InMemoryStepResultRepository()
        self.publisher = RecordingPublisher()
        self.tokens = FakeTaskTokens()
        self.runs.create(
            Run(
                tenant_id=TENANT,
                run_id=RUN,
                template="change_request",
                topic="rotate the signing keys",
                correlation_id="corr",
                options=RunOptions.model_validate({"approval_timeout_seconds": window}),
            )
        )
        self.runs.update_status(TENANT, RUN, RunStatus.RUNNING)
        run_control.open_gate(self.task("open", "token-1"), **self.stores())

    def task(self, action: str, token: str | None = None) -> ApprovalTaskInput:
        return ApprovalTaskInput.model_validate(
            REFERENCE | {"step": self.step, "action": action, "task_token": token}
        )

    def stores(self) -> dict[str, Any]:
        return {"runs": self.runs, "results": self.results, "publisher": self.publisher}

    def rearm(self, action: str, token: str) -> dict[str, Any]:
        return gate_deadlines.rearm(self.task(action, token), tokens=self.tokens, **self.stores())

    def decide(self, decision: str, role: str) -> Run:
        return run_control.decide(
            TENANT,
            RUN,
            ApprovalDecision(decision=decision, comment="checked"),  # type: ignore[arg-type]
            caller_subject=f"{role}-1",
            caller_role=role,
            runs=self.runs,
            results=self.results,
            tokens=self.tokens,
            publisher=self.publisher,
        )

    @property
    def awaiting(self) -> Any:
        return self.runs.get(TENANT, RUN).awaiting


def test_the_open_gate_shows_its_deadline_reminder_and_action() -> None:
    gate = Gate("peer_review", window=20)
    awaiting = gate.awaiting
    assert awaiting.roles == ["user"] and awaiting.on_deadline == "escalate"
    assert (awaiting.timeout_at - awaiting.requested_at).total_seconds() == 20
    assert (awaiting.remind_at - awaiting.requested_at).total_seconds() == 15


def test_a_reminder_rearms_the_gate_and_the_api_answers_the_new_token() -> None:
    gate = Gate("peer_review")
    gate.rearm("remind", "token-2")
    assert gate.results.gate_token(TENANT, RUN, "peer_review") == "token-2"
    assert gate.awaiting.reminded_at is not None and gate.awaiting.roles == ["user"]
    reminder = gate.publisher.of_type("APPROVAL_REMINDER")[0]
    assert reminder.phase == "peer_review" and reminder.payload["on_deadline"] == "escalate"
    assert "token-2" not in reminder.model_dump_json()
    gate.decide("approve", "user")
    assert gate.tokens.calls == [("succeed", "token-2", {"step": "peer_review", "decision": "approve"})]


def test_after_escalation_only_the_escalation_roles_decide_until_the_new_deadline() -> None:
    gate = Gate("peer_review", window=20)
    before = gate.awaiting.timeout_at
    gate.rearm("escalate", "token-3")
    awaiting = gate.awaiting
    assert awaiting.roles == ["admin"] and awaiting.on_deadline == "undo" and awaiting.escalated_at
    assert (
        awaiting.timeout_at - awaiting.escalated_at
    ).total_seconds() == 20 and awaiting.timeout_at > before
    escalated = gate.publisher.of_type("APPROVAL_ESCALATED")[0].payload
    assert escalated["roles"] == ["admin"] and escalated["escalated_from_roles"] == ["user"]
    with pytest.raises(ForbiddenAction, match=r"'user' may not decide at 'Peer review'.*escalated at"):
        gate.decide("approve", "user")
    gate.decide("reject", "admin")
    assert [call[:3] for call in gate.tokens.calls] == [("fail", "token-3", "ApprovalRejected")]


def test_a_default_approval_decides_alone_and_the_run_goes_on() -> None:
    gate = Gate("objections")
    outcome = gate_deadlines.decide_by_default(gate.task("decide_by_default"), **gate.stores())
    assert outcome["decided_by"] == "deadline"
    run = gate.runs.get(TENANT, RUN)
    assert run.status is RunStatus.RUNNING and run.awaiting is None
    result = gate.results.get(TENANT, RUN, "objections")
    assert result is not None and result.status is StepStatus.APPROVED
    assert result.decision is not None and result.decision["decided_by"] == "deadline"
    defaulted = gate.publisher.of_type("APPROVAL_DEFAULTED")[0].payload
    assert defaulted["decision"] == "approve" and defaulted["step"] == "objections" and defaulted["deadline"]


def test_a_default_rejection_fails_the_gate_with_approval_rejected() -> None:
    gate = Gate("go_no_go")
    with pytest.raises(ApprovalRejected, match="nobody decided at Go decision by the deadline"):
        gate_deadlines.decide_by_default(gate.task("decide_by_default"), **gate.stores())
    result = gate.results.get(TENANT, RUN, "go_no_go")
    assert result is not None and result.status is StepStatus.REJECTED
    assert gate.publisher.of_type("APPROVAL_DEFAULTED")[0].payload["decision"] == "reject"


def test_a_decision_recorded_as_the_reminder_fires_is_honoured_by_the_rearmed_turn() -> None:
    gate = Gate("peer_review")
    gate.tokens.expired = True  # the first wait timed out as the user decided
    gate.decide("approve", "user")  # accepted: the next turn will find it
    gate.tokens.expired = False
    outcome = gate.rearm("remind", "token-2")
    assert outcome["status"] == "APPROVED"
    assert gate.tokens.calls == [("succeed", "token-2", {"step": "peer_review", "decision": "approve"})]
    assert gate.publisher.of_type("APPROVAL_REMINDER") == []


def test_a_person_deciding_as_the_default_fires_wins_over_the_default() -> None:
    gate = Gate("go_no_go")
    gate.tokens.expired = True
    gate.decide("approve", "admin")
    outcome = gate_deadlines.decide_by_default(gate.task("decide_by_default"), **gate.stores())
    assert outcome["decided_by"] == "admin-1" and gate.publisher.of_type("APPROVAL_DEFAULTED") == []


def test_a_decision_after_the_last_deadline_of_an_undo_gate_is_refused() -> None:
    gate = Gate("peer_review")
    gate.rearm("escalate", "token-3")
    gate.tokens.expired = True  # the escalation timed out: the run is being undone
    with pytest.raises(RunNotActive):
        gate.decide("approve", "admin")


def test_a_task_token_is_required_exactly_when_the_gate_waits() -> None:
    with pytest.raises(ValueError, match="needs a task token exactly when it waits"):
        ApprovalTaskInput.model_validate(REFERENCE | {"step": "peer_review", "action": "remind"})
    with pytest.raises(ValueError, match="needs a task token exactly when it waits"):
        ApprovalTaskInput.model_validate(
            REFERENCE | {"step": "objections", "action": "decide_by_default", "task_token": "t"}
        )


def test_a_retried_default_decision_finishes_what_the_first_attempt_began() -> None:
    # Given a default approval whose first attempt recorded the decision, then failed to publish
    gate = Gate("objections")
    publish = gate.publisher.publish

    def fail_once(event: Any) -> None:
        gate.publisher.publish = publish  # type: ignore[method-assign]
        raise RuntimeError("bus unavailable")

    gate.publisher.publish = fail_once  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        gate_deadlines.decide_by_default(gate.task("decide_by_default"), **gate.stores())
    # When the state machine retries it, the run goes on and the event is published
    outcome = gate_deadlines.decide_by_default(gate.task("decide_by_default"), **gate.stores())
    assert outcome["decided_by"] == "deadline"
    assert gate.runs.get(TENANT, RUN).status is RunStatus.RUNNING
    assert gate.publisher.types.count("APPROVAL_DEFAULTED") == 1
