"""``change_request``: a change designed, reviewed, planned and released through gates with deadlines.

design -> peer review (a user; reminded, then escalated to an admin) -> plan the work
       -> objections (silence approves) -> go / no-go (reminded; silence is no-go)
       -> plan the rollout
"""

from __future__ import annotations

from typing import Any

HOUR = 3600

DECLARATION: dict[str, Any] = {
    "name": "change_request",
    "timeout_minutes": 3 * 24 * 60,
    "title": "A change with sign-offs that have deadlines",
    "description": (
        "A change is designed, reviewed by a user (reminded before the deadline, then escalated to "
        "an admin), planned, left open to objections for a day (silence approves), and put to a "
        "go or no-go (silence is no-go) before its rollout is planned."
    ),
    "steps": [
        {"kind": "agent", "name": "design", "agent": "design", "title": "Design the change"},
        {
            "kind": "approval",
            "name": "peer_review",
            "title": "Peer review",
            "roles": ["user"],
            "timeout_seconds": 8 * HOUR,
            "remind_before_seconds": 2 * HOUR,
            "on_deadline": "escalate",
            "escalate_to_roles": ["admin"],
            "escalation_timeout_seconds": 8 * HOUR,
            "question": "Is the designed change sound enough to plan?",
        },
        {"kind": "agent", "name": "work_plan", "agent": "development", "title": "Plan the work"},
        {
            "kind": "approval",
            "name": "objections",
            "title": "Objections",
            "timeout_seconds": 24 * HOUR,
            "on_deadline": "approve",
            "question": "Any objection to this plan? Nobody answering within a day approves it.",
        },
        {
            "kind": "approval",
            "name": "go_no_go",
            "title": "Go decision",
            "timeout_seconds": 4 * HOUR,
            "remind_before_seconds": HOUR,
            "on_deadline": "reject",
            "question": "Go ahead with the change? No answer by the deadline means no-go.",
        },
        {"kind": "agent", "name": "rollout", "agent": "deployment", "title": "Plan the rollout"},
    ],
}
