"""Approval deadlines in the template language: a reminder before the deadline, and what happens
at it (undo, escalate, approve, reject). A bad declaration names the template, the step and the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orchestrator.templates.graph import TEMPLATES, build_template

CHANGE_REQUEST = TEMPLATES["change_request"]


def showcase_with_gate(**gate: Any) -> dict[str, Any]:
    """The graph showcase whose sign-off gate declares ``gate``'s fields too."""
    declaration = copy.deepcopy(TEMPLATES["graph_showcase"].model_dump(mode="json", exclude_none=True))
    declaration["steps"][5] |= gate
    return declaration


def test_a_gate_undoes_the_run_at_its_deadline_unless_it_says_otherwise() -> None:
    gate = TEMPLATES["graph_showcase"].placement("sign_off").step
    assert gate.on_deadline == "undo" and gate.remind_before_seconds is None and not gate.rearms
    assert TEMPLATES["graph_showcase"].gate_deadlines(None) == {}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"remind_before_seconds": 3600},
            "remind_before_seconds \\(3600\\) must be shorter than timeout_seconds",
        ),
        ({"remind_before_seconds": 0}, "remind_before_seconds.*greater than or equal to 1"),
        (
            {"on_deadline": "escalate"},
            "on_deadline 'escalate' needs escalate_to_roles and escalation_timeout_seconds",
        ),
        (
            {"on_deadline": "escalate", "escalate_to_roles": ["admin"]},
            "on_deadline 'escalate' needs escalation_timeout_seconds",
        ),
        (
            {
                "on_deadline": "escalate",
                "escalate_to_roles": ["admin", "user"],
                "escalation_timeout_seconds": 60,
            },
            "are the gate's own roles",
        ),
        ({"escalate_to_roles": ["admin"]}, "escalate_to_roles only apply with on_deadline 'escalate'"),
        (
            {"on_deadline": "approve", "escalation_timeout_seconds": 60},
            "escalation_timeout_seconds only apply with on_deadline 'escalate' \\(it is 'approve'\\)",
        ),
        ({"on_deadline": "ignore"}, "on_deadline.*'undo', 'escalate', 'approve' or 'reject'"),
        (
            {"escalate_to_roles": ["viewer"], "on_deadline": "escalate"},
            "escalate_to_roles.0.*'user' or 'admin'",
        ),
        ({"remind_before": 60}, "remind_before.*Extra inputs are not permitted"),
    ],
)
def test_a_bad_deadline_names_template_step_and_field(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as refused:
        build_template(showcase_with_gate(**fields))
    assert "invalid template 'graph_showcase'" in str(refused.value)
    assert "sign_off" in str(refused.value) or "steps.5" in str(refused.value)


def test_the_gate_and_its_escalation_must_end_before_the_template() -> None:
    declaration = showcase_with_gate(
        roles=["user"],
        on_deadline="escalate",
        escalate_to_roles=["admin"],
        escalation_timeout_seconds=180 * 60,  # the template allows 180 minutes in all
    )
    with pytest.raises(
        ValueError, match="step 'sign_off': the gate's timeout and escalation must end before"
    ):
        build_template(declaration)
    declaration["steps"][5]["escalation_timeout_seconds"] = 3600
    assert build_template(declaration).placement("sign_off").step.rearms


def test_the_change_request_declares_every_kind_of_deadline() -> None:
    gates = {name: CHANGE_REQUEST.placement(name).step for name in ("peer_review", "objections", "go_no_go")}
    assert [gate.on_deadline for gate in gates.values()] == ["escalate", "approve", "reject"]
    described = {step["name"]: step for step in CHANGE_REQUEST.describe()["steps"]}
    assert described["peer_review"]["escalate_to_roles"] == ["admin"]
    assert described["peer_review"]["remind_before_seconds"] == 7200
    assert (
        described["objections"]["on_deadline"] == "approve"
        and "escalate_to_roles" not in described["objections"]
    )


def test_a_run_that_shortens_the_window_shortens_the_reminder_and_escalation_alike() -> None:
    # Given a gate of 8 hours, reminded 2 hours before the deadline, escalated for 8 hours more
    assert CHANGE_REQUEST.gate_deadlines(None)["peer_review"] == {
        "remind_after": 6 * 3600,
        "after_reminder": 2 * 3600,
        "escalation": 8 * 3600,
    }
    # When a run asks for a 20 second window, every phase keeps its share
    assert CHANGE_REQUEST.gate_timeouts(20)["peer_review"] == 20
    assert CHANGE_REQUEST.gate_deadlines(20)["peer_review"] == {
        "remind_after": 15,
        "after_reminder": 5,
        "escalation": 20,
    }
    # And a gate with a reminder keeps a second before it and one after, however short the run asks
    assert CHANGE_REQUEST.gate_timeouts(1)["go_no_go"] == 2
    assert CHANGE_REQUEST.gate_deadlines(1)["go_no_go"] == {"remind_after": 1, "after_reminder": 1}
    # And a gate without reminder or escalation keeps the window the run asked for
    assert CHANGE_REQUEST.gate_timeouts(1)["objections"] == 1
    assert CHANGE_REQUEST.gate_deadlines(1)["objections"] == {}
