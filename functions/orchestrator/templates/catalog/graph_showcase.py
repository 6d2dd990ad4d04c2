"""``graph_showcase``: every construct of the template language in one run.

intake -> (risks | plan) in parallel -> one executor per planned task (bounded map)
       -> safety check (may reject) -> report -> approval gate -> release
"""

from __future__ import annotations

from typing import Any

DECLARATION: dict[str, Any] = {
    "name": "graph_showcase",
    "timeout_minutes": 180,
    "title": "Every construct of the template language",
    "description": (
        "Intake, then risks and a plan in parallel, one executor per planned task (at most 3 at "
        "once), a safety check that rejects unsafe requests, a report, a human sign-off and a "
        "release. Executors, report and release write to the tenant's workspace and announce "
        "the release; a failure, a rejection or a cancel undoes all of it."
    ),
    "steps": [
        {"kind": "agent", "name": "intake", "agent": "request_analyst", "title": "Analyse request"},
        {
            "kind": "parallel",
            "name": "assess",
            "title": "Assess and plan",
            "branches": {
                "risks": [
                    {"kind": "agent", "name": "risks", "agent": "risk_assessor", "title": "Assess risks"}
                ],
                "plan": [{"kind": "agent", "name": "plan", "agent": "planner", "title": "Plan tasks"}],
            },
        },
        {
            "kind": "map",
            "name": "execute",
            "title": "Execute tasks",
            "over": "plan.tasks",
            "max_concurrency": 8,
            "steps": [
                {
                    "kind": "agent",
                    "name": "execute_task",
                    "agent": "task_executor",
                    "title": "Execute task",
                }
            ],
        },
        {"kind": "agent", "name": "safety", "agent": "safety_checker", "title": "Check safety"},
        {"kind": "agent", "name": "report", "agent": "reporter", "title": "Write report"},
        {
            "kind": "approval",
            "name": "sign_off",
            "title": "Sign off release",
            "timeout_seconds": 3600,
            "question": "Release the work described in the report?",
        },
        {"kind": "agent", "name": "release", "agent": "releaser", "title": "Release"},
    ],
}
