"""The generic agents: one per phase of the ``generic`` template, all with ``PhaseOutput``."""

from __future__ import annotations

from orchestrator.agents.base import ALL_EARLIER, Agent
from orchestrator.core.records import PhaseOutput


class GenericPhaseAgent(Agent):
    """A phase that reads every earlier summary and answers with deliverables and risks."""

    output_model = PhaseOutput
    reads = (ALL_EARLIER,)


def _generic(agent_type: str, title: str, goal: str) -> type[GenericPhaseAgent]:
    return type(
        f"{title.replace(' ', '')}Agent",
        (GenericPhaseAgent,),
        {"agent_type": agent_type, "title": title, "goal": goal, "__doc__": goal},
    )


AGENTS: list[type[Agent]] = [
    _generic("ideation", "Ideation", "Generate and rank ideas that address the topic."),
    _generic("research", "Research", "Gather facts, prior art and constraints for the chosen idea."),
    _generic("design", "Design", "Design the solution: components, interfaces and data."),
    _generic("development", "Development", "Plan and describe the implementation work."),
    _generic("execution", "Execution", "Execute the plan and record what was produced."),
    _generic("review", "Review", "Review the result against the goals and list defects."),
    _generic("deployment", "Deployment", "Plan the release, rollout and rollback."),
]
