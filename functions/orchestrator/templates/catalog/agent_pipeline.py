"""``agent_pipeline``: one agent per role, from the request's intent to an accounted report.

intent parser -> planner -> safety checker (may reject) -> router (kind, tier, cost estimate)
              -> one executor per routed task (bounded map) -> reporter
"""

from __future__ import annotations

from typing import Any

INPUTS = "orchestrator.agents.agent_pipeline.schemas:AgentPipelineInputs"
"""The model of the run's ``inputs`` (imported only where a run's inputs are checked)."""

DECLARATION: dict[str, Any] = {
    "name": "agent_pipeline",
    "title": "Agent roles pipeline",
    "description": (
        "Parses the request's intent, plans up to 20 tasks, screens the request and the plan against "
        "the policy (prompt injection and out-of-policy work end the run REJECTED before any task "
        "runs), routes each task to an executor kind and a model tier with a cost estimate "
        "(inputs.budget_usd moves tasks to smaller models, or refuses a plan that cannot fit), "
        "executes the tasks (at most 4 at once, each writing its deliverable to the workspace) and "
        "reports every task's outcome, tokens and cost. A failure, a rejection or a cancel undoes "
        "all of it."
    ),
    "timeout_minutes": 120,
    "steps": [
        {"kind": "agent", "name": "intent", "agent": "pipeline_intent_parser", "title": "Parse intent"},
        {"kind": "agent", "name": "plan", "agent": "pipeline_planner", "title": "Plan tasks"},
        {"kind": "agent", "name": "safety", "agent": "pipeline_safety_checker", "title": "Check safety"},
        {"kind": "agent", "name": "route", "agent": "pipeline_router", "title": "Route tasks"},
        {
            "kind": "map",
            "name": "execute",
            "title": "Execute tasks",
            "over": "route.assignments",
            "max_concurrency": 4,
            "steps": [
                {
                    "kind": "agent",
                    "name": "execute_task",
                    "agent": "pipeline_executor",
                    "title": "Execute task",
                }
            ],
        },
        {"kind": "agent", "name": "report", "agent": "pipeline_reporter", "title": "Write report"},
    ],
}

DEMO: dict[str, Any] = {
    "topic": (
        "A customer-support assistant for an online bookshop: research the questions customers ask "
        "most, analyse last quarter's support tickets, write answers for the FAQ page, code a chat "
        "widget for the website and document how to run it"
    ),
    "inputs": {
        "constraints": ["answers in plain English", "no customer data leaves the shop"],
        "budget_usd": 1.0,
    },
}
