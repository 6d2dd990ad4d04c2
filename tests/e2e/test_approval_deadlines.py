"""Approval deadlines on the local cloud (the change_request template, short windows): a gate
reminds, escalates to admins, and an admin decides; a gate's default decision approves alone or
rejects the run. Every turn is in the run's audit trail, read through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from infra.local.cloud import LocalCloud
from tests.e2e.conftest import Client

TEMPLATE = "change_request"
TOPIC = "rotate the signing keys of the payments service"


def _clients(cloud: LocalCloud, tenant_id: str) -> tuple[Client, Client]:
    user = Client(cloud, cloud.mint_token(tenant_id=tenant_id, subject=f"{tenant_id}-user"))
    admin = Client(cloud, cloud.mint_token(tenant_id=tenant_id, role="admin", subject=f"{tenant_id}-admin"))
    return user, admin


def _gate(client: Client, run_id: str, step: str, timeout: float = 90) -> dict[str, Any]:
    """The run's view once it waits at ``step`` (or has ended)."""
    in_progress = ("PENDING", "RUNNING", "AWAITING_APPROVAL")
    return client.until(
        run_id,
        lambda view: (view.get("awaiting") or {}).get("step") == step or view["status"] not in in_progress,
        timeout,
        may_hold=lambda status: status not in ("PENDING", "RUNNING"),
    )


def _decide(client: Client, run_id: str, decision: str) -> Any:
    return client.request("POST", f"/runs/{run_id}/approval", json={"decision": decision, "comment": "e2e"})


def test_a_gate_reminds_then_escalates_and_the_escalation_role_decides(cloud: LocalCloud) -> None:
    user, admin = _clients(cloud, "deadline-escalate")
    # Given a run whose gates get 10 s each: the peer review reminds after 8 s, escalates at 10 s
    run_id = user.start({"template": TEMPLATE, "topic": TOPIC, "options": {"approval_timeout_seconds": 10}})
    waiting = _gate(user, run_id, "peer_review")
    assert waiting["status"] == "AWAITING_APPROVAL", waiting.get("error")
    first = waiting["awaiting"]
    assert first["roles"] == ["user"] and first["on_deadline"] == "escalate" and first["remind_at"]
    # When nobody decides, the deciders are reminded, then the gate escalates to admins
    escalated = user.until(run_id, lambda view: (view.get("awaiting") or {}).get("escalated_at"))
    gate = escalated["awaiting"]
    assert escalated["status"] == "AWAITING_APPROVAL" and gate["step"] == "peer_review"
    assert gate["roles"] == ["admin"] and gate["reminded_at"] and gate["on_deadline"] == "undo"
    assert datetime.fromisoformat(gate["timeout_at"]) > datetime.fromisoformat(first["timeout_at"])
    # Then the user the gate first asked may no longer decide, and an admin may
    refused = _decide(user, run_id, "approve")
    assert refused.status_code == 403 and "escalated" in refused.json()["message"], refused.text
    approved = _decide(admin, run_id, "approve")
    assert approved.status_code == 200, approved.text
    # And the run goes on: the objections gate is approved by hand, the go decision by an admin
    at_objections = _gate(user, run_id, "objections")
    assert _decide(user, run_id, "approve").status_code == 200, at_objections
    _gate(user, run_id, "go_no_go")
    assert _decide(admin, run_id, "approve").status_code == 200
    view = user.wait(run_id)
    assert view["status"] == "SUCCEEDED", view.get("error")
    review = {step["step"]: step for step in view["steps"]}["peer_review"]
    assert review["status"] == "APPROVED" and review["decision"]["decided_by"] == "deadline-escalate-admin"
    # And every turn is in the audit trail, in order: requested, reminded, escalated, decided
    events = user.events(run_id, "APPROVAL_REMINDER", "APPROVAL_ESCALATED", "ORCHESTRATION_COMPLETED")
    at_review = [e for e in events if e["phase"] == "peer_review" and e["event_type"].startswith("APPROVAL_")]
    assert [e["event_type"] for e in sorted(at_review, key=lambda e: e["timestamp"])] == [
        "APPROVAL_REQUESTED",
        "APPROVAL_REMINDER",
        "APPROVAL_ESCALATED",
    ]
    escalation = next(e for e in at_review if e["event_type"] == "APPROVAL_ESCALATED")["payload"]
    assert escalation["roles"] == ["admin"] and escalation["escalated_from_roles"] == ["user"]
    decisions = [
        (e["payload"]["role"], e["payload"]["outcome"])
        for e in events
        if e["event_type"] == "USER_ACTION" and e["payload"].get("step") == "peer_review"
    ]
    assert sorted(decisions) == [("admin", "accepted")]
    assert any(
        e["event_type"] == "USER_ACTION" and e["payload"]["outcome"] == "ForbiddenAction" for e in events
    ), "the refused decision of the user is audited too"


