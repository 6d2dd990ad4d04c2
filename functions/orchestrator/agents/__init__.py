"""Agent types, by name. One Lambda function per agent type runs it.

Each module of this package declares the agents of one family of templates and lists them
in its ``AGENTS``; adding an agent is a class in one of these modules (or a new module
added to ``_MODULES``): its Lambda function and its place in the state machines follow.
"""

from __future__ import annotations

from orchestrator.agents import (
    agent_pipeline,
    data_science,
    feature_delivery,
    generic,
    repo_ingestion,
    sales_calls,
    showcase,
    web_development,
)
from orchestrator.agents.base import (
    ALL_EARLIER,
    Agent,
    AgentContext,
    AgentServices,
    EarlierOutput,
    RenderedPrompt,
)

_MODULES = (
    generic,
    showcase,
    web_development,
    data_science,
    agent_pipeline,
    sales_calls,
    feature_delivery,
    repo_ingestion,
)


def _collect() -> dict[str, Agent]:
    found: dict[str, Agent] = {}
    for module in _MODULES:
        for cls in module.AGENTS:
            if cls.agent_type in found:
                raise ValueError(f"agent type {cls.agent_type!r} is declared twice ({module.__name__})")
            found[cls.agent_type] = cls()
    return found


AGENTS: dict[str, Agent] = _collect()


def get_agent(agent_type: str) -> Agent:
    try:
        return AGENTS[agent_type]
    except KeyError:
        raise KeyError(f"unknown agent {agent_type!r}; known agents: {', '.join(sorted(AGENTS))}") from None


__all__ = [
    "AGENTS",
    "ALL_EARLIER",
    "Agent",
    "AgentContext",
    "AgentServices",
    "EarlierOutput",
    "RenderedPrompt",
    "get_agent",
]