def test_a_default_approval_goes_on_alone_and_a_default_rejection_ends_the_run_rejected(
    cloud: LocalCloud,
) -> None:
    user, _ = _clients(cloud, "deadline-default")
    # Given a run whose gates get 8 s each, its peer review approved at once
    run_id = user.start({"template": TEMPLATE, "topic": TOPIC, "options": {"approval_timeout_seconds": 8}})
    assert _gate(user, run_id, "peer_review")["status"] == "AWAITING_APPROVAL"
    assert _decide(user, run_id, "approve").status_code == 200
    # When nobody answers the objections gate, it approves by itself and the run goes on
    objections = _gate(user, run_id, "objections")
    assert objections["awaiting"]["on_deadline"] == "approve"
    at_go = _gate(user, run_id, "go_no_go")
    assert at_go["status"] == "AWAITING_APPROVAL", at_go.get("error")
    # And when nobody gives the go, the gate rejects by itself: the run is undone, REJECTED
    view = user.wait(run_id)
    assert view["status"] == "REJECTED" and view["error"]["name"] == "ApprovalRejected", view.get("error")
    assert view["failed_step"] == "go_no_go"
    steps = {step["step"]: step for step in view["steps"]}
    assert steps["objections"]["decision"]["decided_by"] == "deadline"
    assert steps["go_no_go"]["decision"]["decided_by"] == "deadline"
    assert "work_plan" in view["compensated_steps"] and "design" in view["compensated_steps"]
    # And both default decisions are in the audit trail (the go decision was reminded first)
    events = user.events(run_id, "APPROVAL_DEFAULTED", "APPROVAL_DEFAULTED", "APPROVAL_REMINDER")
    defaulted = {
        e["phase"]: e["payload"]["decision"] for e in events if e["event_type"] == "APPROVAL_DEFAULTED"
    }
    assert defaulted == {"objections": "approve", "go_no_go": "reject"}
    assert [e["phase"] for e in events if e["event_type"] == "APPROVAL_REMINDER"] == ["go_no_go"]


def test_nobody_deciding_after_the_escalation_either_undoes_the_run(cloud: LocalCloud) -> None:
    user, admin = _clients(cloud, "deadline-lapsed")
    # Given a run whose peer review escalates after 4 s and gives admins 4 s more
    run_id = user.start({"template": TEMPLATE, "topic": TOPIC, "options": {"approval_timeout_seconds": 4}})
    assert _gate(user, run_id, "peer_review")["status"] == "AWAITING_APPROVAL"
    # When nobody decides at all, the run is undone and says why
    view = user.wait(run_id)
    assert view["status"] == "COMPENSATED" and view["error"]["name"] == "ApprovalTimedOut", view.get("error")
    assert view["error"]["message"] == (
        "nobody decided at Peer review within 4 s, nor the escalation to admin within 4 s"
    )
    assert view["failed_step"] == "peer_review" and "design" in view["compensated_steps"]
    # And a late decision, even an admin's, is refused
    late = _decide(admin, run_id, "approve")
    assert late.status_code == 409, late.text
    user.events(run_id, "APPROVAL_REMINDER", "APPROVAL_ESCALATED", "ORCHESTRATION_COMPENSATED")
